import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createFleetCa, type FleetCa } from '../../certs/fleet.js';
import { LOCAL_OPERATOR_CREDENTIALS } from '../../local/iam/identities.js';
import { startLocal } from '../../local/server.js';
import { destroyClients } from '../aws/clients.js';
import type { CommandOutcome } from '../cli/command.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { type Progress, simulateFleet } from '../simulator/fleet.js';
import { issueSimulatedDevices } from '../simulator/identities.js';
import type { DeviceResult } from '../simulator/model.js';
import type { MqttTarget } from '../simulator/mqtt-session.js';
import { storeLookup } from '../simulator/registry.js';
import type { SimulationReport } from '../simulator/summary.js';
import { type BadDevice, expiredDevice, takeoverAttempt, wrongTenantDevice } from './bad-devices.js';
import { collectHandlerLogs, type DecisionLine } from './handler-logs.js';
import { deployStackQueue, localClients, preconfigureFleet } from './local-setup.js';

export interface DemoOptions {
  /** Good devices, split between the Azure Sphere tenant and the Microchip signer. */
  devices: number;
  /** Lambda containers the emulator may run at once (a 2-core laptop does best with few). */
  lambdaConcurrency?: number;
  timeoutMs?: number;
  say: (line: string) => void;
  progress?: (progress: Progress) => void;
}

export interface TrustedCaSummary {
  role: string;
  profile: string;
  certificateId: string;
  tenantId?: string;
  preconfigure: string;
}

export interface BadVerdict {
  label: string;
  story: string;
  outcome: DeviceResult['outcome'];
  reason?: string;
  /** Why the onboarding Lambda decided as it did, from its decision log line. */
  onboardReasons?: string[];
}

export interface DemoResult {
  fleet: SimulationReport;
  bad: SimulationReport;
  verdicts: BadVerdict[];
  rightfulOwnerOnline: boolean;
  cas: TrustedCaSummary[];
  status: CommandOutcome;
  /** Every good device online, every bad one rejected, the rightful owner still online. */
  ok: boolean;
  durationMs: number;
  /** What the emulator and its Lambdas logged (events as JSON, `[<function>] <line>`), kept off the terminal. */
  emulatorLog: string[];
}

