import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localLogSink } from '../../../scripts/emulator/lambda-log.js';

const dir = mkdtempSync(join(tmpdir(), 'jitr-lambda-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for process.stderr that keeps what reaches the terminal. */
function terminal() {
  const seen: string[] = [];
  const stream = {
    write(chunk: string | Buffer, ...rest: unknown[]) {
      seen.push(chunk.toString());
      rest.find((arg): arg is () => void => typeof arg === 'function')?.();
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => seen.join('') };
}

const decision = JSON.stringify({
  level: 'INFO',
  message: 'onboarding decision',
  decision: 'activated',
  reasons: [],
  certificateId: 'ab'.repeat(32),
  thingName: 'sn0123456789abcdef01',
});

const lambdaError = {
  component: 'gateway',
  event: 'lambda-error',
  code: 'Runtime.ExitError',
  functionName: 'f',
  attempt: 1,
};
const connection = { component: 'gateway', event: 'connection-dropped', code: 'PENDING_ACTIVATION' };
const stopped = { component: 'gateway', event: 'lambda-stopped', code: 'INVOCATIONS_DROPPED', dropped: 0 };

describe("jitr local start's log sink", () => {
  it('writes every event and Lambda line to the log file and nothing to the terminal when detached', async () => {
    const out = terminal();
    const logPath = join(dir, 'quiet.log');
    const sink = localLogSink({ logPath, terminal: out.stream, decisions: false, events: false });

    sink.functionLogs.write(`[jitr-dev-onboard] ${decision}\n[jitr-dev-onboard] {"level":"DEBUG"}\n`);
    sink.event(lambdaError);
    sink.event(connection);
    await sink.close();

    expect(out.text()).toBe('');
    expect(readFileSync(logPath, 'utf8')).toBe(
      `[jitr-dev-onboard] ${decision}\n[jitr-dev-onboard] {"level":"DEBUG"}\n${JSON.stringify(lambdaError)}\n${JSON.stringify(connection)}\n`,
    );
  });

  it('with decisions, prints one summary line per onboarding decision on the terminal', async () => {
    const out = terminal();
    const sink = localLogSink({ logPath: join(dir, 'loud.log'), terminal: out.stream, decisions: true, events: false });

    sink.functionLogs.write(`[jitr-dev-onboard] ${decision}\n[jitr-dev-onboard] {"level":"DEBUG"}\n`);
    await sink.close();

    expect(out.text()).toBe(
      `jitr local: decision activated thing sn0123456789abcdef01  certificate ${'ab'.repeat(6)}\n`,
    );
  });

  it('in the foreground, prints one readable line per notable event, never the raw JSON', async () => {
    const out = terminal();
    const sink = localLogSink({
      logPath: join(dir, 'events.log'),
      terminal: out.stream,
      decisions: false,
      events: true,
    });

    sink.event(lambdaError);
    sink.event(connection);
    sink.event(stopped);
    await sink.close();

    expect(out.text()).toBe('jitr local: gateway lambda-error Runtime.ExitError  functionName=f attempt=1\n');
  });
});
