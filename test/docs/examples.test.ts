import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_AWS_CLI, requireDebianAwsCli } from '../helpers/awscli.js';
import { type Block, jitrInvocations, missingOutputLine, pageBlocks } from './examples.js';
import { markdownPages, readPage, root } from './markdown.js';

// Every shell block of the docs carries a marker (test/docs/examples.ts). The `run` and `setup` blocks of a page run
// as written, in order, in one bash (`set -euo pipefail`), in a scratch project directory linked to this one (so every
// write lands there, under .jitr/), with `jitr` and `npx jitr` running bin/jitr.js and `aws` being Debian's CLI; an
// `output` block must match what the run block before it printed. Each page starts the emulator its example needs and
// stops it; the test stops whatever is left, and checks that nothing landed outside .jitr/ and that the reader's
// terminal showed no Node-version warning and no log line. `aws-only` and `no-run` blocks are checked without running.
const LINKED = ['serverless.yml', 'package.json', 'tsconfig.json', 'functions', 'certs', 'node_modules'];
const BLOCK_SEPARATOR = '@@jitr-docs-example-block@@';

const allPages = markdownPages().map((page) => ({ page, ...pageBlocks(readPage(page)) }));
const runnable = allPages
  .filter(({ blocks }) => blocks.some((block) => block.kind === 'run'))
  .map(({ page, blocks }) => ({ page, blocks }));
const notRun = allPages.flatMap(({ page, blocks }) =>
  blocks.filter((block) => block.kind === 'not-run').map((block) => ({ page, block })),
);

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

/** One script of the page's run and setup blocks; stderr joins stdout so a block's output can be cut out after. */
function pageScript(blocks: Block[]): string {
  const steps = blocks
    .filter((block) => block.kind === 'run' || block.kind === 'setup')
    .map((block) => `echo '${BLOCK_SEPARATOR} ${block.line}'\n${block.body}`);
  return `exec 2>&1\nset -euo pipefail\n${steps.join('\n')}\n`;
}

/** What each run block printed, by the line of its fence. */
function outputsByBlock(output: string): Map<number, string> {
  const outputs = new Map<number, string>();
  for (const part of output.split(`${BLOCK_SEPARATOR} `).slice(1)) {
    const newline = part.indexOf('\n');
    outputs.set(Number(part.slice(0, newline)), part.slice(newline + 1));
  }
  return outputs;
}

/** The output blocks of a page with the run block each one shows. */
function outputChecks(blocks: Block[]): { output: Block; run: Block }[] {
  const checks: { output: Block; run: Block }[] = [];
  let lastRun: Block | undefined;
  for (const block of blocks) {
    if (block.kind === 'run') lastRun = block;
    if (block.kind !== 'output') continue;
    if (!lastRun) throw new Error(`line ${block.line}: an output block follows a run block`);
    checks.push({ output: block, run: lastRun });
  }
  return checks;
}

/** The project's own entries the example may leave: the linked ones, and .jitr/ (git-ignored). */
function strayEntries(project: string): string[] {
  return readdirSync(project).filter((entry) => entry !== '.jitr' && !LINKED.includes(entry));
}

const helpTexts = new Map<string, { code: number; text: string }>();
function jitrHelp(words: string[]): { code: number; text: string } {
  const key = words.join(' ');
  const cached = helpTexts.get(key);
  if (cached) return cached;
  let result: { code: number; text: string };
  try {
    const text = execFileSync(process.execPath, [join(root, 'bin', 'jitr.js'), ...words, '--help'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    result = { code: 0, text };
  } catch (error) {
    result = { code: (error as { status?: number }).status ?? 1, text: String((error as { stderr?: string }).stderr) };
  }
  helpTexts.set(key, result);
  return result;
}

describe('docs: every shell example carries a marker', () => {
  it('finds no shell block without one', () => {
    const unmarked = allPages.flatMap(({ page, unmarked }) => unmarked.map((line) => `${page}:${line}`));
    expect(unmarked, 'shell blocks with no <!-- example: ... --> marker').toEqual([]);
  });

  it('keeps blocks that do not run rare: each says why', () => {
    const runs = allPages.flatMap(({ blocks }) => blocks.filter((block) => block.kind === 'run'));
    expect(notRun.length).toBeLessThan(runs.length);
    for (const { block } of notRun) expect(block.reason).toMatch(/\w{3,}/);
  });
});

describe('docs: examples that do not run are valid bash and use only real jitr commands and flags', () => {
  it.each(notRun.map(({ page, block }) => ({ name: `${page}:${block.line}`, block })))('$name', ({ block }) => {
    execFileSync('/bin/bash', ['-n'], { input: block.body });
    for (const { words, flags } of jitrInvocations(block.body)) {
      const two = words.length === 2 ? jitrHelp(words) : undefined;
      const help = two?.code === 0 ? two : jitrHelp(words.slice(0, 1));
      expect(help.code, `jitr ${words.join(' ')} --help: ${help.text}`).toBe(0);
      for (const flag of flags) {
        expect(help.text, `jitr ${words.join(' ')} takes ${flag}`).toMatch(new RegExp(`${flag}(?![\\w-])`));
      }
    }
  });
});

describe('docs: the runnable shell examples run as written', () => {
  const work = mkdtempSync(join(tmpdir(), 'jitr-docs-examples-'));
  const bin = join(work, 'bin');
  beforeAll(() => {
    requireDebianAwsCli();
    shims(bin);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds the main emulator example', () => {
    expect(runnable.map(({ page }) => page)).toContain('docs/local-emulator.md');
  });

  it.each(runnable)(
    '$page',
    async ({ page, blocks }) => {
      const project = join(work, page.replace(/[/.]/g, '-'));
      mkdirSync(project);
      for (const entry of LINKED) symlinkSync(join(root, entry), join(project, entry));
      const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: project };
      let output = '';
      try {
        const result = await bash(pageScript(blocks), project, env);
        output = result.output;
        expect(result.code, output).toBe(0);
      } finally {
        if (existsSync(join(project, '.jitr', 'ready.json'))) await bash('jitr local stop', project, env);
      }
      expect(existsSync(join(project, '.jitr', 'ready.json')), 'the example stopped its emulator').toBe(false);
      expect(strayEntries(project), 'the example writes only under .jitr/').toEqual([]);
      // What a reader's terminal shows: no Node-version warning, no Lambda or emulator log line (they go to the log).
      expect(output).not.toMatch(/NodeVersionSupportWarning|NodeDeprecationWarning/);
      expect(output.split('\n').filter((line) => /^\{"(level|component)":/.test(line))).toEqual([]);
      const printed = outputsByBlock(output);
      for (const check of outputChecks(blocks)) {
        const actual = printed.get(check.run.line) ?? '';
        const missing = missingOutputLine(check.output.body, actual);
        expect(missing, `${page}:${check.output.line} shows a line the example did not print:\n${actual}`).toBe(
          undefined,
        );
      }
    },
    180_000,
  );
});
