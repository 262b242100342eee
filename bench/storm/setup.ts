import { readFileSync } from 'node:fs';
import { CreateTopicRuleCommand } from '@aws-sdk/client-iot';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createFleetCa, type FleetCa, type FleetProfile } from '../../certs/fleet.js';
import { type LocalEmulator, startLocal } from '../../local/server.js';
import { LOCAL_ADMIN_CREDENTIALS } from '../../local/iam/identities.js';
import { clientsFromEnv, destroyClients, type OperatorClients } from '../../scripts/aws/clients.js';
import { deployStackQueue, localClients, preconfigureFleet } from '../../scripts/demo/local-setup.js';
import type { MqttTarget } from '../../scripts/simulator/mqtt-session.js';

export interface StormEnvironment {
  emulator: LocalEmulator;
  clients: OperatorClients;
  fleet: FleetCa;
  target: MqttTarget;
  /** The local queue a counting rule copies every registration event to. */
  eventQueue: string;
}

export const EVENT_QUEUE = 'storm-registration-events';
const COUNTER_ROLE = 'jitr-storm-event-counter';

/**
 * With `--faults` every call fails 20% of the time, setup included; the setup steps are idempotent, so they are simply
 * tried again (the SDK's own 3 attempts are not always enough).
 */
async function persist<T>(what: string, work: () => Promise<T>, tries = 8): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      return await work();
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`${what} failed ${tries} times: ${(last as Error)?.message}`, { cause: last });
}

/**
 * The emulator with AWS default quotas scaled, the stack's queue "deployed", one fleet CA preconfigured exactly as
 * `jitr preconfigure` does, and a second rule counting the registration events the gateway publishes.
 */
export async function startStormEnvironment(options: {
  quotaScale: number;
  faults?: string;
  seed: number;
  concurrency: number;
  profile: FleetProfile;
}): Promise<StormEnvironment> {
  const emulator = await startLocal({
    quotas: 'aws',
    quotaScale: options.quotaScale,
    seed: options.seed,
    concurrency: options.concurrency,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const clients = localClients(emulator);
  await persist('deploying the queue', () => deployStackQueue(clients));
  const fleet = await createFleetCa(options.profile);
  await persist('preconfigure', () => preconfigureFleet(clients, fleet));
  // The counting rule is the benchmark's instrument, not part of the stack: it is set up as the emulator's admin, and its
  // SQS action runs as a role of its own that AWS IoT may assume (IAM is on, as in AWS).
  const admin = clientsFromEnv({
    AWS_ENDPOINT_URL: emulator.controlPlane,
    AWS_REGION: emulator.region,
    AWS_ACCESS_KEY_ID: LOCAL_ADMIN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_ADMIN_CREDENTIALS.secretAccessKey,
  });
  const roleArn = `arn:aws:iam::${emulator.accountId}:role/${COUNTER_ROLE}`;
  emulator.iam.defineRole({
    name: COUNTER_ROLE,
    arn: roleArn,
    trustedServices: ['iot.amazonaws.com'],
    policies: [
      {
        name: 'send-registration-events',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: `arn:aws:sqs:${emulator.region}:${emulator.accountId}:${EVENT_QUEUE}`,
            },
          ],
        },
      },
    ],
  });
  try {
    const queueUrl = await persist('creating the event queue', async () => {
      const created = await admin.sqs.send(new CreateQueueCommand({ QueueName: EVENT_QUEUE }));
      return created.QueueUrl ?? '';
    });
    await persist('creating the counting rule', async () => {
      try {
        await admin.iot.send(
          new CreateTopicRuleCommand({
            ruleName: 'storm_registration_event_counter',
            topicRulePayload: {
              sql: "SELECT * FROM '$aws/events/certificates/registered/+'",
              actions: [{ sqs: { queueUrl, roleArn, useBase64: false } }],
            },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
      }
    });
  } finally {
    destroyClients(admin);
  }
  const target = {
    url: emulator.mqtt,
    servername: emulator.iotEndpoint,
    caPem: readFileSync(emulator.serverCa, 'utf8'),
  };
  return { emulator, clients, fleet, target, eventQueue: EVENT_QUEUE };
}

/** Registration events the counting rule has seen so far. */
export function eventsSeen(env: StormEnvironment): number {
  const counts = env.emulator.store.queues.counts(env.eventQueue, Date.now());
  return counts.visible + counts.inFlight + counts.delayed;
}
