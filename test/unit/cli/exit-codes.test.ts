import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode, UsageError } from '../../../scripts/cli/errors.js';
import { EXIT_CODE_OF_ERROR } from '../../../scripts/cli/exit-codes.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The rows of the "Exit codes" table of docs/cli.md: code -> exit. */
function documentedTable(): Map<string, number> {
  const text = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
  const section = text.slice(text.indexOf('## Exit codes'));
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\d) \|/gm))
    rows.set(match[1] ?? '', Number(match[2]));
  return rows;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every literal error code the CLI constructs: `new XError('CODE'`, `new CliError(\n 'CODE'`, `{ code: 'CODE' }`. */
function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources(join(root, 'scripts'))) {
    const text = readFileSync(file, 'utf8');
    const patterns = [/new \w*Error\(\s*'([A-Z][A-Z0-9_]+)'/g, /\{ code: '([A-Z][A-Z0-9_]+)' \}/g];
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.set(match[1] ?? '', file);
  }
  return found;
}

describe('exit codes: one per situation, documented in docs/cli.md', () => {
  it('docs/cli.md lists exactly the codes of scripts/cli/exit-codes.ts, with the same exit codes', () => {
    expect(Object.fromEntries(documentedTable())).toEqual(EXIT_CODE_OF_ERROR);
  });

  it('every code the CLI throws is in the table', () => {
    const table = documentedTable();
    const undocumented = [...thrownCodes()]
      .filter(([code]) => !table.has(code))
      .map(([code, file]) => `${code} (${file})`);
    expect(undocumented).toEqual([]);
  });

  it('a listed code exits with its listed code whatever the thrower asked for', () => {
    expect(new CliError('THING_NOT_FOUND', 'x', ExitCode.failure).exitCode).toBe(2);
    expect(new CliError('FLEET_CONFIG_MISSING', 'x', ExitCode.usage).exitCode).toBe(1);
    expect(new UsageError('x', { code: 'BAD_THING_NAME' })).toMatchObject({ code: 'BAD_THING_NAME', exitCode: 2 });
    expect(new CliError('SOMETHING_NEW', 'x', ExitCode.rejected).exitCode).toBe(3);
  });
});
