import { table } from '../cli/output.js';
import { nextStepFor } from './next-steps.js';
import type { DeviceResult } from './model.js';
import { type OnlineChange, type Percentiles, percentiles } from './stats.js';

/** The table the issue asks for, per phase: devices, online, rejected, failed, time-to-online, reconnects. */
export interface PhaseSummary {
  devices: number;
  online: number;
  rejected: number;
  failed: number;
  /** Milliseconds from a device's first attempt to its acknowledged telemetry; absent when no device came online. */
  timeToOnlineMs?: Percentiles;
  /** Connection attempts beyond each device's first. */
  reconnects: number;
  durationMs: number;
}

export interface SimulationReport {
  startedAt: string;
  endpoint: string;
  durationMs: number;
  boot: PhaseSummary;
  /** With `rotate`: the same for the devices that renewed their certificate and reconnected. */
  rotation?: PhaseSummary;
  results: DeviceResult[];
  changes: OnlineChange[];
  /** When each phase started and ended, counted from the start of the run (marked on the report's online line). */
  phases?: { phase: 'boot' | 'rotate'; startMs: number; endMs: number }[];
}

export function summarizePhase(results: readonly DeviceResult[], durationMs: number): PhaseSummary {
  const count = (outcome: DeviceResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
  const times = results.flatMap((result) => (result.timeToOnlineMs !== undefined ? [result.timeToOnlineMs] : []));
  const ttl = percentiles(times);
  return {
    devices: results.length,
    online: count('online'),
    rejected: count('rejected'),
    failed: count('failed'),
    ...(ttl ? { timeToOnlineMs: ttl } : {}),
    reconnects: results.reduce((sum, result) => sum + Math.max(0, result.attempts - 1), 0),
    durationMs,
  };
}

/** What `--json` prints: the summary table's data, then every device that did not come online, then all results. */
export function reportDocument(report: SimulationReport) {
  return {
    endpoint: report.endpoint,
    startedAt: report.startedAt,
    ...report.boot,
    totalDurationMs: report.durationMs,
    ...(report.rotation ? { rotation: report.rotation } : {}),
    notOnline: report.results
      .filter((result) => result.outcome !== 'online')
      .map(({ phase, thingName, outcome, reason, attempts, label }) => ({
        phase,
        thingName,
        outcome,
        reason,
        attempts,
        ...(label !== undefined ? { label } : {}),
      })),
    results: report.results,
  };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(2));

/** The human summary: one row per phase, then the devices that did not come online with their reason. */
export function formatReport(report: SimulationReport, options: { maxProblems?: number } = {}): string {
  const phases: [string, PhaseSummary][] = [['boot', report.boot]];
  if (report.rotation) phases.push(['rotate', report.rotation]);
  const rows = phases.map(([name, s]) => [
    name,
    s.devices,
    s.online,
    s.rejected,
    s.failed,
    seconds(s.timeToOnlineMs?.p50),
    seconds(s.timeToOnlineMs?.p90),
    seconds(s.timeToOnlineMs?.p99),
    seconds(s.timeToOnlineMs?.max),
    s.reconnects,
  ]);
  const lines = [
    table(['phase', 'devices', 'online', 'rejected', 'failed', 'p50 s', 'p90 s', 'p99 s', 'max s', 'reconnects'], rows),
  ];
  const problems = report.results.filter((result) => result.outcome !== 'online');
  if (problems.length > 0) {
    const shown = problems.slice(0, options.maxProblems ?? 20);
    lines.push(
      '',
      table(
        ['phase', 'thing', 'outcome', 'reason', 'attempts', ...(shown.some((p) => p.label) ? ['label'] : [])],
        shown.map((p) => [
          p.phase,
          p.thingName,
          p.outcome,
          p.reason ?? '-',
          p.attempts,
          ...(shown.some((q) => q.label) ? [p.label ?? ''] : []),
        ]),
      ),
    );
    if (problems.length > shown.length) lines.push(`... and ${problems.length - shown.length} more (see --json)`);
    lines.push('', ...whatNext(problems));
  }
  lines.push('', `${report.endpoint}: ${seconds(report.durationMs)} s in all`);
  return lines.join('\n');
}

/** One paragraph per reason: how many devices, what it means, the next step. */
export function whatNext(problems: readonly DeviceResult[]): string[] {
  const byReason = new Map<string, number>();
  for (const problem of problems) byReason.set(problem.reason ?? '-', (byReason.get(problem.reason ?? '-') ?? 0) + 1);
  return [...byReason].flatMap(([reason, count]) => {
    const step = nextStepFor(reason);
    return [`${reason} (${count} device${count === 1 ? '' : 's'}): ${step.means}`, `  next: ${step.next}`];
  });
}
