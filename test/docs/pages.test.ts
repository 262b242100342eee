import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../certs/reasons.js';
import { linkTargets, proseLines, readPage, root } from './markdown.js';

// The README stays short and sends the reader to one page per task; troubleshooting covers every code a reader can
// meet: each rejection reason of certs/reasons.ts and each finding `jitr doctor` can report.
const TASK_PAGES = [
  'docs/local-emulator.md',
  'docs/deploy.md',
  'docs/fleet-azure-sphere.md',
  'docs/fleet-microchip.md',
  'docs/fleet-factory-ca.md',
  'docs/vending.md',
  'docs/operations.md',
  'docs/troubleshooting.md',
  'docs/cli.md',
  'docs/fleet-configuration.md',
  'docs/emulator-api.md',
  'docs/metrics.md',
  'CONTRIBUTING.md',
];

describe('docs: the README and its task pages', () => {
  it('keeps the README under 12 KB', () => {
    expect(statSync(join(root, 'README.md')).size).toBeLessThan(12 * 1024);
  });

  it('links every task page from the README, and each page starts with prerequisites and ends with a check', () => {
    const linked = linkTargets(readPage('README.md')).map((target) => target.split('#')[0]);
    for (const page of TASK_PAGES) {
      expect(linked, `README links ${page}`).toContain(page);
      if (page === 'CONTRIBUTING.md' || page === 'docs/cli.md') continue;
      const text = readPage(page);
      expect(text.split('\n').slice(1, 6).join('\n'), `${page} opens with its prerequisites`).toMatch(/Prerequisites/);
      const headings = proseLines(text).filter((line) => line.startsWith('## '));
      expect(headings.at(-1), `${page} ends with "Check it worked"`).toBe('## Check it worked');
    }
  });

  it('names every rejection reason and every doctor finding in troubleshooting', () => {
    const troubleshooting = readPage('docs/troubleshooting.md');
    const diagnose = readFileSync(join(root, 'scripts', 'operator', 'diagnose.ts'), 'utf8');
    const findings = [...diagnose.matchAll(/code: (?:[^,]*\? )?'([A-Z_]+)'(?: : '([A-Z_]+)')?/g)].flatMap((match) =>
      [match[1], match[2]].filter((code): code is string => code !== undefined),
    );
    expect(findings).toContain('BINDING_CONFLICT');
    expect(findings).toContain('CA_EXPIRING');
    const missing = [...REASON_CODES, ...findings].filter((code) => !troubleshooting.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
