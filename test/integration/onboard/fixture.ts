import {
  CreatePolicyCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListThingPrincipalsCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
} from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createFleetCa, type FleetCa, type FleetProfile, issueFleetDevice } from '../../../certs/fleet.js';
import { ssmParameterReader } from '../../../functions/aws/clients.js';
import { IOT_ATTEMPTS, quotaRetryStrategy } from '../../../functions/aws/retry.js';
import { type FleetConfigInput, FleetConfigSource } from '../../../functions/fleet-config.js';
import { iotAdapter } from '../../../functions/onboard/iot-adapter.js';
import type { IotPort } from '../../../functions/onboard/port.js';
import type { OnboardDeps } from '../../../functions/onboard/run.js';
import { validateWithCerts } from '../../../functions/onboard/validator.js';
import { TtlCache } from '../../../functions/ttl-cache.js';
import type { LocalEmulator } from '../../../local/server.js';
import { ssmClientFor, TEST_CREDENTIALS } from '../../helpers/aws.js';
import { capturedTelemetry } from '../../helpers/telemetry.js';

export const POLICY_NAME = 'jitr-device';
export const PARAMETER = '/jitr/test/fleet-config';

/** The IoT client the Lambda builds (its retry strategy under the quotas), pointed at the emulator. */
export function lambdaIotClient(emulator: LocalEmulator, maxAttempts = IOT_ATTEMPTS): IoTClient {
  return new IoTClient({
    endpoint: emulator.controlPlane,
    region: emulator.region,
    credentials: TEST_CREDENTIALS,
    retryStrategy: quotaRetryStrategy(maxAttempts),
  });
}

export interface TestFleet {
  ca: FleetCa;
  caId: string;
  tenantId?: string;
}

/** A fleet CA registered with the emulator (ACTIVE, auto-registration on), as `jitr preconfigure` leaves it. */
export async function registerFleet(
  iot: IoTClient,
  profile: FleetProfile,
  options: { tenantId?: string; active?: boolean } = {},
): Promise<TestFleet> {
  const ca = await createFleetCa(profile, options.tenantId ? { tenantId: options.tenantId } : {});
  const registered = await iot.send(
    new RegisterCACertificateCommand({
      caCertificate: ca.certificatePem,
      certificateMode: 'SNI_ONLY',
      setAsActive: options.active ?? true,
      allowAutoRegistration: true,
    }),
  );
  return { ca, caId: registered.certificateId!, ...(ca.tenantId ? { tenantId: ca.tenantId } : {}) };
}

export async function ensurePolicy(iot: IoTClient): Promise<void> {
  try {
    await iot.send(
      new CreatePolicyCommand({
        policyName: POLICY_NAME,
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'iot:Connect',
              // an IoT policy variable, not a template
              Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}',
            },
          ],
        }),
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
  }
}

export function fleetEntry(fleet: TestFleet, extra: Record<string, unknown> = {}) {
  return {
    certificateId: fleet.caId,
    profile: (fleet.ca.profile as FleetProfile) ?? 'generic',
    ...(fleet.tenantId ? { tenantId: fleet.tenantId } : {}),
    policyName: POLICY_NAME,
    ...extra,
  } as FleetConfigInput['trustedCas'][number];
}

export async function writeFleetConfig(emulator: LocalEmulator, config: FleetConfigInput): Promise<void> {
  await ssmClientFor(emulator).send(
    new PutParameterCommand({ Name: PARAMETER, Value: JSON.stringify(config), Type: 'String', Overwrite: true }),
  );
}

export interface RegisteredDevice {
  certificateId: string;
  certificateArn: string;
  thingName: string;
  deviceId: string;
  event: Record<string, unknown>;
}

/** What IoT's JITR does when a device first connects: register its certificate PENDING_ACTIVATION, publish the event. */
export async function autoRegister(
  iot: IoTClient,
  emulator: LocalEmulator,
  fleet: TestFleet,
  options: { deviceId?: string; days?: number; notBefore?: Date } = {},
): Promise<RegisteredDevice> {
  const device = await issueFleetDevice(fleet.ca, options);
  return registerPending(iot, emulator, fleet, device.certificatePem, device);
}

