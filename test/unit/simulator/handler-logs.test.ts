import { describe, expect, it } from 'vitest';
import { collectHandlerLogs, parseDecisionLine } from '../../../scripts/demo/handler-logs.js';

const decision = (certificateId: string, reasons: string[]) =>
  `[jitr-dev-onboard] ${JSON.stringify({ level: 'INFO', decision: 'rejected', reasons, certificateId, thingName: 't' })}`;

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

describe('collectHandlerLogs', () => {
  it('records the decisions of the lines written to it, whole lines only, and hands every line on', async () => {
    const seen: string[] = [];
    const capture = collectHandlerLogs((line) => seen.push(line));

    capture.functionLogs.write(`${decision('c1', ['EXPIRED']).slice(0, 30)}`);
    capture.functionLogs.write(`${decision('c1', ['EXPIRED']).slice(30)}\n[jitr-dev-onboard] noise\n`);
    capture.functionLogs.write(decision('c2', []));
    await new Promise<void>((resolve) => capture.functionLogs.end(resolve));

    expect(capture.decisions.get('c1')?.reasons).toEqual(['EXPIRED']);
    expect(capture.history('c2')).toHaveLength(1);
    expect(capture.lines()).toBe(3);
    expect(seen).toEqual([decision('c1', ['EXPIRED']), '[jitr-dev-onboard] noise', decision('c2', [])]);
  });

  it('keeps the decision that counts: a duplicate logged after it does not replace it, one logged first does', async () => {
    const capture = collectHandlerLogs();
    const line = (certificateId: string, decisionName: string, reasons: string[]) =>
      `[jitr-dev-onboard] ${JSON.stringify({ decision: decisionName, reasons, certificateId })}\n`;

    capture.functionLogs.write(line('c1', 'rejected', ['THING_BOUND_TO_OTHER_CA']));
    capture.functionLogs.write(line('c1', 'duplicate', ['REGISTRATION_HANDLED']));
    capture.functionLogs.write(line('c2', 'duplicate', ['REGISTRATION_IN_PROGRESS']));
    await new Promise<void>((resolve) => capture.functionLogs.end(resolve));

    expect(capture.decisions.get('c1')?.reasons).toEqual(['THING_BOUND_TO_OTHER_CA']);
    expect(capture.history('c1').map((entry) => entry.decision)).toEqual(['rejected', 'duplicate']);
    expect(capture.decisions.get('c2')?.decision).toBe('duplicate');
  });

  it('decided() waits for a decision that is not a duplicate, and gives what it has when the time is up', async () => {
    const capture = collectHandlerLogs();
    const line = (decisionName: string, reasons: string[]) =>
      `[jitr-dev-onboard] ${JSON.stringify({ decision: decisionName, reasons, certificateId: 'c1' })}\n`;
    const waiting = capture.decided('c1', 5_000);

    capture.functionLogs.write(line('duplicate', ['REGISTRATION_IN_PROGRESS']));
    capture.functionLogs.write(line('rejected', ['THING_BOUND_TO_OTHER_CA']));

    expect((await waiting)?.reasons).toEqual(['THING_BOUND_TO_OTHER_CA']);
    expect((await capture.decided('c1'))?.decision).toBe('rejected');
    capture.functionLogs.write(line('duplicate', ['REGISTRATION_HANDLED']).replace('c1', 'c2'));
    expect((await capture.decided('c2', 50))?.decision).toBe('duplicate');
    expect(await capture.decided('c3', 10)).toBeUndefined();
  });
});
