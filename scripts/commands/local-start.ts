import { resolve } from 'node:path';
import type { LocalReady } from '../aws/local-ready.js';
import type { Command, CommandInput, CommandOutcome } from '../cli/command.js';
import { CliError, ExitCode, UsageError } from '../cli/errors.js';
import { flag, oneOf, optionalInteger, optionalString } from '../cli/flags.js';
import { DETACHED_ENV, startInBackground } from '../emulator/background.js';
import { localLogSink } from '../emulator/lambda-log.js';
import { DEFAULT_LOG_FILE, DEFAULT_READY_FILE, removeReadyFile, writeReadyFile } from '../emulator/ready-file.js';

const USAGE = `Usage: jitr local start [--background] [--ready-file FILE] [--log FILE] [--decisions] [--state FILE]
                        [--api-port N] [--mqtt-port N] [--region R] [--account-id ID] [--quotas aws|off]
                        [--quota-scale X] [--faults SPEC] [--seed N] [--lambda-concurrency N]
                        [--iam on|off] [--json]`;

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

function emulatorOptions(input: CommandInput) {
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
    concurrency: optionalInteger(input, 'lambda-concurrency', { min: 1, max: 1000 }),
    iam: oneOf(input, 'iam', ['on', 'off'] as const),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function backgroundSummary(ready: LocalReady & { readyFile: string; log: string }): string {
  return [
    `jitr local: the emulator runs in the background (pid ${ready.pid})`,
    `  control plane  ${ready.controlPlane}`,
    `  MQTT (TLS)     ${ready.mqtt}   server CA ${ready.serverCa}`,
    ...(ready.httpApi ? [`  HTTP API       ${ready.httpApi}`] : []),
    `  ready file     ${ready.readyFile}`,
    `  log            ${ready.log}`,
    `Point this shell at it:  eval "$(jitr local env${ready.readyFile === resolve(DEFAULT_READY_FILE) ? '' : ` --ready-file ${ready.readyFile}`})"`,
    `Stop it:                 jitr local stop${ready.readyFile === resolve(DEFAULT_READY_FILE) ? '' : ` --ready-file ${ready.readyFile}`}`,
  ].join('\n');
}

async function run(input: CommandInput): Promise<CommandOutcome> {
  const { io } = input;
  const options = emulatorOptions(input);
  const logFile = optionalString(input, 'log') ?? DEFAULT_LOG_FILE;
  const decisions = flag(input, 'decisions');
  if (flag(input, 'background')) {
    const readyFile = optionalString(input, 'ready-file') ?? DEFAULT_READY_FILE;
    const ready = await startInBackground(
      { ...input, values: { ...input.values, 'ready-file': readyFile, log: logFile } },
      { readyFile, logFile, decisions },
    );
    return { data: ready, human: backgroundSummary(ready) };
  }
  const readyFile = optionalString(input, 'ready-file');
  // Detached (--background), the terminal gets the decision summaries if asked and nothing else; in the foreground
  // it also gets one line per notable event (a Lambda error, an access denied). Everything goes to the log file.
  const detached = input.io.env[DETACHED_ENV] === '1';
  const logs = localLogSink({ logPath: logFile, terminal: io.stderr, decisions, events: !detached });
  // Its own progress lines too: detached, they go to the log even when --decisions keeps its stderr on a terminal.
  const say = (text: string) => (detached ? logs.note(text) : io.stderr.write(`${text}\n`));
  // The emulator is dev tooling: loaded only by this command, never by the others.
  const { startLocal } = await import('../../local/server.js');
  const { EmulatorError } = await import('../../local/errors.js');
  let emulator: Awaited<ReturnType<typeof startLocal>>;
  try {
    emulator = await startLocal({ ...options, logs });
  } catch (error) {
    await logs.close();
    if (error instanceof EmulatorError) throw new CliError(error.code, error.message, ExitCode.usage, { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError('PORT_IN_USE', `a port is already in use: ${(error as Error).message}`, ExitCode.usage);
    }
    throw error;
  }
  const signal = untilSignal();
  const ready: LocalReady = {
    controlPlane: emulator.controlPlane,
    mqtt: emulator.mqtt,
    serverCa: emulator.serverCa,
    region: emulator.region,
    accountId: emulator.accountId,
    httpApi: emulator.httpApi,
    pid: process.pid,
  };
  if (readyFile !== undefined) writeReadyFile(readyFile, ready);
  io.stdout.write(`${JSON.stringify(ready)}\n`);
  if (!input.json) {
    say(
      `jitr local: ready; the emulator's events and Lambda logs go to ${logFile}${decisions ? ' (a line per decision here)' : ''}; stop with Ctrl-C (SIGINT) or SIGTERM`,
    );
  }
  const received = await signal;
  say(`jitr local: ${received}, shutting down`);
  let exitCode: ExitCode = ExitCode.ok;
  try {
    const { droppedInvocations } = await emulator.stop();
    say(`jitr local: stopped; ${droppedInvocations} queued Lambda invocations dropped`);
    if (options.statePath) say(`jitr local: state saved to ${String(options.statePath)}`);
  } catch (error) {
    // stdout already carries the ready line, the command's one document: report on stderr only.
    say(`jitr local: shutdown failed: ${(error as Error).message}`);
    exitCode = ExitCode.failure;
  }
  if (readyFile !== undefined) removeReadyFile(readyFile, process.pid);
  await logs.close();
  // The ready line is this command's one document: leave without printing an outcome.
  await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
  process.exit(exitCode);
}

export const command: Command = {
  path: ['local', 'start'],
  summary: 'Run the local AWS IoT Core (control plane, TLS MQTT gateway with JITR, rules engine, Lambda runner)',
  usage: USAGE,
  description:
    'Runs the local AWS IoT Core until SIGINT or SIGTERM: the control plane (IoT, SQS, SSM, STS, DynamoDB wire formats, for the AWS SDK and CLI), the TLS MQTT gateway with just-in-time registration, the rules engine and the functions of ./serverless.yml. When ready it prints one JSON line on stdout: {"controlPlane","mqtt","serverCa","region","accountId","httpApi","pid"}, and writes the same to --ready-file (whole or not at all: written beside it, then renamed). The emulator\'s events (JSON lines) and the Lambda functions\' log lines go to --log; the terminal gets one readable line per notable event (a Lambda error, an access denied), and per onboarding decision with --decisions. With --background it returns once the emulator is ready and leaves it running, writing only to its log (and the decision lines, with --decisions); `eval "$(jitr local env)"` then points every jitr command and the AWS CLI at it, and `jitr local stop` stops it.',
  flags: {
    background: `run detached and return when ready (ready file default: ${DEFAULT_READY_FILE})`,
    'ready-file':
      'write the ready line to FILE atomically; removed on shutdown (default: none; with --background .jitr/ready.json)',
    log: `append the emulator's events and the Lambda functions' log lines to FILE (default: ${DEFAULT_LOG_FILE})`,
    decisions: 'print one line per onboarding decision on the terminal (default: off)',
    state: 'load the registry from FILE if it exists, save it there on shutdown (default: in memory only)',
    'api-port': 'control-plane port (default: a free one)',
    'mqtt-port': 'MQTT/TLS port (default: a free one)',
    region: 'the region the emulator answers for (default: us-east-1)',
    'account-id': 'the account id in ARNs (default: 000000000000)',
    quotas: 'aws: AWS IoT default API quotas (TPS), off: none (default: off)',
    'quota-scale': 'multiply every quota by X (default: 1)',
    faults:
      'inject faults: "rate=0.1,ops=UpdateCertificate|CreateThing,kinds=throttle|500|timeout|drop-event|dup-event" (default: none)',
    seed: 'seed of the fault injector, so a run repeats exactly (default: 1)',
    'lambda-concurrency': 'Lambda containers running at once (default: 10)',
    iam: 'on: authorize every request as AWS IAM does, for the identities of docs/local-iam.md; off: any credentials (default: on)',
  },
  examples: [
    'jitr local start --background --log .jitr/local.log',
    'jitr local start --ready-file .jitr/ready.json --decisions --state .jitr/state.json',
    'jitr local start --lambda-concurrency 2 --faults "rate=0.1,kinds=throttle"',
  ],
  options: {
    background: { type: 'boolean' },
    'ready-file': { type: 'string' },
    log: { type: 'string' },
    decisions: { type: 'boolean' },
    state: { type: 'string' },
    'api-port': { type: 'string' },
    'mqtt-port': { type: 'string' },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    quotas: { type: 'string' },
    'quota-scale': { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    iam: { type: 'string' },
    'lambda-concurrency': { type: 'string' },
  },
  run,
};
