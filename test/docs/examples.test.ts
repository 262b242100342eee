import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_AWS_CLI, requireDebianAwsCli } from '../helpers/awscli.js';
import { markdownPages, readPage, root } from './markdown.js';

// Every shell block marked `<!-- example: run -->` runs as written: the marked blocks of a page, in order, in one bash
// (`set -euo pipefail`), in a scratch project directory linked to this one (so every write lands there, under .jitr/),
// with `jitr` and `npx jitr` running bin/jitr.js and `aws` being Debian's CLI. Each page starts the emulator its
// example needs and stops it; the test stops whatever is left.
const MARKER = '<!-- example: run -->';

/** The marked blocks of a page, in order. */
function markedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== MARKER) continue;
    if (!/^```(sh|bash)\s*$/.test(lines[i + 1] ?? '')) throw new Error(`${MARKER} not followed by a sh fence`);
    const end = lines.indexOf('```', i + 2);
    blocks.push(lines.slice(i + 2, end).join('\n'));
  }
  return blocks;
}

function shims(bin: string): void {
  mkdirSync(bin, { recursive: true });
  const jitr = `exec "${process.execPath}" "${join(root, 'bin', 'jitr.js')}" "$@"`;
  const files: Record<string, string> = {
    jitr,
    npx: `[ "$1" = jitr ] || { echo "npx: only jitr in the examples" >&2; exit 2; }\nshift\n${jitr}`,
    aws: `exec "${DEBIAN_AWS_CLI}" "$@"`,
  };
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('/bin/bash', ['-c', script], { cwd, env, timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

const pages = markdownPages()
  .map((page) => ({ page, blocks: markedBlocks(readPage(page)) }))
  .filter(({ blocks }) => blocks.length > 0);

describe('docs: the marked shell examples run as written', () => {
  const work = mkdtempSync(join(tmpdir(), 'jitr-docs-examples-'));
  const bin = join(work, 'bin');
  beforeAll(() => {
    requireDebianAwsCli();
    shims(bin);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds the main emulator example', () => {
    expect(pages.map(({ page }) => page)).toContain('docs/local-emulator.md');
  });

  it.each(pages)(
    '$page',
    async ({ page, blocks }) => {
      const project = join(work, page.replace(/[/.]/g, '-'));
      mkdirSync(project);
      for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'functions', 'certs', 'node_modules']) {
        symlinkSync(join(root, entry), join(project, entry));
      }
      const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: project };
      try {
        const result = await bash(`set -euo pipefail\n${blocks.join('\n')}`, project, env);
        expect(result.code, result.output).toBe(0);
      } finally {
        if (existsSync(join(project, '.jitr', 'ready.json'))) await bash('jitr local stop', project, env);
      }
      expect(existsSync(join(project, '.jitr', 'ready.json')), 'the example stopped its emulator').toBe(false);
    },
    180_000,
  );
});
