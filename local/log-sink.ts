import { Writable } from 'node:stream';

/** One event of the emulator: `component` names the part (gateway, iam, http-api); never carries key material. */
export interface EmulatorEvent {
  component: string;
  event: string;
  code?: string;
  [field: string]: unknown;
}

/**
 * Where the emulator's output goes. `event` receives every event of every component; `functionLogs` receives the
 * Lambda functions' console output (CloudWatch Logs in AWS) as `[<function>] <line>` lines. A caller that gives
 * neither gets `stderrSink()`; tests give a capture, `jitr local start` a log file.
 */
export interface EmulatorLogSink {
  event(line: EmulatorEvent): void;
  functionLogs: Writable;
}

/** Log events a user running the emulator should always see (the rest is per-connection detail for JITR_DEBUG). */
const NOTABLE = new Set([
  'rule-error',
  'lambda-error',
  'lambda-start-failed',
  'lambda-retries-exhausted',
  'lambda-stopped',
  'lambda-destination-missing',
  'lambda-disabled',
  'policy-problem',
  'listener-failed',
  'server-error',
  'access-denied',
  'http-api-disabled',
  'http-api-error',
  'http-api-function-error',
]);

export function isNotable(line: { event: string }): boolean {
  return NOTABLE.has(line.event);
}

/** A Writable that hands over each complete line written to it (a partial line waits for its end). */
export function lineWriter(onLine: (line: string) => void): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const pieces = (partial + chunk.toString()).split('\n');
      partial = pieces.pop() ?? '';
      for (const line of pieces) if (line) onLine(line);
      done();
    },
    final(done) {
      if (partial) onLine(partial);
      partial = '';
      done();
    },
  });
}

/**
 * The emulator as a library used on its own: notable events as JSON lines, and the functions' output, on stderr
 * (every event with JITR_DEBUG set). Whoever embeds it quietly passes a sink of its own.
 */
export function stderrSink(stream: NodeJS.WritableStream = process.stderr): EmulatorLogSink {
  return {
    event(line) {
      if (process.env.JITR_DEBUG || isNotable(line)) stream.write(`${JSON.stringify(line)}\n`);
    },
    functionLogs: lineWriter((line) => stream.write(`${line}\n`)),
  };
}
