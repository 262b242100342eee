import { describe, expect, it } from 'vitest';
import { tallyHandlerLines } from '../../../bench/storm/handler-tally.js';

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

describe('tallyHandlerLines', () => {
  it('counts JSON handler lines by function and decision or error, and lets every other line through', () => {
    const { stream, written } = fakeStream();
    const original = stream.write;
    const tally = tallyHandlerLines(stream);

    stream.write('[jitr-dev-onboard] {"decision":"onboarded"}\n[jitr-dev-onboard] {"decision":"dup');
    stream.write('licate"}\n[jitr-dev-onboard] {"level":"ERROR","code":"AWS_Throttling"}\n');
    stream.write('[jitr-dev-onboard] {"decision":"onboarded"}\n[jitr-dev-onboard] {broken}\n');
    stream.write('[jitr-dev-onboard] plain text from the handler\nstorm: 10/10 online\n');
    tally.restore();

    expect(tally.counts).toEqual({
      'jitr-dev-onboard': { onboarded: 2, duplicate: 1, 'error:AWS_Throttling': 1, unparsed: 1 },
    });
    expect(written.join('')).toBe('[jitr-dev-onboard] plain text from the handler\nstorm: 10/10 online\n');
    expect(stream.write).toBe(original);
  });
});
