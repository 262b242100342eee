import { readFileSync } from 'node:fs';
import { DescribeThingCommand, ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll } from 'vitest';
import { createFleetCa, type FleetCa, type FleetProfile } from '../../certs/fleet.js';
import { type LocalEmulator, type LocalOptions, startLocal } from '../../local/server.js';
import { destroyClients, type OperatorClients } from '../../scripts/aws/clients.js';
import type { HandlerLogCapture } from '../../scripts/demo/handler-logs.js';
import { deployStackQueue, localClients, preconfigureFleet } from '../../scripts/demo/local-setup.js';
import { type SimulateOptions, simulateFleet } from '../../scripts/simulator/fleet.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import type { MqttTarget } from '../../scripts/simulator/mqtt-session.js';
import { storeLookup } from '../../scripts/simulator/registry.js';
import { captureEmulatorLogs, type EmulatorLogCapture, printOnFailure } from '../helpers/emulator-logs.js';

/** A deployed pipeline on the emulator with trusted fleets, as `jitr preconfigure` leaves an account. */
export interface ZeroTouch {
  emulator: LocalEmulator;
  clients: OperatorClients;
  target: MqttTarget;
  fleets: FleetCa[];
  /** The onboarding Lambda's decisions, read from its log lines (they stay off the test output). */
  logs: HandlerLogCapture;
  /** Everything the emulator logged: its events and the Lambdas' lines. */
  emulatorLogs: EmulatorLogCapture;
  simulate(devices: SimulatedDevice[], options?: Partial<SimulateOptions>): ReturnType<typeof simulateFleet>;
}

/**
 * Starts the emulator for the enclosing describe block (two Lambda containers: a 2-core machine boots them fastest),
 * "deploys" the stack and preconfigures one CA per profile given. Usage: `const zt = withZeroTouch(['azure-sphere'])`.
 */
export function withZeroTouch(profiles: FleetProfile[], options: LocalOptions = {}): { readonly current: ZeroTouch } {
  let current: ZeroTouch | undefined;
  const emulatorLogs = captureEmulatorLogs();
  printOnFailure(() => emulatorLogs);
  beforeAll(async () => {
    const logs = emulatorLogs.handler;
    const emulator = await startLocal({ concurrency: 2, logs: emulatorLogs, ...options });
    const clients = localClients(emulator);
    await deployStackQueue(clients);
    const fleets: FleetCa[] = [];
    for (const profile of profiles) {
      const fleet = await createFleetCa(profile);
      await preconfigureFleet(clients, fleet);
      fleets.push(fleet);
    }
    const target = {
      url: emulator.mqtt,
      servername: emulator.iotEndpoint,
      caPem: readFileSync(emulator.serverCa, 'utf8'),
    };
    current = {
      emulator,
      clients,
      target,
      fleets,
      logs,
      emulatorLogs,
      simulate: (devices, extra = {}) =>
        simulateFleet({
          devices,
          target,
          certificateState: storeLookup(emulator.store),
          timeoutMs: 60_000,
          ...extra,
        }),
    };
  });
  afterAll(async () => {
    if (!current) return;
    destroyClients(current.clients);
    await current.emulator.stop();
  });
  return {
    get current(): ZeroTouch {
      if (!current) throw new Error('withZeroTouch must be called at describe level');
      return current;
    },
  };
}

/** The Thing as an operator sees it: attributes and attached principals; undefined when it does not exist. */
export async function thingState(clients: OperatorClients, thingName: string) {
  try {
    const thing = await clients.iot.send(new DescribeThingCommand({ thingName }));
    const principals = await clients.iot.send(new ListThingPrincipalsCommand({ thingName }));
    return { attributes: thing.attributes ?? {}, principals: principals.principals ?? [] };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export const certificateArn = (emulator: LocalEmulator, certificateId: string) =>
  `arn:aws:iot:${emulator.region}:${emulator.accountId}:cert/${certificateId}`;
