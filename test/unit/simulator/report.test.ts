import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlReport } from '../../../scripts/simulator/report-html.js';
import {
  formatReport,
  reportDocument,
  type SimulationReport,
  summarizePhase,
} from '../../../scripts/simulator/summary.js';

const results: SimulationReport['results'] = [
  {
    deviceId: 'a',
    thingName: 'a',
    certificateId: 'x',
    phase: 'boot',
    outcome: 'online',
    attempts: 2,
    timeToOnlineMs: 900,
    onlineAtMs: 1000,
  },
  {
    deviceId: 'b',
    thingName: 'b',
    certificateId: 'y',
    phase: 'boot',
    outcome: 'online',
    attempts: 3,
    timeToOnlineMs: 2100,
    onlineAtMs: 2200,
  },
  {
    deviceId: '<evil>',
    thingName: '<script>alert(1)</script>',
    certificateId: 'z',
    phase: 'boot',
    outcome: 'rejected',
    reason: 'CERTIFICATE_REVOKED',
    attempts: 3,
    label: 'expired',
  },
];

const report: SimulationReport = {
  startedAt: '2026-06-01T00:00:00.000Z',
  endpoint: 'mqtts://localhost:8883',
  durationMs: 3000,
  boot: summarizePhase(results, 3000),
  results,
  changes: [
    { atMs: 1000, delta: 1 },
    { atMs: 2200, delta: 1 },
    { atMs: 2900, delta: -1 },
    { atMs: 2900, delta: -1 },
  ],
};

describe('summarizePhase', () => {
  it('counts outcomes, time to online and reconnects', () => {
    expect(report.boot).toEqual({
      devices: 3,
      online: 2,
      rejected: 1,
      failed: 0,
      timeToOnlineMs: { p50: 900, p90: 2100, p99: 2100, max: 2100 },
      reconnects: 1 + 2 + 2,
      durationMs: 3000,
    });
  });
});

describe('reportDocument and formatReport', () => {
  it('puts the table data at the top level and lists what did not come online', () => {
    const document = reportDocument(report);
    expect(document).toMatchObject({ devices: 3, online: 2, rejected: 1, failed: 0, reconnects: 5 });
    expect(document.notOnline).toEqual([
      {
        phase: 'boot',
        thingName: '<script>alert(1)</script>',
        outcome: 'rejected',
        reason: 'CERTIFICATE_REVOKED',
        attempts: 3,
        label: 'expired',
      },
    ]);
  });

  it('prints the summary table and each rejected device with its reason', () => {
    const text = formatReport(report);
    expect(text).toMatch(/phase\s+devices\s+online\s+rejected\s+failed\s+p50 s\s+p90 s\s+p99 s\s+max s\s+reconnects/);
    expect(text).toMatch(/boot\s+3\s+2\s+1\s+0\s+0\.90\s+2\.10\s+2\.10\s+2\.10\s+5/);
    expect(text).toContain('CERTIFICATE_REVOKED');
  });
});

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(report);

  it('is one self-contained page: inline SVG charts, no scripts, no external references', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('Devices online over time');
    expect(html).toContain('Time to online');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  });

  it('escapes device-controlled text', () => {
    expect(html).toContain(escapeHtml('<script>alert(1)</script>'));
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('draws a bar per histogram bin with the device count in its title', () => {
    const bars = html.match(/<rect /g) ?? [];
    expect(bars).toHaveLength(20);
    expect(html).toMatch(/<title>2\.00-2\.10 s: 1<\/title>/);
  });
});
