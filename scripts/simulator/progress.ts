import type { Progress } from './fleet.js';

/**
 * `[#####-----]  12/50 online  1 rejected  0 failed  boot  3.2s`: one line, fixed width bar. The bar fills with devices
 * online, not with devices settled: a run where every device is rejected shows an empty bar.
 */
export function renderProgress(progress: Progress, width = 30): string {
  const filled = progress.total === 0 ? width : Math.round((progress.online / progress.total) * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(Math.max(0, width - filled))}`;
  return (
    `[${bar}] ${String(progress.online).padStart(String(progress.total).length)}/${progress.total} online` +
    `  ${progress.rejected} rejected  ${progress.failed} failed  ${progress.phase}  ${(progress.elapsedMs / 1000).toFixed(1)}s`
  );
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal (at most every 100 ms), or a plain line at most every
 * `intervalMs` otherwise (logs and CI). `done()` prints the last state and ends the line.
 */
export function progressReporter(stream: ProgressStream, options: { intervalMs?: number; now?: () => number } = {}) {
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : (options.intervalMs ?? 2_000);
  const now = options.now ?? Date.now;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let latest: Progress | undefined;
  let drawn = false;
  const draw = (progress: Progress) => {
    stream.write(tty ? `\r${renderProgress(progress)}\u001b[K` : `simulate: ${renderProgress(progress)}\n`);
    drawn = true;
    lastWrite = now();
  };
  return {
    update(progress: Progress) {
      const phaseChanged = latest !== undefined && latest.phase !== progress.phase;
      if (phaseChanged && tty && latest) {
        draw(latest);
        stream.write('\n');
      }
      latest = progress;
      if (phaseChanged || now() - lastWrite >= interval) draw(progress);
    },
    done() {
      if (latest) draw(latest);
      if (tty && drawn) stream.write('\n');
    },
  };
}
