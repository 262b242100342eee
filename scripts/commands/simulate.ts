import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import { PROFILES } from '../../certs/profiles.js';
import { clientConfigFromEnv } from '../aws/clients.js';
import type { Command, CommandInput, CommandOutcome } from '../cli/command.js';
import { ExitCode, InputError, UsageError } from '../cli/errors.js';
import { flag, oneOf, optionalInteger, optionalString, requiredString } from '../cli/flags.js';
import { loadFleetCa } from '../simulator/ca-dir.js';
import { resolveEndpoint } from '../simulator/endpoint.js';
import { simulateFleet } from '../simulator/fleet.js';
import { issueSimulatedDevices } from '../simulator/identities.js';
import { progressReporter } from '../simulator/progress.js';
import { describeCertificateLookup } from '../simulator/registry.js';
import { renderHtmlReport } from '../simulator/report-html.js';
import { formatReport, reportDocument, type SimulationReport } from '../simulator/summary.js';
import { runVendSimulation } from '../simulator/vend-command.js';
import { stageFlag } from '../operator/stage-flags.js';

const USAGE = `Usage: jitr simulate --ca DIR --profile <azure-sphere|microchip|generic> --devices N
                     [--endpoint mqtts://host:port] [--server-ca FILE] [--concurrency C] [--timeout S]
                     [--rotate] [--report FILE.html] [--stage S] [--region R] [--json]
       jitr simulate --vend URL --devices N [--vend-mode csr|keygen] [same flags]`;

/** The SDK's usual chain; the CLI core has already pointed it at the emulator when JITR_LOCAL is set. */
function iotClient(env: NodeJS.ProcessEnv): IoTClient {
  return new IoTClient(clientConfigFromEnv(env, 'IOT'));
}