/** Registers any certificate PENDING_ACTIVATION under the fleet's CA and builds the event IoT would publish. */
export async function registerPending(
  iot: IoTClient,
  emulator: LocalEmulator,
  fleet: TestFleet,
  certificatePem: string,
  identity: { thingName: string; deviceId: string },
): Promise<RegisteredDevice> {
  const registered = await iot.send(
    new RegisterCertificateCommand({
      certificatePem,
      caCertificatePem: fleet.ca.certificatePem,
      status: 'PENDING_ACTIVATION',
    }),
  );
  const now = Date.now();
  return {
    certificateId: registered.certificateId!,
    certificateArn: registered.certificateArn!,
    thingName: identity.thingName,
    deviceId: identity.deviceId,
    event: {
      certificateId: registered.certificateId,
      caCertificateId: fleet.caId,
      timestamp: now,
      certificateStatus: 'PENDING_ACTIVATION',
      awsAccountId: emulator.accountId,
      certificateRegistrationTimestamp: String(now),
    },
  };
}

export interface Harness {
  deps: OnboardDeps;
  /** The handler's log lines (Powertools Logger), parsed. */
  lines: Record<string, unknown>[];
  /** Its EMF documents (Powertools Metrics), parsed. */
  metrics: Record<string, unknown>[];
}

/** The onboarding Lambda's dependencies over the emulator, as handler.ts builds them, with log lines captured. */
export function harness(
  emulator: LocalEmulator,
  options: { iot?: IotPort; now?: () => number; maxAttempts?: number; service?: 'onboard' | 'reconcile' } = {},
): Harness {
  const { telemetry, lines, metrics } = capturedTelemetry(options.service ?? 'onboard');
  const deps: OnboardDeps = {
    iot: options.iot ?? iotAdapter(lambdaIotClient(emulator, options.maxAttempts)),
    config: new FleetConfigSource(PARAMETER, ssmParameterReader(ssmClientFor(emulator)), 0),
    caCache: new TtlCache(60_000),
    validate: validateWithCerts,
    now: options.now ?? Date.now,
    telemetry,
  };
  return { deps, lines, metrics };
}

/** The device's state as an operator would check it. */
export async function deviceState(iot: IoTClient, device: { certificateId: string; certificateArn: string }) {
  const { certificateDescription } = await iot.send(
    new DescribeCertificateCommand({ certificateId: device.certificateId }),
  );
  const things = await iot.send(new ListPrincipalThingsCommand({ principal: device.certificateArn }));
  const policies = await iot.send(new ListAttachedPoliciesCommand({ target: device.certificateArn }));
  return {
    status: certificateDescription?.status,
    things: things.things ?? [],
    policies: (policies.policies ?? []).map((p) => p.policyName),
  };
}

export async function thingOf(iot: IoTClient, thingName: string) {
  try {
    const thing = await iot.send(new DescribeThingCommand({ thingName }));
    const principals = await iot.send(new ListThingPrincipalsCommand({ thingName }));
    return { attributes: thing.attributes ?? {}, principals: principals.principals ?? [] };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * An adapter wrapper that "crashes" the Lambda after its k-th mutating call has reached IoT (not a stubbed SDK:
 * every call before the crash is real). Reads are never counted.
 */
export function crashAfter(port: IotPort, mutations: number): IotPort {
  const MUTATING = new Set<keyof IotPort>([
    'createThing',
    'addThingToThingGroup',
    'attachPolicy',
    'attachThingPrincipal',
    'updateCertificateStatus',
    'detachPolicy',
    'detachThingPrincipal',
    'deleteCertificate',
  ]);
  let made = 0;
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !MUTATING.has(property as keyof IotPort)) return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        made++;
        if (made >= mutations) throw new SimulatedCrash(`crashed after mutation ${made} (${String(property)})`);
        return result;
      };
    },
  });
}

export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/** Counts calls per IotPort operation. */
export function countingPort(port: IotPort): { port: IotPort; calls: Map<string, number>; total: () => number } {
  const calls = new Map<string, number>();
  const wrapped = new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { port: wrapped, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}
