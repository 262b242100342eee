import { histogram, type TimelinePoint } from './stats.js';

/** The charts of the HTML report: inline SVG, no scripts. */

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 48, right: 16, top: 20, bottom: 36 };

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

/** Where a phase of the run starts, marked on the online line. */
export interface PhaseMark {
  phase: string;
  startMs: number;
}

/** Devices online over time as a step line, with a dashed line and a label where each phase starts. */
export function onlineChart(
  points: readonly TimelinePoint[],
  durationMs: number,
  marks: readonly PhaseMark[] = [],
): string {
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
  const phaseLines = marks
    .map((mark) => {
      const x = fixed(plotX(mark.startMs / 1000, xMax));
      return `<line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${HEIGHT - PAD.bottom}" class="phase"/><text x="${x}" y="${PAD.top - 4}" class="phase-label">${escapeHtml(mark.phase)}</text>`;
    })
    .join('');
  return svg(
    'Devices online over time',
    `${axes('seconds since start', 'devices online', xMax, yMax)}${phaseLines}<path d="${path}" class="line"/>`,
  );
}

/** How long devices took to come online, in equal-width bins. */
export function timeToOnlineChart(
  samplesMs: readonly number[],
  bins = 20,
  title = 'Time to online (histogram)',
): string {
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
  return svg(title, `${axes('seconds to online', 'devices', xMax, yMax)}${bars}`);
}

export function svg(title: string, body: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}
