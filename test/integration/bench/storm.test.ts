import { describe, expect, it } from 'vitest';
import { runStorm } from '../../../bench/storm/run.js';

// The storm benchmark is not run by `npm test` (bench/ never is), but it must keep working: IAM turned on by default once
// broke its setup unnoticed. A handful of devices at a generous quota exercise every part of it, the devices' thread too.
describe('bench:storm', () => {
  it('boots a small fleet through the whole pipeline and reports what it cost', async () => {
    // The benchmark leaves the emulator's events on stderr (its progress and the lines it does not tally): read here.
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(chunk.toString());
      return true;
    }) as typeof process.stderr.write;
    const result = await runStorm({
      devices: 4,
      quotaScale: 100,
      seed: 7,
      concurrency: 2,
      connectConcurrency: 4,
      timeoutMs: 60_000,
      drainMs: 10_000,
      profile: 'generic',
    }).finally(() => {
      process.stderr.write = write;
    });
    const events = stderr
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{"component"'));
    expect(
      events.filter((line) => !line.includes('"lambda-stopped"')),
      stderr.join(''),
    ).toEqual([]);
    expect(result).toMatchObject({ devices: 4, online: 4, lost: 0, stuckPending: 0 });
    expect(result.describeCertificatePerDevice).toBe(1);
    expect(result.updateCertificatePerDevice).toBe(1);
    expect(result.detail.invocations.onboarded).toBe(4);
    expect(result.cpu.pipelineS).toBeGreaterThan(0);
    // Every certificate was activated before its device came online.
    expect(result.activation?.lastS).toBeGreaterThanOrEqual(result.activation?.firstS ?? Number.NaN);
    expect(result.activation?.tailS).toBeGreaterThanOrEqual(0);
    expect(result.activation?.lastS).toBeLessThanOrEqual(result.durationS);
    if (process.platform === 'linux') expect(result.cpu.byThreadS?.devices).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
