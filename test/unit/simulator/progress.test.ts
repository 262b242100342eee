import { describe, expect, it } from 'vitest';
import { progressReporter, renderProgress } from '../../../scripts/simulator/progress.js';

const state = (online: number, extra: Partial<Parameters<typeof renderProgress>[0]> = {}) => ({
  phase: 'boot' as const,
  total: 10,
  online,
  rejected: 0,
  failed: 0,
  elapsedMs: 1500,
  ...extra,
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => chunks.push(chunk) }, chunks };
}

describe('renderProgress', () => {
  it('fills the bar with devices online, not settled, and prints the counts', () => {
    expect(renderProgress(state(4, { rejected: 1 }), 10)).toBe(
      '[####------]  4/10 online  1 rejected  0 failed  boot  1.5s',
    );
    expect(renderProgress(state(0, { rejected: 10 }), 10)).toBe(
      '[----------]  0/10 online  10 rejected  0 failed  boot  1.5s',
    );
  });
});

describe('progressReporter', () => {
  it('redraws one line in place on a terminal and ends it when done', () => {
    let now = 0;
    const out = sink(true);
    const reporter = progressReporter(out.stream, { now: () => now });
    reporter.update(state(1));
    now += 50;
    reporter.update(state(2)); // within 100 ms: skipped
    now += 100;
    reporter.update(state(3));
    reporter.done();
    expect(out.chunks.filter((c) => c.startsWith('\r'))).toHaveLength(3);
    expect(out.chunks.at(-1)).toBe('\n');
    expect(out.chunks.join('')).not.toContain(' 2/10');
  });

  it('writes plain periodic lines when stderr is not a terminal', () => {
    let now = 0;
    const out = sink(false);
    const reporter = progressReporter(out.stream, { now: () => now, intervalMs: 1000 });
    for (let i = 0; i <= 10; i++) {
      reporter.update(state(i));
      now += 250;
    }
    reporter.done();
    expect(out.chunks.every((c) => c.startsWith('simulate: ') && c.endsWith('\n'))).toBe(true);
    expect(out.chunks.length).toBeLessThan(6);
    expect(out.chunks.at(-1)).toContain('10/10 online');
    expect(out.chunks.join('')).not.toContain('\r');
  });
});
