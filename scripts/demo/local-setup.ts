import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { FleetCa } from '../../certs/fleet.js';
import { LOCAL_OPERATOR_CREDENTIALS } from '../../local/iam/identities.js';
import { clientsFromEnv, type OperatorClients, type RetryOverride } from '../aws/clients.js';
import { DEFAULT_STAGE, deadLetterQueueName } from '../operator/deployment.js';
import { type PreconfigureResult, preconfigure } from '../operator/preconfigure.js';

/** Where the emulator's control plane listens, as `startLocal` returns it. */
export interface LocalControlPlane {
  controlPlane: string;
  region: string;
}

/** Operator SDK clients pointed at the emulator, as its operator identity (docs/operator-policy.json). */
export function localClients(local: LocalControlPlane, retry?: RetryOverride): OperatorClients {
  return clientsFromEnv(
    {
      AWS_ENDPOINT_URL: local.controlPlane,
      AWS_REGION: local.region,
      AWS_ACCESS_KEY_ID: LOCAL_OPERATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_OPERATOR_CREDENTIALS.secretAccessKey,
    },
    retry,
  );
}

/**
 * What `serverless deploy` leaves in an account and preconfigure checks for: the stage's dead-letter queue. (The
 * emulator runs the functions of serverless.yml as they are; only the queue has to exist before the first invocation.)
 */
export async function deployStackQueue(clients: OperatorClients, stage = DEFAULT_STAGE): Promise<void> {
  await clients.sqs.send(new CreateQueueCommand({ QueueName: deadLetterQueueName(stage) }));
}

/** `jitr preconfigure --ca-cert ... --ca-key ... --profile P [--tenant-id T]` for a fleet CA held in memory. */
export function preconfigureFleet(
  clients: OperatorClients,
  fleet: FleetCa,
  options: { label?: string; tenantId?: string } = {},
): Promise<PreconfigureResult> {
  const tenantId = options.tenantId ?? fleet.tenantId;
  return preconfigure(clients, {
    caCertificate: fleet.certificatePem,
    caKey: fleet.privateKeyPem,
    profile: fleet.profile,
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
  });
}
