import type { DeviceResult } from './model.js';
import { nextStepFor } from './next-steps.js';
import { escapeHtml, onlineChart, timeToOnlineChart } from './report-charts.js';
import { onlineTimeline } from './stats.js';
import type { PhaseSummary, SimulationReport } from './summary.js';

export { escapeHtml, onlineChart, timeToOnlineChart } from './report-charts.js';

/** What the run was about, for the verdict at the top of the page (each optional: `--vend` has no CA). */
export interface ReportContext {
  caCertificateId?: string;
  profile?: string;
  stage?: string;
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, no external assets) describing one simulation run. */

const HEADERS = ['phase', 'devices', 'online', 'rejected', 'failed', 'p50 s', 'p90 s', 'p99 s', 'max s', 'reconnects'];

function summaryRow(name: string, s: PhaseSummary): string {
  const t = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(2));
  const cells = [
    name,
    s.devices,
    s.online,
    s.rejected,
    s.failed,
    t(s.timeToOnlineMs?.p50),
    t(s.timeToOnlineMs?.p90),
    t(s.timeToOnlineMs?.p99),
    t(s.timeToOnlineMs?.max),
    s.reconnects,
  ];
  return `<tr>${cells.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`;
}

function phasesOf(report: SimulationReport): [string, PhaseSummary][] {
  return [['boot', report.boot], ...(report.rotation ? [['rotate', report.rotation] as [string, PhaseSummary]] : [])];
}

/** PASS when every device of every phase came online. */
function verdict(report: SimulationReport, context: ReportContext): string {
  const phases = phasesOf(report);
  const pass = phases.every(([, s]) => s.online === s.devices);
  const facts: [string, string | undefined][] = [
    ['CA', context.caCertificateId],
    ['profile', context.profile],
    ['stage', context.stage],
    ['endpoint', report.endpoint],
    ['started', report.startedAt],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  const counts = phases
    .map(([name, s]) => `${name}: ${s.online}/${s.devices} online, ${s.rejected} rejected, ${s.failed} failed`)
    .join('; ');
  return `<section class="verdict ${pass ? 'pass' : 'fail'}"><h1>${pass ? 'PASS' : 'FAIL'}: ${escapeHtml(counts)}</h1>
<dl>${facts
    .filter((fact): fact is [string, string] => fact[1] !== undefined)
    .map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd class="id">${escapeHtml(value)}</dd>`)
    .join('')}</dl></section>`;
}

/** Boot and rotate apart: one histogram per phase that has devices online; a sentence instead of an empty chart. */
function timeToOnlineSection(report: SimulationReport): string {
  return phasesOf(report)
    .map(([name]) => {
      const samples = report.results.flatMap((r) =>
        r.phase === name && r.timeToOnlineMs !== undefined ? [r.timeToOnlineMs] : [],
      );
      return samples.length > 0
        ? timeToOnlineChart(samples, 20, `Time to online, ${name} (histogram)`)
        : `<p class="empty">No device came online in the ${escapeHtml(name)} phase: no time-to-online chart.</p>`;
    })
    .join('\n');
}

function failuresByReason(problems: readonly DeviceResult[]): string {
  if (problems.length === 0) return '<p>Every device came online.</p>';
  const groups = new Map<string, DeviceResult[]>();
  for (const problem of problems) {
    const reason = problem.reason ?? '-';
    groups.set(reason, [...(groups.get(reason) ?? []), problem]);
  }
  return [...groups]
    .map(([reason, devices]) => {
      const step = nextStepFor(reason);
      const rows = devices
        .map(
          (p) =>
            `<tr><td>${escapeHtml(p.phase)}</td><td class="id">${escapeHtml(p.thingName)}</td><td>${escapeHtml(p.outcome)}</td><td>${p.attempts}</td><td>${escapeHtml(p.label ?? '')}</td></tr>`,
        )
        .join('');
      return `<section class="reason"><h3>${escapeHtml(reason)}: ${devices.length} device(s)</h3>
<p>${escapeHtml(step.means)}.</p><p class="fix">Fix: <code>${escapeHtml(step.next)}</code></p>
<table><thead><tr><th>phase</th><th>thing</th><th>outcome</th><th>attempts</th><th>label</th></tr></thead><tbody>${rows}</tbody></table></section>`;
    })
    .join('\n');
}

export function renderHtmlReport(report: SimulationReport, context: ReportContext = {}): string {
  const rows = phasesOf(report).map(([name, s]) => summaryRow(name, s));
  const problems = report.results.filter((result) => result.outcome !== 'online');
  const everOnline = report.changes.some((change) => change.delta === 1);
  const marks = (report.phases ?? []).map((phase) => ({ phase: phase.phase, startMs: phase.startMs }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jitr simulate: ${escapeHtml(report.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td.id,dd.id{text-align:left;font-family:monospace;max-width:40em;overflow-wrap:anywhere}
svg text{font-size:11px;fill:#444}.axis{stroke:#888}.line{fill:none;stroke:#1565c0;stroke-width:2}.bar{fill:#2e7d32}
.phase{stroke:#999;stroke-dasharray:4 3}.phase-label{font-weight:600}
figure{margin:1em 0}figcaption{font-weight:600}.empty{color:#666;font-style:italic}
.verdict{padding:.5em 1em;border-radius:6px}.verdict h1{margin:.2em 0;font-size:1.4em}.pass{background:#e8f5e9;border:2px solid #2e7d32}
.fail{background:#ffebee;border:2px solid #c62828}dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em;margin:.5em 0}
dt{font-weight:600}dd{margin:0}.fix code{background:#f5f5f5;padding:1px 4px}
</style></head><body>
${verdict(report, context)}
<h2>Per phase</h2>
<table><thead><tr>${HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
${everOnline ? onlineChart(onlineTimeline(report.changes), report.durationMs, marks) : '<p class="empty">No device came online: no online chart.</p>'}
${timeToOnlineSection(report)}
<h2>Devices not online (${problems.length}), by reason</h2>
${failuresByReason(problems)}
</body></html>
`;
}