/**
 * The whole mission on the local emulator, in-process: deploy, trust an Azure Sphere tenant CA and a Microchip signer
 * (plus a second tenant) with `preconfigure`, boot a mixed fleet, then the bad devices, then `jitr status`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  if (!existsSync('serverless.yml')) {
    throw new CliError(
      'NOT_IN_PROJECT',
      'run the demo from the project directory: the emulator runs the functions of ./serverless.yml',
      ExitCode.usage,
    );
  }
  const emulatorLog: string[] = [];
  const capture = collectHandlerLogs((line) => emulatorLog.push(line));
  const emulator = await startLocal({
    concurrency: options.lambdaConcurrency ?? 2,
    logs: { event: (line) => emulatorLog.push(JSON.stringify(line)), functionLogs: capture.functionLogs },
  });
  const clients = localClients(emulator);
  try {
    options.say(`Local AWS IoT Core: control plane ${emulator.controlPlane}, MQTT ${emulator.mqtt}`);
    await deployStackQueue(clients);

    const [sphere, chip, secondTenant] = await Promise.all([
      createFleetCa('azure-sphere'),
      createFleetCa('microchip'),
      createFleetCa('azure-sphere'),
    ]);
    const cas: TrustedCaSummary[] = [];
    const trust = async (role: string, fleet: FleetCa) => {
      const result = await preconfigureFleet(clients, fleet, { label: role });
      const changed = result.steps.filter((step) => step.action !== 'unchanged').map((step) => step.step);
      cas.push({
        role,
        profile: fleet.profile,
        certificateId: result.caCertificateId,
        ...(fleet.tenantId !== undefined ? { tenantId: fleet.tenantId } : {}),
        preconfigure: changed.length > 0 ? `set up ${changed.join(', ')}` : 'unchanged',
      });
      options.say(
        `preconfigure ${role} (${fleet.profile}) ${result.caCertificateId.slice(0, 12)}…: ${cas.at(-1)?.preconfigure}`,
      );
    };
    // One at a time: they share the device policy and the fleet configuration document.
    await trust('sphere-tenant', sphere);
    await trust('microchip-signer', chip);
    await trust('second-tenant', secondTenant);

    const target: MqttTarget = {
      url: emulator.mqtt,
      servername: emulator.iotEndpoint,
      caPem: readFileSync(emulator.serverCa, 'utf8'),
    };
    const sphereCount = Math.ceil(options.devices / 2);
    const [sphereDevices, chipDevices] = await Promise.all([
      issueSimulatedDevices(sphere, sphereCount),
      issueSimulatedDevices(chip, options.devices - sphereCount),
    ]);
    // Half the Microchip boards send their signer in the handshake, half do not: both must onboard.
    chipDevices.forEach((device, index) => {
      device.presentsCa = index % 2 === 0;
    });
    const common = {
      target,
      certificateState: storeLookup(emulator.store),
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.progress ? { onProgress: options.progress } : {}),
    };
    options.say(`Booting ${options.devices} devices (${sphereCount} azure-sphere, ${chipDevices.length} microchip)`);
    const fleet = await simulateFleet({ devices: [...sphereDevices, ...chipDevices], ...common });

    const victim = sphereDevices[0];
    if (!victim) throw new Error('the demo needs at least one device');
    const bad: BadDevice[] = [
      await expiredDevice(sphere),
      await takeoverAttempt(secondTenant, victim.identity.deviceId),
      await wrongTenantDevice(),
    ];
    const owner = { identity: victim.identity, label: 'rightful owner' };
    options.say(`Booting ${bad.length} bad devices, and the rightful owner of the claimed device id again`);
    const badRun = await simulateFleet({ devices: [...bad.map((entry) => entry.device), owner], ...common });

    // A revoked device hears of it from its connection, maybe before the Lambda's decision line is in.
    for (const result of badRun.results) {
      if (result.reason === 'CERTIFICATE_REVOKED') await capture.decided(result.certificateId, 10_000);
    }
    const verdicts = bad.map((entry) => verdictOf(entry, badRun, capture.decisions));
    const rightfulOwnerOnline = badRun.results.some((r) => r.label === 'rightful owner' && r.outcome === 'online');
    const status = await statusOf(emulator);
    const ok =
      fleet.boot.online === options.devices &&
      verdicts.every((verdict) => verdict.outcome === 'rejected') &&
      rightfulOwnerOnline;
    const durationMs = Date.now() - started;
    return { fleet, bad: badRun, verdicts, rightfulOwnerOnline, cas, status, ok, durationMs, emulatorLog };
  } finally {
    destroyClients(clients);
    await emulator.stop();
  }
}

function verdictOf(entry: BadDevice, run: SimulationReport, decisions: Map<string, DecisionLine>): BadVerdict {
  const result = run.results.find((r) => r.certificateId === entry.device.identity.certificateId);
  const decision = decisions.get(entry.device.identity.certificateId);
  return {
    label: entry.device.label ?? '',
    story: entry.story,
    outcome: result?.outcome ?? 'failed',
    ...(result?.reason !== undefined ? { reason: result.reason } : {}),
    ...(decision && decision.reasons.length > 0 ? { onboardReasons: decision.reasons } : {}),
  };
}

/** `jitr status` against the emulator, run in-process exactly as the CLI runs it. */
async function statusOf(emulator: { controlPlane: string; region: string }): Promise<CommandOutcome> {
  const { command } = await import('../commands/status.js');
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  return command.run({
    values: {},
    positionals: [],
    json: false,
    io: {
      stdout: quiet,
      stderr: quiet,
      env: {
        AWS_ENDPOINT_URL: emulator.controlPlane,
        AWS_REGION: emulator.region,
        AWS_ACCESS_KEY_ID: LOCAL_OPERATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_OPERATOR_CREDENTIALS.secretAccessKey,
      },
    },
  });
}
