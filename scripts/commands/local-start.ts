import type { Command, CommandInput, CommandOutcome } from '../cli/command.js';
import { CliError, ExitCode, UsageError } from '../cli/errors.js';
import { oneOf, optionalInteger, optionalString } from '../cli/flags.js';

const USAGE = `Usage: jitr local start [--api-port N] [--mqtt-port N] [--region R] [--account-id ID] [--state FILE]
                        [--quotas aws|off] [--quota-scale X] [--faults SPEC] [--seed N] [--concurrency N]
                        [--iam on|off] [--json]

Runs the local AWS IoT Core until SIGINT or SIGTERM. When ready it prints one line on stdout:
  {"controlPlane":"http://127.0.0.1:P","mqtt":"mqtts://localhost:Q","serverCa":"<path>","region":"...","accountId":"...",
   "httpApi":"http://127.0.0.1:R"}   (httpApi: serverless.yml's HTTP API routes, e.g. POST /devices)
Ports default to free ones. --state loads the registry from FILE if it exists and saves it there on shutdown.
--iam on authorizes every request as AWS IAM does (docs/local-iam.md); off (the default) serves any credentials.
--faults "rate=0.1,ops=UpdateCertificate|CreateThing,kinds=throttle|500|timeout|drop-event|dup-event"`;

function quotaScale(input: CommandInput): number | undefined {
  const raw = optionalString(input, 'quota-scale');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value > 0))
    throw new UsageError(`--quota-scale must be a positive number, got "${raw}"`);
  return value;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function run(input: CommandInput): Promise<CommandOutcome> {
  const { io } = input;
  const options = {
    apiPort: optionalInteger(input, 'api-port', { min: 0, max: 65_535 }),
    mqttPort: optionalInteger(input, 'mqtt-port', { min: 0, max: 65_535 }),
    region: optionalString(input, 'region'),
    accountId: optionalString(input, 'account-id'),
    statePath: optionalString(input, 'state'),
    quotas: oneOf(input, 'quotas', ['aws', 'off'] as const),
    quotaScale: quotaScale(input),
    faults: optionalString(input, 'faults'),
    seed: optionalInteger(input, 'seed', { min: 0, max: 4_294_967_295 }),
    concurrency: optionalInteger(input, 'concurrency', { min: 1, max: 1000 }),
    iam: oneOf(input, 'iam', ['on', 'off'] as const),
  };
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  // The emulator is dev tooling: loaded only by this command, never by the others.
  const { startLocal } = await import('../../local/server.js');
  const { EmulatorError } = await import('../../local/errors.js');
  let emulator: Awaited<ReturnType<typeof startLocal>>;
  try {
    emulator = await startLocal(defined);
  } catch (error) {
    if (error instanceof EmulatorError) throw new CliError(error.code, error.message, ExitCode.usage, { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError('PORT_IN_USE', `a port is already in use: ${(error as Error).message}`, ExitCode.usage);
    }
    throw error;
  }
  const signal = untilSignal();
  const ready = {
    controlPlane: emulator.controlPlane,
    mqtt: emulator.mqtt,
    serverCa: emulator.serverCa,
    region: emulator.region,
    accountId: emulator.accountId,
    httpApi: emulator.httpApi,
  };
  io.stdout.write(`${JSON.stringify(ready)}\n`);
  if (!input.json) io.stderr.write('jitr local: ready; stop with Ctrl-C (SIGINT) or SIGTERM\n');
  const received = await signal;
  io.stderr.write(`jitr local: ${received}, shutting down\n`);
  let exitCode: ExitCode = ExitCode.ok;
  try {
    const { droppedInvocations } = await emulator.stop();
    io.stderr.write(`jitr local: stopped; ${droppedInvocations} queued Lambda invocations dropped\n`);
    if (options.statePath) io.stderr.write(`jitr local: state saved to ${options.statePath}\n`);
  } catch (error) {
    // stdout already carries the ready line, the command's one document: report on stderr only.
    io.stderr.write(`jitr local: shutdown failed: ${(error as Error).message}\n`);
    exitCode = ExitCode.failure;
  }
  // The ready line is this command's one document: leave without printing an outcome.
  await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
  process.exit(exitCode);
}

export const command: Command = {
  path: ['local', 'start'],
  summary: 'Run the local AWS IoT Core (control plane, TLS MQTT gateway with JITR, rules engine)',
  usage: USAGE,
  options: {
    'api-port': { type: 'string' },
    'mqtt-port': { type: 'string' },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    state: { type: 'string' },
    quotas: { type: 'string' },
    'quota-scale': { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    iam: { type: 'string' },
  },
  run,
};
