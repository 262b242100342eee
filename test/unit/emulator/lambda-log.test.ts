import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { routeLambdaLogs } from '../../../scripts/emulator/lambda-log.js';

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

describe("the emulator's Lambda log lines", () => {
  it('go to the log file and never to the terminal; other lines pass through', async () => {
    const out = terminal();
    const logPath = join(dir, 'quiet.log');
    const route = routeLambdaLogs({ stderr: out.stream, logPath, decisions: false });

    out.stream.write(`[jitr-dev-onboard] ${decision}\n[jitr-dev-onboard] {"level":"DEBUG"}\n`);
    out.stream.write('jitr local: ready\n');
    await route.close();

    expect(out.text()).toBe('jitr local: ready\n');
    expect(readFileSync(logPath, 'utf8')).toBe(
      `[jitr-dev-onboard] ${decision}\n[jitr-dev-onboard] {"level":"DEBUG"}\n`,
    );
  });

  it('with decisions, print one summary line per onboarding decision on the terminal', async () => {
    const out = terminal();
    const route = routeLambdaLogs({ stderr: out.stream, logPath: join(dir, 'loud.log'), decisions: true });

    out.stream.write(`[jitr-dev-onboard] ${decision}\n[jitr-dev-onboard] {"level":"DEBUG"}\n`);
    await route.close();

    expect(out.text()).toBe(
      `jitr local: decision activated thing sn0123456789abcdef01  certificate ${'ab'.repeat(6)}\n`,
    );
  });
});
