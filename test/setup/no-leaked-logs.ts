import { format } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { leakedLines } from '../helpers/leaked-lines.js';

// Every test file runs with this: the emulator's events, its Lambdas' lines and structured log records belong in a
// log sink the test reads (test/helpers/emulator-logs.ts), not in the output of `make test`. A file that writes one to
// this process's stdout or stderr, or through the console, fails (the lines still show, so nothing is hidden).
const WATCHED = Symbol.for('jitr.leaked-lines');
type Watched = { [WATCHED]?: true };
const leaked: string[] = ((globalThis as { [WATCHED]?: string[] })[WATCHED] ??= []);

function watch(stream: NodeJS.WriteStream): void {
  if ((stream.write as Watched)[WATCHED]) return;
  const original = stream.write;
  const write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) leaked.push(...leakedLines(chunk.toString()));
    return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
  };
  stream.write = Object.assign(write, { [WATCHED]: true as const }) as typeof stream.write;
}

function watchConsole(): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    if ((original as Watched)[WATCHED]) continue;
    const watched = (...args: unknown[]) => {
      leaked.push(...leakedLines(format(...args)));
      original.apply(console, args);
    };
    console[method] = Object.assign(watched, { [WATCHED]: true as const });
  }
}

beforeAll(() => {
  leaked.length = 0;
  watch(process.stdout);
  watch(process.stderr);
  watchConsole();
});

afterAll(() => {
  if (leaked.length === 0) return;
  const shown = leaked.slice(0, 5).map((line) => `  ${line.slice(0, 200)}`);
  throw new Error(
    `${leaked.length} log line(s) leaked into the test output; give the emulator a log sink (test/helpers/emulator-logs.ts) and assert on what it captured:\n${shown.join('\n')}`,
  );
});
