// The shell examples of a page and the marker that says what the docs test does with each. Every shell fence
// (sh, bash, shell, console, zsh) carries one, on the line just above it:
//   <!-- example: run -->                  runs as written against the emulator (test/docs/examples.test.ts)
//   <!-- example: aws-only (why) -->       needs something this machine lacks (a real AWS account, an Azure Sphere
//                                          tenant);
//   <!-- example: no-run (why) -->         runs elsewhere already (`make test` itself, a test file of the suite).
// Both are checked without running: `bash -n`, and every `jitr` command and flag they use exists.
// A fence of output (no language, or text) marked `<!-- example: output -->` is compared with what the page's last run
// block printed. A setup step a reader already has done (or the teardown of what it made) hides in an HTML comment, so
// readers don't see it (`<!-- example: teardown` alike):
//   <!-- example: setup
//   ```sh
//   ...
//   ```
//   -->

export type BlockKind = 'run' | 'setup' | 'not-run' | 'output';

export interface Block {
  kind: BlockKind;
  /** 1-based line of the opening fence. */
  line: number;
  body: string;
  /** not-run: why it cannot run here. */
  reason?: string;
}

const SHELL_FENCE = /^\s*```\s*(sh|bash|shell|console|zsh)\s*$/;
const OUTPUT_FENCE = /^\s*```\s*(text)?\s*$/;

function markerOf(line: string): { kind: BlockKind; reason?: string } | undefined {
  const text = line.trim();
  if (text === '<!-- example: run -->') return { kind: 'run' };
  if (text === '<!-- example: output -->') return { kind: 'output' };
  if (text === '<!-- example: setup' || text === '<!-- example: teardown') return { kind: 'setup' };
  const notRun = /^<!-- example: (?:aws-only|no-run) \((.{10,})\) -->$/.exec(text);
  return notRun ? { kind: 'not-run', reason: notRun[1]! } : undefined;
}

/** The marked blocks of a page in order, and the line of every shell fence that carries no marker. */
export function pageBlocks(text: string): { blocks: Block[]; unmarked: number[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const unmarked: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(```+|~~~+)/.exec(lines[i]!)?.[1];
    if (open === undefined) continue;
    const close = lines.findIndex((line, j) => j > i && line.trim() === open);
    const end = close === -1 ? lines.length : close;
    const body = lines.slice(i + 1, end).join('\n');
    const marker = markerOf(lines[i - 1] ?? '');
    const shell = SHELL_FENCE.test(lines[i]!);
    if (marker && marker.kind === 'output') {
      if (!OUTPUT_FENCE.test(lines[i]!)) throw new Error(`line ${i + 1}: an output marker goes on a plain fence`);
      blocks.push({ kind: 'output', line: i + 1, body });
    } else if (marker) {
      if (!shell) throw new Error(`line ${i + 1}: the marker "${marker.kind}" goes on a sh fence`);
      if (marker.kind === 'setup' && lines[end + 1]?.trim() !== '-->') {
        throw new Error(`line ${i + 1}: a setup block closes its HTML comment (-->) right after its fence`);
      }
      blocks.push({ ...marker, line: i + 1, body });
    } else if (shell) {
      unmarked.push(i + 1);
    }
    i = end;
  }
  return { blocks, unmarked };
}

// The placeholders of an output block: what varies from run to run (ids, times, durations) in the docs' own form.
const PLACEHOLDERS: [RegExp, string][] = [
  [/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/, '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z'], // a timestamp
  [/^[0-9a-f]+…/, '[0-9a-f]+'], // an id shortened: 1e3f…
  [/^…/, '.*'], // anything
  [/^\d+\.\d+/, '\\d+\\.\\d+'], // a duration
  [/^\s+/, '\\s+'],
];

function linePattern(line: string): RegExp {
  let pattern = '';
  for (let rest = line; rest.length > 0;) {
    const placeholder = PLACEHOLDERS.find(([match]) => match.test(rest));
    if (placeholder) {
      const length = placeholder[0].exec(rest)![0].length;
      pattern += placeholder[1];
      rest = rest.slice(length);
    } else {
      pattern += rest[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      rest = rest.slice(1);
    }
  }
  return new RegExp(`^${pattern}$`);
}

/**
 * Whether `actual` (what a block printed) shows every line of `expected` (an output block), in order, other lines
 * allowed in between. In an expected line `…` stands for any text, `1e3f…` for any hex id, an ISO-8601 timestamp for
 * any, a decimal number (a duration) for any, and a run of spaces for any run of spaces.
 * Returns the first expected line not found, or undefined when all are.
 */
export function missingOutputLine(expected: string, actual: string): string | undefined {
  const actualLines = actual.split('\n').map((line) => line.trim());
  let from = 0;
  for (const line of expected.split('\n').map((text) => text.trim())) {
    if (line === '' || line === '…') continue;
    const pattern = linePattern(line);
    const found = actualLines.findIndex((text, index) => index >= from && pattern.test(text));
    if (found === -1) return line;
    from = found + 1;
  }
  return undefined;
}

/** Each `jitr` invocation of a block (after `npx` or not): its words up to the first flag, and its flags. */
export function jitrInvocations(body: string): { words: string[]; flags: string[] }[] {
  const joined = body
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const invocations: { words: string[]; flags: string[] }[] = [];
  for (const command of joined.split(/\n|&&|\|\||[;|]/)) {
    const tokens = command.trim().split(/\s+/);
    const start = tokens.findIndex((token, index) => token === 'jitr' && (index === 0 || tokens[index - 1] === 'npx'));
    if (start === -1) continue;
    const rest = tokens.slice(start + 1);
    const words: string[] = [];
    for (const token of rest) {
      if (!/^[a-z][a-z-]*$/.test(token) || words.length === 2) break;
      words.push(token);
    }
    const flags = rest.filter((token) => token.startsWith('--')).map((token) => token.split('=')[0]!);
    invocations.push({ words, flags });
  }
  return invocations;
}