/** The report file is checked before the run, not after minutes of it: its directory exists and can be written. */
export function checkWritable(path: string): void {
  const target = existsSync(path) ? path : dirname(resolve(path));
  try {
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a directory');
    accessSync(target, constants.W_OK);
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${target} does not exist` : (error as Error).message;
    throw new InputError('FILE_UNWRITABLE', `cannot write the report ${path}: ${why}`, { cause: error });
  }
}

export function exitCodeOf(report: SimulationReport): ExitCode {
  const phases = [report.boot, ...(report.rotation ? [report.rotation] : [])];
  if (phases.some((phase) => phase.failed > 0)) return ExitCode.failure;
  if (phases.some((phase) => phase.rejected > 0)) return ExitCode.rejected;
  return ExitCode.ok;
}

async function run(input: CommandInput): Promise<CommandOutcome> {
  // vend: devices without a fleet CA, provisioned through the HTTP endpoint (scripts/simulator/vend-command.ts).
  if (optionalString(input, 'vend') !== undefined) return runVendSimulation(input);
  const profile = oneOf(input, 'profile', PROFILES);
  if (!profile) throw new UsageError(`--profile is required\n${USAGE}`);
  const caDir = requiredString(input, 'ca');
  const devices = optionalInteger(input, 'devices', { min: 1, max: 100_000 });
  if (devices === undefined) throw new UsageError(`--devices is required\n${USAGE}`);
  const concurrency = optionalInteger(input, 'concurrency', { min: 1, max: 10_000 }) ?? 50;
  const timeoutS = optionalInteger(input, 'timeout', { min: 1, max: 86_400 }) ?? 60;
  const reportPath = optionalString(input, 'report');
  if (reportPath !== undefined) checkWritable(reportPath);
  const stage = stageFlag(input);
  const endpointFlag = optionalString(input, 'endpoint');
  const serverCaPath = optionalString(input, 'server-ca');
  const fleet = loadFleetCa(caDir, profile);

  let iot: IoTClient | undefined;
  const resolved = await resolveEndpoint({
    ...(endpointFlag !== undefined ? { endpoint: endpointFlag } : {}),
    ...(serverCaPath !== undefined ? { serverCaPath } : {}),
    env: input.io.env,
    describeEndpoint: async () => {
      iot ??= iotClient(input.io.env);
      const { endpointAddress } = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
      if (!endpointAddress) throw new Error('DescribeEndpoint returned no address');
      return endpointAddress;
    },
  });
  iot ??= iotClient(input.io.env);

  const progress = progressReporter(input.io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
  input.io.stderr.write(`simulate: issuing ${devices} ${profile} device certificates\n`);
  const simulated = await issueSimulatedDevices(fleet, devices);
  const report = await simulateFleet({
    devices: simulated,
    target: resolved.target,
    concurrency,
    timeoutMs: timeoutS * 1000,
    rotate: flag(input, 'rotate'),
    certificateState: describeCertificateLookup(iot),
    onProgress: (p) => progress.update(p),
  });
  progress.done();
  iot.destroy();

  if (reportPath !== undefined) {
    try {
      writeFileSync(reportPath, renderHtmlReport(report, { caCertificateId: fleet.certificateId, profile, stage }));
    } catch (error) {
      throw new InputError('FILE_UNWRITABLE', `cannot write the report ${reportPath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const human = formatReport(report) + (reportPath !== undefined ? `\nreport: ${reportPath}` : '');
  return { data: reportDocument(report), human, exitCode: exitCodeOf(report) };
}

export const command: Command = {
  path: ['simulate'],
  summary: 'Boot a fleet of simulated devices against AWS IoT Core or the local emulator (JITR end to end)',
  usage: USAGE,
  aws: true,
  description:
    'Boots N simulated devices with certificates from the CA in DIR (ca.cert.pem + ca.key.pem, as `jitr ca create` writes), each connecting over MQTT/TLS with SNI, client id = its Thing name: dropped on first contact (JITR), reconnecting with exponential backoff and full jitter until online, then publishing telemetry to <thing>/sensors with QoS 1. A device that does not come online gets a reason and the next step (NOT_REGISTERED: run jitr preconfigure for its CA; STILL_PENDING: run jitr doctor). With --vend URL, devices without a fleet CA: each gets a claim token (in SSM for --stage), POSTs /devices to the vending endpoint (a CSR for its own key with --vend-mode csr, or a key pair with keygen), then connects the same way. Exit 0: every device online; 3: some rejected (REVOKED, never registered, refused by the endpoint); 1: some failed.',
  flags: {
    ca: 'directory with ca.cert.pem and ca.key.pem (required without --vend)',
    profile: 'azure-sphere, microchip or generic (required without --vend)',
    devices: 'how many devices to boot (required)',
    endpoint:
      "MQTT endpoint (default: the emulator in JITR_LOCAL, else AWS DescribeEndpoint iot:Data-ATS on port 8883 with Amazon's roots)",
    'server-ca': "the root that signed the endpoint's server certificate (default: the emulator's, or Amazon's)",
    concurrency: 'connection attempts in flight at once (default: 50; with --vend 20)',
    timeout: 'seconds each device has to come online, per phase (default: 60)',
    rotate: "then renew every online device's certificate (same key and device id) and reconnect (default: off)",
    report:
      'write a self-contained HTML page: the verdict, devices online over time, failures by reason (default: none)',
    vend: 'the vending endpoint (HTTP API URL): devices without a fleet CA (default: none, devices from --ca)',
    'vend-mode': 'csr: the device makes its key and sends a CSR; keygen: the endpoint makes the key (default: csr)',
    stage: 'deployment stage: where claim tokens and the fleet configuration live (default: dev)',
  },
  examples: [
    'jitr simulate --ca .jitr/ca --profile azure-sphere --devices 20 --report .jitr/sim.html',
    'jitr simulate --ca .jitr/ca --profile microchip --devices 500 --concurrency 100 --rotate --json > .jitr/sim.json',
    'jitr simulate --vend "$(jq -r .httpApi .jitr/ready.json)" --devices 5',
  ],
  options: {
    ca: { type: 'string' },
    profile: { type: 'string' },
    devices: { type: 'string' },
    endpoint: { type: 'string' },
    'server-ca': { type: 'string' },
    concurrency: { type: 'string' },
    timeout: { type: 'string' },
    rotate: { type: 'boolean' },
    report: { type: 'string' },
    vend: { type: 'string' },
    'vend-mode': { type: 'string' },
    stage: { type: 'string' },
  },
  run,
};
