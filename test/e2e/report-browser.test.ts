import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeviceResult } from '../../scripts/simulator/model.js';
import { renderHtmlReport } from '../../scripts/simulator/report-html.js';
import { type SimulationReport, summarizePhase } from '../../scripts/simulator/summary.js';

// The simulate HTML report as a reader sees it: opened in headless Chromium (the Makefile's test target installs it),
// with a screenshot made, no console error and no request leaving the page.
const CHROMIUM = process.env.JITR_CHROMIUM || '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'jitr-report-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function device(index: number, phase: 'boot' | 'rotate', outcome: 'online' | 'rejected' | 'failed'): DeviceResult {
  const thingName = `${index.toString(16).padStart(4, '0')}${'ab'.repeat(62)}`;
  return {
    deviceId: thingName.toUpperCase(),
    thingName,
    certificateId: `${index}`.padStart(64, '0'),
    phase,
    outcome,
    attempts: 2 + (index % 3),
    ...(outcome === 'online'
      ? { timeToOnlineMs: 500 + index * 97, onlineAtMs: (phase === 'boot' ? 0 : 9000) + 500 + index * 97 }
      : { reason: outcome === 'rejected' ? 'NOT_REGISTERED' : 'STILL_PENDING' }),
  };
}

function sampleReport(): SimulationReport {
  const boot = [
    ...Array.from({ length: 30 }, (_, i) => device(i, 'boot', 'online')),
    device(30, 'boot', 'rejected'),
    device(31, 'boot', 'failed'),
  ];
  const rotate = Array.from({ length: 30 }, (_, i) => device(i, 'rotate', 'online'));
  const changes = [
    ...boot.flatMap((d) => (d.onlineAtMs !== undefined ? [{ atMs: d.onlineAtMs, delta: 1 as const }] : [])),
    ...boot.flatMap((d) => (d.outcome === 'online' ? [{ atMs: 9000, delta: -1 as const }] : [])),
    ...rotate.flatMap((d) => (d.onlineAtMs !== undefined ? [{ atMs: d.onlineAtMs, delta: 1 as const }] : [])),
  ].sort((a, b) => a.atMs - b.atMs);
  return {
    startedAt: '2026-12-01T10:00:00.000Z',
    endpoint: 'mqtts://localhost:8883',
    durationMs: 14_000,
    boot: summarizePhase(boot, 9000),
    rotation: summarizePhase(rotate, 5000),
    results: [...boot, ...rotate],
    changes,
    phases: [
      { phase: 'boot', startMs: 0, endMs: 9000 },
      { phase: 'rotate', startMs: 9000, endMs: 14_000 },
    ],
  };
}

describe('the simulate HTML report in headless Chromium', () => {
  it('renders with no console error and no outside request, and a screenshot is made', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: make test installs it (apt-get install chromium)`).toBe(true);
    const page = join(dir, 'sim.html');
    writeFileSync(
      page,
      renderHtmlReport(sampleReport(), { caCertificateId: 'c'.repeat(64), profile: 'microchip', stage: 'dev' }),
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      const problems: string[] = [];
      const requests: string[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      tab.on('pageerror', (error) => problems.push(error.message));
      tab.on('request', (request) => requests.push(request.url()));

      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      const screenshot = join(dir, 'sim.png');
      await tab.screenshot({ path: screenshot, fullPage: true });

      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(page).href]);
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      expect(await tab.locator('.verdict h1').textContent()).toMatch(/^FAIL: boot: 30\/32 online/);
      expect(await tab.locator('svg').count()).toBe(3);
      expect(await tab.locator('.phase-label').allTextContents()).toEqual(['boot', 'rotate']);
      expect(await tab.locator('section.reason h3').allTextContents()).toEqual([
        'NOT_REGISTERED: 1 device(s)',
        'STILL_PENDING: 1 device(s)',
      ]);
      // Charts are drawn: the SVGs have a size on the page.
      const box = await tab.locator('svg').first().boundingBox();
      expect(box?.width).toBeGreaterThan(300);
    } finally {
      await browser.close();
    }
  });
});
