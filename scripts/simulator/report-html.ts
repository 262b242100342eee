import { histogram, onlineTimeline, type TimelinePoint } from './stats.js';
import type { PhaseSummary, SimulationReport } from './summary.js';

/** A self-contained HTML page (inline CSS and SVG, no scripts, no external assets) describing one simulation run. */

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 48, right: 16, top: 16, bottom: 36 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const plotX = (value: number, max: number) => PAD.left + (max > 0 ? value / max : 0) * (WIDTH - PAD.left - PAD.right);
const plotY = (value: number, max: number) =>
  HEIGHT - PAD.bottom - (max > 0 ? value / max : 0) * (HEIGHT - PAD.top - PAD.bottom);
const fixed = (n: number) => n.toFixed(1);

function axes(xLabel: string, yLabel: string, xMax: number, yMax: number): string {
  const bottom = HEIGHT - PAD.bottom;
  return [
    `<line x1="${PAD.left}" y1="${bottom}" x2="${WIDTH - PAD.right}" y2="${bottom}" class="axis"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}" class="axis"/>`,
    `<text x="${PAD.left}" y="${bottom + 16}">0</text>`,
    `<text x="${WIDTH - PAD.right}" y="${bottom + 16}" text-anchor="end">${escapeHtml(xMax.toFixed(1))}</text>`,
    `<text x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end">${yMax}</text>`,
    `<text x="${PAD.left - 6}" y="${bottom}" text-anchor="end">0</text>`,
    `<text x="12" y="${(HEIGHT - PAD.bottom + PAD.top) / 2}" transform="rotate(-90 12 ${(HEIGHT - PAD.bottom + PAD.top) / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  ].join('');
}

/** Devices online over time as a step line. */
export function onlineChart(points: readonly TimelinePoint[], durationMs: number): string {
  const xMax = Math.max(durationMs, points[points.length - 1]?.atMs ?? 0, 1) / 1000;
  const yMax = Math.max(1, ...points.map((point) => point.online));
  let path = '';
  let previous: TimelinePoint | undefined;
  for (const point of points) {
    const x = fixed(plotX(point.atMs / 1000, xMax));
    if (previous === undefined) path += `M${x},${fixed(plotY(point.online, yMax))}`;
    else path += `H${x}V${fixed(plotY(point.online, yMax))}`;
    previous = point;
  }
  path += `H${fixed(plotX(xMax, xMax))}`;
  return svg(
    'Devices online over time',
    `${axes('seconds since start', 'devices online', xMax, yMax)}<path d="${path}" class="line"/>`,
  );
}

/** How long devices took to come online, in equal-width bins. */
export function timeToOnlineChart(samplesMs: readonly number[], bins = 20): string {
  const buckets = histogram(
    samplesMs.map((ms) => ms / 1000),
    bins,
  );
  const xMax = buckets[buckets.length - 1]?.to ?? 1;
  const yMax = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const bars = buckets
    .map((bucket) => {
      const x = plotX(bucket.from, xMax);
      const width = Math.max(1, plotX(bucket.to, xMax) - x - 1);
      const y = plotY(bucket.count, yMax);
      return `<rect x="${fixed(x)}" y="${fixed(y)}" width="${fixed(width)}" height="${fixed(HEIGHT - PAD.bottom - y)}" class="bar"><title>${bucket.from.toFixed(2)}-${bucket.to.toFixed(2)} s: ${bucket.count}</title></rect>`;
    })
    .join('');
  return svg('Time to online (histogram)', `${axes('seconds to online', 'devices', xMax, yMax)}${bars}`);
}

function svg(title: string, body: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}

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

export function renderHtmlReport(report: SimulationReport): string {
  const headers = [
    'phase',
    'devices',
    'online',
    'rejected',
    'failed',
    'p50 s',
    'p90 s',
    'p99 s',
    'max s',
    'reconnects',
  ];
  const rows = [summaryRow('boot', report.boot), ...(report.rotation ? [summaryRow('rotate', report.rotation)] : [])];
  const samples = report.results.flatMap((r) => (r.timeToOnlineMs !== undefined ? [r.timeToOnlineMs] : []));
  const problems = report.results.filter((result) => result.outcome !== 'online');
  const problemRows = problems
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.phase)}</td><td class="id">${escapeHtml(p.thingName)}</td><td>${escapeHtml(p.outcome)}</td><td>${escapeHtml(p.reason ?? '-')}</td><td>${p.attempts}</td><td>${escapeHtml(p.label ?? '')}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jitr simulate: ${escapeHtml(report.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td.id{text-align:left;font-family:monospace;max-width:28em;overflow-wrap:anywhere}
svg text{font-size:11px;fill:#444}.axis{stroke:#888}.line{fill:none;stroke:#1565c0;stroke-width:2}.bar{fill:#2e7d32}
figure{margin:1em 0}figcaption{font-weight:600}
</style></head><body>
<h1>jitr simulate</h1>
<p>Endpoint ${escapeHtml(report.endpoint)}, started ${escapeHtml(report.startedAt)}, ${(report.durationMs / 1000).toFixed(1)} s in all.</p>
<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
${onlineChart(onlineTimeline(report.changes), report.durationMs)}
${timeToOnlineChart(samples)}
<h2>Devices not online (${problems.length})</h2>
${problems.length === 0 ? '<p>None.</p>' : `<table><thead><tr><th>phase</th><th>thing</th><th>outcome</th><th>reason</th><th>attempts</th><th>label</th></tr></thead><tbody>${problemRows}</tbody></table>`}
</body></html>
`;
}
