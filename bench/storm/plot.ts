/** A small SVG step plot of devices online over time, written from a run's samples (no plotting library). */
export interface PlotPoint {
  atMs: number;
  online: number;
}

export interface PlotOptions {
  title: string;
  devices: number;
  /** Dashed reference line: the devices the quota bound would have onboarded by each instant. */
  boundPerSecond?: number;
  /** Vertical markers (e.g. "reconcile", "replay"), in ms from the start. */
  marks?: { atMs: number; label: string }[];
  width?: number;
  height?: number;
}

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const steps = [1, 2, 5, 10];
  return (steps.find((s) => s * magnitude >= raw) ?? 10) * magnitude;
}

export function onlinePlotSvg(points: readonly PlotPoint[], options: PlotOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 360;
  const margin = { left: 60, right: 20, top: 36, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const endMs = Math.max(1000, ...points.map((p) => p.atMs), ...(options.marks ?? []).map((m) => m.atMs));
  const maxY = Math.max(1, options.devices);
  const x = (ms: number) => margin.left + (ms / endMs) * plotW;
  const y = (n: number) => margin.top + plotH - (n / maxY) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13">${escapeXml(options.title)}</text>`,
  );
  const xStep = niceStep(endMs / 1000, 8);
  for (let s = 0; s <= endMs / 1000 + 1e-9; s += xStep) {
    const px = x(s * 1000).toFixed(1);
    out.push(`<line x1="${px}" y1="${margin.top}" x2="${px}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${px}" y="${margin.top + plotH + 16}" text-anchor="middle">${Number(s.toFixed(3))}</text>`);
  }
  const yStep = niceStep(maxY, 5);
  for (let n = 0; n <= maxY + 1e-9; n += yStep) {
    const py = y(n).toFixed(1);
    out.push(`<line x1="${margin.left}" y1="${py}" x2="${margin.left + plotW}" y2="${py}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${n}</text>`);
  }
  out.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle">seconds since the fleet powered on</text>`,
    `<text x="14" y="${margin.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${margin.top + plotH / 2})">devices online</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  if (options.boundPerSecond !== undefined) {
    const reachMs = (options.devices / options.boundPerSecond) * 1000;
    const endX = Math.min(reachMs, endMs);
    out.push(
      `<polyline fill="none" stroke="#c33" stroke-dasharray="5,4" points="${x(0).toFixed(1)},${y(0).toFixed(1)} ${x(endX).toFixed(1)},${y((endX / 1000) * options.boundPerSecond).toFixed(1)}${reachMs < endMs ? ` ${x(endMs).toFixed(1)},${y(options.devices).toFixed(1)}` : ''}"/>`,
      `<text x="${(x(endX) - 4).toFixed(1)}" y="${(y(Math.min(options.devices, (endX / 1000) * options.boundPerSecond)) - 6).toFixed(1)}" text-anchor="end" fill="#c33">quota bound ${options.boundPerSecond}/s</text>`,
    );
  }
  for (const mark of options.marks ?? []) {
    const px = x(mark.atMs).toFixed(1);
    out.push(
      `<line x1="${px}" y1="${margin.top}" x2="${px}" y2="${margin.top + plotH}" stroke="#36c" stroke-dasharray="2,3"/>`,
      `<text x="${px}" y="${margin.top + 12}" fill="#36c" transform="rotate(-90 ${px} ${margin.top + 12})" text-anchor="end">${escapeXml(mark.label)}</text>`,
    );
  }
  const path: string[] = [];
  let previous = 0;
  for (const point of points) {
    path.push(
      `${x(point.atMs).toFixed(1)},${y(previous).toFixed(1)}`,
      `${x(point.atMs).toFixed(1)},${y(point.online).toFixed(1)}`,
    );
    previous = point.online;
  }
  path.push(`${x(endMs).toFixed(1)},${y(previous).toFixed(1)}`);
  out.push(`<polyline fill="none" stroke="#2a7" stroke-width="2" points="${path.join(' ')}"/>`, '</svg>');
  return `${out.join('\n')}\n`;
}

/** Downsamples a step function to at most `max` points, keeping the last value of each bucket. */
export function downsample(points: readonly PlotPoint[], max = 400): PlotPoint[] {
  if (points.length <= max) return [...points];
  const end = points[points.length - 1]?.atMs ?? 0;
  const bucket = end / max;
  const kept = new Map<number, PlotPoint>();
  for (const point of points) kept.set(Math.floor(point.atMs / bucket), point);
  return [...kept.values()];
}
