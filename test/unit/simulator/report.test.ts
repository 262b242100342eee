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

  it('names every device by its full Thing name and each reason with its next step', () => {
    const long = 'f'.repeat(128);
    const text = formatReport({
      ...report,
      results: [...results, { ...results[2]!, thingName: long, reason: 'NOT_REGISTERED' }],
    });
    expect(text).toContain(long);
    expect(text).toMatch(/NOT_REGISTERED \(1 device\): .*\n {2}next: register and trust the CA: jitr preconfigure/);
    expect(text).toMatch(/CERTIFICATE_REVOKED \(1 device\): /);
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

describe('renderHtmlReport: what a reader needs first', () => {
  const context = { caCertificateId: 'c'.repeat(64), profile: 'microchip', stage: 'qa' };

  it('opens with the verdict: PASS or FAIL with the counts, the CA, profile and stage', () => {
    const html = renderHtmlReport(report, context);
    const top = html.slice(html.indexOf('<body>'), html.indexOf('<h2>'));
    expect(top).toContain('FAIL: boot: 2/3 online, 1 rejected, 0 failed');
    expect(top).toContain('c'.repeat(64));
    expect(top).toMatch(/<dt>profile<\/dt><dd class="id">microchip<\/dd>/);
    expect(top).toMatch(/<dt>stage<\/dt><dd class="id">qa<\/dd>/);
    const online = {
      ...report,
      results: report.results.slice(0, 2),
      boot: summarizePhase(report.results.slice(0, 2), 3000),
    };
    expect(renderHtmlReport(online, context)).toContain('PASS: boot: 2/2 online');
  });

  it('marks where each phase starts on the online line, and draws boot and rotate apart', () => {
    const rotated: SimulationReport = {
      ...report,
      rotation: summarizePhase([{ ...results[0]!, phase: 'rotate', timeToOnlineMs: 400 }], 1000),
      results: [...results, { ...results[0]!, phase: 'rotate', timeToOnlineMs: 400 }],
      phases: [
        { phase: 'boot', startMs: 0, endMs: 2000 },
        { phase: 'rotate', startMs: 2000, endMs: 3000 },
      ],
    };
    const html = renderHtmlReport(rotated, context);
    expect(html.match(/class="phase"/g)).toHaveLength(2);
    expect(html).toMatch(/class="phase-label">rotate</);
    expect(html).toContain('Time to online, boot (histogram)');
    expect(html).toContain('Time to online, rotate (histogram)');
  });

  it('groups the devices that did not come online by reason, each with its fix', () => {
    const html = renderHtmlReport(report, context);
    expect(html).toContain('<h3>CERTIFICATE_REVOKED: 1 device(s)</h3>');
    expect(html).toMatch(/Fix: <code>[^<]*jitr cert inspect/);
  });

  it('draws no empty chart: a run where no device came online says so instead', () => {
    const rejected = results.slice(2);
    const none: SimulationReport = { ...report, results: rejected, boot: summarizePhase(rejected, 3000), changes: [] };
    const html = renderHtmlReport(none, context);
    expect(html).not.toContain('<svg');
    expect(html).toContain('No device came online: no online chart.');
    expect(html).toContain('No device came online in the boot phase');
  });
});
