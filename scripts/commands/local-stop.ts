import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command, CommandInput, CommandOutcome } from '../cli/command.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { optionalString } from '../cli/flags.js';
import { DEFAULT_READY_FILE, isRunning, readReadyFile } from '../emulator/ready-file.js';

async function run(input: CommandInput): Promise<CommandOutcome> {
  const path = resolve(optionalString(input, 'ready-file') ?? DEFAULT_READY_FILE);
  const ready = readReadyFile(path);
  if (ready?.pid === undefined || !isRunning(ready.pid)) {
    throw new CliError('LOCAL_NOT_READY', `no running emulator has its ready file at ${path}`, ExitCode.usage);
  }
  process.kill(ready.pid, 'SIGTERM');
  // The emulator saves its state (--state) and removes its ready file before it exits.
  const deadline = Date.now() + 30_000;
  while (isRunning(ready.pid) && Date.now() < deadline) await sleep(100);
  const stopped = !isRunning(ready.pid);
  return {
    data: { pid: ready.pid, stopped },
    human: stopped ? `jitr local: stopped the emulator (pid ${ready.pid})` : `pid ${ready.pid} is still stopping`,
    exitCode: stopped ? ExitCode.ok : ExitCode.failure,
  };
}

export const command: Command = {
  path: ['local', 'stop'],
  summary: 'Stop the emulator that `jitr local start --background` started',
  usage: 'Usage: jitr local stop [--ready-file FILE] [--json]',
  description:
    'Sends SIGTERM to the emulator named by the ready file and waits until it has saved its state (--state) and exited. Exit 2 (LOCAL_NOT_READY) when no emulator runs there.',
  flags: { 'ready-file': `the ready file of the emulator to stop (default: ${DEFAULT_READY_FILE})` },
  examples: ['jitr local stop'],
  options: { 'ready-file': { type: 'string' } },
  run,
};
