import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll } from 'vitest';
import { createFleetCa, type FleetCa, type FleetProfile } from '../../certs/fleet.js';
import type { OnboardDeps } from '../../functions/onboard/run.js';
import { type LocalEmulator, type LocalOptions, startLocal } from '../../local/server.js';
import { clientsFromEnv, destroyClients, type OperatorClients } from '../../scripts/aws/clients.js';
import { deployStackQueue, localClients, preconfigureFleet } from '../../scripts/demo/local-setup.js';
import { DEFAULT_STAGE, fleetConfigParameterName } from '../../scripts/operator/deployment.js';
import { onboardDeps } from '../../scripts/operator/onboard-deps.js';
import { TEST_CREDENTIALS } from '../helpers/aws.js';
import { captureEmulatorLogs, type EmulatorLogCapture, printOnFailure } from '../helpers/emulator-logs.js';
import { capturedTelemetry } from '../helpers/telemetry.js';

/** A stage "deployed" on the emulator with trusted CAs, as `jitr preconfigure` leaves an account. */
export interface Pipeline {
  emulator: LocalEmulator;
  clients: OperatorClients;
  fleets: FleetCa[];
  parameter: string;
  /** What the emulator and its Lambdas logged (kept off the test output). */
  logs: EmulatorLogCapture;
  /** The onboard Lambda's dependencies, in-process, over the real SDK; decision lines go to `lines`. */
  deps(): { deps: OnboardDeps; lines: Record<string, unknown>[] };
}

/** Retries an idempotent setup step: with injected faults even the SDK's retries sometimes run out. */
export async function persist<T>(work: () => Promise<T>, tries = 8): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      return await work();
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

/**
 * Starts the emulator for the enclosing describe block and preconfigures one CA per entry (profile, optional tenant).
 * The fleet configuration is rewritten without thing-name caching surprises: what preconfigure wrote is what is read.
 */
export function withPipeline(
  cas: { profile: FleetProfile; tenantId?: string }[] | (() => Promise<FleetCa[]>),
  options: LocalOptions = {},
): { readonly current: Pipeline } {
  let current: Pipeline | undefined;
  const logs = captureEmulatorLogs();
  printOnFailure(() => logs);
  beforeAll(async () => {
    const emulator = await startLocal({ concurrency: 2, logs, ...options });
    // Scenarios are set up and inspected as the emulator's admin, deliberately: these tests are about the workflow's
    // robustness; what the operator policy allows is exercised by the CLI tests (test/integration/operator).
    const clients = clientsFromEnv({
      AWS_ENDPOINT_URL: emulator.controlPlane,
      AWS_REGION: emulator.region,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    });
    await persist(() => deployStackQueue(clients));
    const fleets =
      typeof cas === 'function'
        ? await cas()
        : await Promise.all(cas.map((ca) => createFleetCa(ca.profile, ca.tenantId ? { tenantId: ca.tenantId } : {})));
    for (const fleet of fleets) await persist(() => preconfigureFleet(clients, fleet));
    const parameter = fleetConfigParameterName(DEFAULT_STAGE);
    current = {
      emulator,
      clients,
      fleets,
      parameter,
      logs,
      deps() {
        const { telemetry, lines } = capturedTelemetry('onboard');
        return { deps: onboardDeps(clients, parameter, telemetry), lines };
      },
    };
  });
  afterAll(async () => {
    if (!current) return;
    destroyClients(current.clients);
    await current.emulator.stop();
  });
  return {
    get current(): Pipeline {
      if (!current) throw new Error('withPipeline must be called at describe level');
      return current;
    },
  };
}

/** Overwrites the stage's fleet configuration (for tests that need a setting preconfigure does not make). */
export async function putFleetConfig(pipeline: Pipeline, config: unknown): Promise<void> {
  await pipeline.clients.ssm.send(
    new PutParameterCommand({
      Name: pipeline.parameter,
      Value: JSON.stringify(config),
      Type: 'String',
      Overwrite: true,
    }),
  );
}

/** ACTIVE certificates missing their Thing or their policy: onboarding must never leave one (read from the registry). */
export function activeWithoutAttachments(emulator: LocalEmulator): string[] {
  const { store } = emulator;
  return store
    .listCertificates()
    .filter((certificate) => certificate.status === 'ACTIVE')
    .filter(
      (certificate) =>
        store.thingsForPrincipal(certificate.certificateArn).length === 0 ||
        store.policiesForPrincipal(certificate.certificateArn).length === 0,
    )
    .map((certificate) => certificate.certificateId);
}

/**
 * The registry as onboarding shapes it, for the given certificates: status, Things (with attributes) and policies of
 * each, and each Thing's principals. No timestamps or generated ids, so two registries built from the same certificates
 * compare equal when onboarding reached the same end state.
 */
export function registryView(emulator: LocalEmulator, certificateIds: readonly string[]) {
  const { store } = emulator;
  const certificates: Record<string, unknown> = {};
  const things: Record<string, unknown> = {};
  for (const id of [...certificateIds].sort()) {
    const record = store.getCertificate(id);
    if (!record) {
      certificates[id] = 'absent';
      continue;
    }
    const thingNames = store.thingsForPrincipal(record.certificateArn).sort();
    certificates[id] = {
      status: record.status,
      things: thingNames,
      policies: store
        .policiesForPrincipal(record.certificateArn)
        .map((policy) => policy.policyName)
        .sort(),
    };
    for (const name of thingNames) {
      const thing = store.getThing(name);
      things[name] = {
        attributes: thing?.attributes ?? {},
        principals: store.principalsForThing(name).sort(),
      };
    }
  }
  return { certificates, things };
}

/** Operator clients on the SDK's standard retry mode with 10 attempts (the CLI uses adaptive mode). */
export function standardClients(emulator: LocalEmulator): OperatorClients {
  return localClients(emulator, { retryMode: 'standard', maxAttempts: 10 });
}
