import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createFleetCa, type FleetCa, issueFleetDevice } from '../../../certs/fleet.js';
import type { LocalEmulator } from '../../../local/server.js';
import { clientsFromEnv, type OperatorClients } from '../../../scripts/aws/clients.js';
import { preconfigure } from '../../../scripts/operator/preconfigure.js';
import { TEST_CREDENTIALS } from '../../helpers/aws.js';
import { emulatorEnv } from './cli-harness.js';

/**
 * A test's own clients, to break or inspect what the commands under test work on: the emulator's admin identity, not
 * the operator's (whose policy grants only what the jitr commands need).
 */
export function adminClients(emulator: LocalEmulator): OperatorClients {
  return clientsFromEnv({
    ...emulatorEnv(emulator),
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  });
}

/** Operator clients for the emulator, built exactly as the CLI builds them from its environment. */
export function operatorClients(emulator: LocalEmulator): OperatorClients {
  return clientsFromEnv(emulatorEnv(emulator));
}

/** What `serverless deploy` leaves behind that the emulator does not create up front: the stage's DLQ. */
export async function deployStage(emulator: LocalEmulator, stage = 'dev'): Promise<void> {
  await operatorClients(emulator).sqs.send(new CreateQueueCommand({ QueueName: `jitr-${stage}-onboard-dlq` }));
}

/** A fleet CA set up by preconfigure (in-process API, as `jitr demo` uses it). */
export async function preconfiguredCa(
  emulator: LocalEmulator,
  profile: FleetCa['profile'] = 'generic',
  options: { days?: number; stage?: string } = {},
): Promise<FleetCa> {
  const ca = await createFleetCa(profile, options.days !== undefined ? { days: options.days } : {});
  await preconfigure(operatorClients(emulator), {
    caCertificate: ca.certificatePem,
    caKey: ca.privateKeyPem,
    profile,
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
  });
  return ca;
}

/** A device onboarded the way the Lambda leaves it: thing, policy, certificate ACTIVE. */
export async function onboardedDevice(emulator: LocalEmulator, ca: FleetCa) {
  const device = await issueFleetDevice(ca, {});
  const store = emulator.store;
  const record = store.autoRegisterCertificate({
    certificatePem: device.certificatePem,
    caCertificateId: ca.certificateId,
    now: Date.now(),
  });
  const now = Date.now();
  store.putThing({
    thingName: device.thingName,
    thingId: `id-${device.thingName}`,
    thingArn: store.thingArn(device.thingName),
    attributes: { jitr_ca: ca.certificateId, jitr_profile: ca.profile },
    version: 1,
    creationDate: now,
  });
  store.attachThingPrincipal(device.thingName, record.certificateArn, true);
  store.attachPolicy('jitr-device', record.certificateArn);
  store.setCertificateStatus(device.certificateId, 'ACTIVE', now);
  return device;
}
