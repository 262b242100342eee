import { describe, expect, it } from 'vitest';
import { captureHandlerLogs, parseDecisionLine } from '../../../scripts/demo/handler-logs.js';

const decision = (certificateId: string, reasons: string[]) =>
  `[jitr-dev-onboard] ${JSON.stringify({ level: 'INFO', decision: 'rejected', reasons, certificateId, thingName: 't' })}`;

/** A stand-in for process.stderr that records what reaches the terminal. */
function fakeStream() {
  const written: string[] = [];
  const stream = {
    write(chunk: string | Buffer, callback?: () => void) {
      written.push(chunk.toString());
      callback?.();
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

describe('parseDecisionLine', () => {
  it('reads the decision, reasons and certificate of an onboarding log line', () => {
    expect(parseDecisionLine(decision('abc', ['THING_BOUND_TO_OTHER_CA']))).toEqual({
      decision: 'rejected',
      reasons: ['THING_BOUND_TO_OTHER_CA'],
      certificateId: 'abc',
      thingName: 't',
    });
  });

  it('ignores anything else: plain text, other JSON, broken JSON, unprefixed lines', () => {
    for (const line of [
      '[jitr-dev-onboard] (node:1) Warning: something',
      '[jitr-dev-onboard] {"level":"INFO","message":"cold start"}',
      '[jitr-dev-onboard] {"decision":',
      JSON.stringify({ decision: 'onboarded', reasons: [] }),
    ]) {
      expect(parseDecisionLine(line), line).toBeUndefined();
    }
  });
});

describe('captureHandlerLogs', () => {
  it('keeps handler lines off the stream, records decisions, lets everything else through, and restores', () => {
    const { stream, written } = fakeStream();
    const original = stream.write;
    const capture = captureHandlerLogs(stream);

    stream.write(`demo: booting\n${decision('c1', ['EXPIRED']).slice(0, 30)}`);
    stream.write(`${decision('c1', ['EXPIRED']).slice(30)}\n[jitr-dev-onboard] noise\n`);
    stream.write('\r[####------] 4/10 online');
    capture.restore();
    stream.write('after\n');

    expect(written.join('')).toBe('demo: booting\n\r[####------] 4/10 online' + 'after\n');
    expect(capture.decisions.get('c1')?.reasons).toEqual(['EXPIRED']);
    expect(capture.lines()).toBe(2);
    expect(stream.write).toBe(original);
  });
});
