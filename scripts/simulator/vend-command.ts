import { SSMClient } from '@aws-sdk/client-ssm';
import { clientConfigFromEnv } from '../aws/clients.js';
import type { CommandInput, CommandOutcome } from '../cli/command.js';
import { ExitCode, UsageError } from '../cli/errors.js';
import { oneOf, optionalInteger, optionalString } from '../cli/flags.js';
import { stageFlag } from '../operator/stage-flags.js';
import { createClaimToken } from '../operator/tokens.js';
import { resolveEndpoint } from './endpoint.js';
import { progressReporter } from './progress.js';
import { formatReport, reportDocument } from './summary.js';
import { simulateVendFleet, type VendFleetReport } from './vend-fleet.js';

export const VEND_USAGE = `Usage: jitr simulate --vend URL --devices N [--vend-mode csr|keygen] [--stage S]
                     [--endpoint mqtts://host:port] [--server-ca FILE] [--concurrency C] [--timeout S] [--json]

--vend URL: devices without a fleet CA. Each gets a claim token (as \`jitr token create\` makes, in SSM for --stage),
POSTs /devices to the vending endpoint at URL (a CSR for its own key with --vend-mode csr, the default; or asks for a
key pair with keygen), then connects over MQTT/TLS as its thing name and publishes telemetry with QoS 1. The MQTT
endpoint is resolved as above; SNI and root CA default to those the endpoint returned.
Exit 0: every device online; 3: the endpoint refused some; 1: some failed.`;

function vendUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--vend must be the HTTP API URL (http(s)://host[:port][/stage]), got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--vend must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

export function vendExitCode(result: VendFleetReport): ExitCode {
  if (result.report.boot.failed > 0) return ExitCode.failure;
  if (result.provisioning.refused.length > 0 || result.report.boot.rejected > 0) return ExitCode.rejected;
  return ExitCode.ok;
}

/** `jitr simulate --vend URL ...` (the flags and exit codes of `jitr simulate`, devices from the vending endpoint). */
export async function runVendSimulation(input: CommandInput): Promise<CommandOutcome> {
  const url = vendUrl(optionalString(input, 'vend') ?? '');
  const devices = optionalInteger(input, 'devices', { min: 1, max: 100_000 });
  if (devices === undefined) throw new UsageError(`--devices is required\n${VEND_USAGE}`);
  const mode = oneOf(input, 'vend-mode', ['csr', 'keygen'] as const) ?? 'csr';
  const concurrency = optionalInteger(input, 'concurrency', { min: 1, max: 10_000 }) ?? 20;
  const timeoutS = optionalInteger(input, 'timeout', { min: 1, max: 86_400 }) ?? 60;
  const stage = stageFlag(input);
  const endpointFlag = optionalString(input, 'endpoint');
  const serverCaPath = optionalString(input, 'server-ca');
  const resolved = await resolveEndpoint({
    ...(endpointFlag !== undefined ? { endpoint: endpointFlag } : {}),
    ...(serverCaPath !== undefined ? { serverCaPath } : {}),
    env: input.io.env,
    describeEndpoint: async () => {
      throw new Error('give --endpoint (the vend response names the data endpoint, not its port)');
    },
  });
  const ssm = new SSMClient(clientConfigFromEnv(input.io.env, 'SSM'));
  const progress = progressReporter(input.io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
  input.io.stderr.write(`simulate: ${devices} devices provisioning through ${url} (${mode})\n`);
  try {
    const result = await simulateVendFleet({
      url,
      devices,
      mode,
      concurrency,
      timeoutMs: timeoutS * 1000,
      // A target's CA from JITR_LOCAL is the emulator's; otherwise the one the endpoint returns.
      target: resolved.target,
      tokenFor: async (deviceId) => (await createClaimToken(ssm, { stage, deviceId })).token,
      fleet: { onProgress: (p) => progress.update(p) },
    });
    progress.done();
    const { provisioning } = result;
    const human = [
      `vend: ${provisioning.provisioned}/${provisioning.requested} provisioned, ${provisioning.retries} retried requests`,
      ...provisioning.refused.slice(0, 20).map((r) => `  refused ${r.deviceId}: ${r.status} ${r.code}`),
      formatReport(result.report),
    ].join('\n');
    return {
      data: { vend: { url, mode, ...provisioning }, ...(reportDocument(result.report) as object) },
      human,
      exitCode: vendExitCode(result),
    };
  } finally {
    ssm.destroy();
  }
}
