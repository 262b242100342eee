import type { Command, OptionSpec } from './command.js';

/** The order people meet the commands in; commands not listed (new ones) follow under "More". */
const WORKFLOW: { title: string; keys: string[] }[] = [
  {
    title: 'Try it on this machine, no AWS account needed',
    keys: ['demo', 'local start', 'local env', 'local stop', 'simulate'],
  },
  {
    title: 'Make certificates',
    keys: ['ca create', 'ca verification-cert', 'device issue', 'cert inspect', 'ca revoke', 'ca crl'],
  },
  {
    title: 'Set up AWS (or the emulator)',
    keys: ['preconfigure', 'ca retire', 'vend setup', 'token create', 'firmware-config'],
  },
  { title: 'Operate', keys: ['status', 'doctor', 'revoke', 'readmit', 'deprovision', 'replay'] },
];

const TOP_EXAMPLES: [string, string][] = [
  ['jitr demo', 'the whole pipeline on the local emulator (about a minute)'],
  ['jitr local start --background', 'run the emulator; ready file .jitr/ready.json, log .jitr/local.log'],
  ['eval "$(jitr local env)"', 'point this shell (the CLI, the AWS SDK and CLI) at it'],
  ['jitr ca create --profile microchip --out .jitr/ca', 'a fleet CA to try with'],
  ['jitr preconfigure --ca-cert .jitr/ca/ca.cert.pem --ca-key .jitr/ca/ca.key.pem --profile microchip', 'trust it'],
  ['jitr simulate --ca .jitr/ca --profile microchip --devices 20', 'boot 20 devices through JITR'],
  ['jitr doctor --stage prod --region eu-west-1', 'why devices of a deployed stage do not onboard'],
];

export const COMMON_FLAG_HELP = [
  '  --json             print exactly one JSON document on stdout (progress stays on stderr)',
  '  -h, --help         show this help',
  '  --version          print the version of jitr',
];
const REGION_HELP =
  "  --region <region>  AWS region (default: AWS_REGION, else your AWS_PROFILE's; with JITR_LOCAL the emulator's)";

const EXIT_LINE =
  'Exit codes: 0 done, 1 failed, 2 usage or input error, 3 rejected (the table: docs/cli.md#exit-codes).';

export interface CommandListing {
  key: string;
  summary: string;
}

function listing(rows: CommandListing[]): string[] {
  const width = Math.max(...rows.map((row) => row.key.length), 12) + 2;
  return rows.map((row) => `  ${row.key.padEnd(width)}${row.summary}`);
}

export function topHelp(version: string, commands: CommandListing[]): string {
  const byKey = new Map(commands.map((command) => [command.key, command]));
  const listed = new Set(WORKFLOW.flatMap((section) => section.keys));
  const sections = [
    ...WORKFLOW.map((section) => ({
      title: section.title,
      rows: section.keys.flatMap((key) => byKey.get(key) ?? []),
    })),
    { title: 'More', rows: commands.filter((command) => !listed.has(command.key)) },
  ].filter((section) => section.rows.length > 0);
  const exampleWidth = 50;
  return [
    `jitr ${version}: zero-touch onboarding of IoT fleets into AWS IoT Core (JITR), with a local emulator of AWS IoT Core`,
    '',
    'Usage: jitr <command> [flags]          (jitr <command> --help: its flags, defaults and examples)',
    ...sections.flatMap((section) => ['', `${section.title}:`, ...listing(section.rows)]),
    '',
    'Examples:',
    ...TOP_EXAMPLES.map(([line, what]) =>
      line.length >= exampleWidth
        ? `  ${line}\n  ${''.padEnd(exampleWidth)}${what}`
        : `  ${line.padEnd(exampleWidth)}${what}`,
    ),
    '',
    'Every command takes --help, --json and --version; every command that calls AWS takes --region and honours',
    'JITR_LOCAL (the ready file of `jitr local start`), so `eval "$(jitr local env)"` points them all at the emulator.',
    EXIT_LINE,
  ].join('\n');
}

export function groupHelp(group: string, commands: CommandListing[]): string {
  return [
    `Usage: jitr ${group} <command> [flags]`,
    '',
    `Commands of jitr ${group}:`,
    ...listing(commands),
    '',
    `jitr ${group} <command> --help shows a command's flags, defaults and examples.`,
  ].join('\n');
}

/** Wraps a paragraph at `width` columns (descriptions are written as one line each). */
export function wrap(text: string, width = 100, indent = ''): string {
  return text
    .split('\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
        if (line !== '' && indent.length + line.length + 1 + word.length > width) {
          lines.push(indent + line);
          line = word;
        } else line = line === '' ? word : `${line} ${word}`;
      }
      if (line !== '') lines.push(indent + line);
      return lines.join('\n');
    })
    .join('\n');
}

function flagName(name: string, spec: OptionSpec[string]): string {
  const short = spec.short ? `-${spec.short}, ` : '';
  return `${short}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
}

/** A command's `--help`: usage, what it does, each flag with its default, the common flags, examples. */
export function commandHelp(command: Command): string {
  const entries = Object.entries(command.options);
  const names = entries.map(([name, spec]) => flagName(name, spec));
  const width = Math.max(18, ...names.map((name) => name.length + 2));
  const flags = entries.map(([name], index) => {
    const text = command.flags?.[name] ?? '';
    return `  ${(names[index] ?? '').padEnd(width)}${text}`.trimEnd();
  });
  const common = [...(command.aws && !('region' in command.options) ? [REGION_HELP] : []), ...COMMON_FLAG_HELP];
  return [
    `jitr ${command.path.join(' ')}: ${command.summary}`,
    '',
    command.usage,
    ...(command.description ? ['', wrap(command.description)] : []),
    ...(flags.length > 0 ? ['', 'Flags:', ...flags] : []),
    '',
    'Common flags:',
    ...common,
    ...(command.examples && command.examples.length > 0
      ? ['', 'Examples:', ...command.examples.map((example) => `  ${example}`)]
      : []),
    '',
    EXIT_LINE,
  ].join('\n');
}
