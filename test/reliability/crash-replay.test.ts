import { randomUUID } from 'node:crypto';
import { RegisterCertificateCommand } from '@aws-sdk/client-iot';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type FleetCa, issueFleetDevice, randomAzureSphereDeviceId } from '../../certs/fleet.js';
import type { IotPort } from '../../functions/onboard/port.js';
import { handleRegisteredEvent } from '../../functions/onboard/run.js';
import { DEFAULT_STAGE, deadLetterQueueName } from '../../scripts/operator/deployment.js';
import { queueUrlOf } from '../../scripts/operator/iot-reads.js';
import { replay } from '../../scripts/operator/replay.js';
import { activeWithoutAttachments, type Pipeline, withPipeline } from './pipeline-fixture.js';

class Killed extends Error {
  override name = 'Killed';
}

/** The container dies right after its k-th IoT call returned (reads and writes alike): every step is a crash point. */
function killedAfter(port: IotPort, k: number): IotPort {
  let calls = 0;
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        calls++;
        if (calls >= k) throw new Killed(`killed after call ${calls} (${String(property)})`);
        return result;
      };
    },
  });
}

async function registerPending(pipeline: Pipeline, fleet: FleetCa, pem: string) {
  const registered = await pipeline.clients.iot.send(
    new RegisterCertificateCommand({
      certificatePem: pem,
      caCertificatePem: fleet.certificatePem,
      status: 'PENDING_ACTIVATION',
    }),
  );
  return {
    certificateId: registered.certificateId ?? '',
    caCertificateId: fleet.certificateId,
    timestamp: Date.now(),
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: pipeline.emulator.accountId,
    certificateRegistrationTimestamp: String(Date.now()),
  };
}

/** What Lambda's on-failure destination writes once the retries of the killed invocation ran out. */
function onFailureRecord(event: unknown, error: Error): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    },
    responsePayload: { errorType: error.name, errorMessage: error.message },
  });
}

type Scenario = (pipeline: Pipeline, fleets: FleetCa[]) => Promise<{ event: unknown; expectActive: boolean }>;

const scenarios: Record<string, Scenario> = {
  'a new device': async (pipeline, [fleet]) => {
    const device = await issueFleetDevice(fleet as FleetCa);
    return {
      event: await registerPending(pipeline, fleet as FleetCa, device.certificatePem),
      expectActive: true,
    };
  },
  'a device rotating to a new certificate': async (pipeline, [fleet]) => {
    const ca = fleet as FleetCa;
    const deviceId = randomAzureSphereDeviceId();
    const first = await issueFleetDevice(ca, { deviceId });
    await handleRegisteredEvent(await registerPending(pipeline, ca, first.certificatePem), pipeline.deps().deps);
    const renewed = await issueFleetDevice(ca, { deviceId });
    return {
      event: await registerPending(pipeline, ca, renewed.certificatePem),
      expectActive: true,
    };
  },
  "another tenant's CA claiming an onboarded device": async (pipeline, [fleet, other]) => {
    const deviceId = randomAzureSphereDeviceId();
    const owner = await issueFleetDevice(fleet as FleetCa, { deviceId });
    await handleRegisteredEvent(
      await registerPending(pipeline, fleet as FleetCa, owner.certificatePem),
      pipeline.deps().deps,
    );
    const claim = await issueFleetDevice(other as FleetCa, { deviceId });
    return {
      event: await registerPending(pipeline, other as FleetCa, claim.certificatePem),
      expectActive: false,
    };
  },
};

// Kill the onboarding Lambda after each step of its workflow, let the event end in the dead-letter queue, run
// `jitr replay`: at no point may a certificate be ACTIVE without its Thing and policy, and the replay finishes the job.
describe('a crash at every step of the workflow, then jitr replay', () => {
  const pipeline = withPipeline([
    {
      profile: 'azure-sphere',
      tenantId: '7a7a7a7a-0000-4000-8000-000000000001',
    },
    {
      profile: 'azure-sphere',
      tenantId: '7a7a7a7a-0000-4000-8000-000000000002',
    },
  ]);

  it.each(Object.keys(scenarios))(
    '%s: never ACTIVE without Thing and policy, and replay completes it',
    async (name) => {
      const { clients, emulator, fleets } = pipeline.current;
      const queueUrl = (await queueUrlOf(clients.sqs, deadLetterQueueName(DEFAULT_STAGE))) ?? '';
      const crashPoints: number[] = [];
      for (let k = 1; k < 40; k++) {
        const { event, expectActive } = await (scenarios[name] as Scenario)(pipeline.current, fleets);
        const { deps } = pipeline.current.deps();
        let crashed: Error | undefined;
        try {
          await handleRegisteredEvent(event, {
            ...deps,
            iot: killedAfter(deps.iot, k),
          });
        } catch (error) {
          crashed = error as Error;
        }
        expect(activeWithoutAttachments(emulator)).toEqual([]);
        if (!crashed) break;
        expect(crashed.name).toBe('Killed');
        crashPoints.push(k);
        await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: onFailureRecord(event, crashed),
          }),
        );

        const replayed = await replay(clients, {
          stage: DEFAULT_STAGE,
          max: 10,
        });

        expect(replayed).toMatchObject({ examined: 1, succeeded: 1, kept: 0 });
        expect(activeWithoutAttachments(emulator)).toEqual([]);
        const id = (event as { certificateId: string }).certificateId;
        expect(emulator.store.getCertificate(id)?.status).toBe(expectActive ? 'ACTIVE' : 'REVOKED');
      }
      // The workflow was killed at every one of its steps before the run that completed.
      expect(crashPoints.length).toBeGreaterThanOrEqual(2);
      expect(crashPoints).toEqual(crashPoints.map((_, i) => i + 1));
    },
    120_000,
  );
});
