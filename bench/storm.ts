// Boot storm: `npm run -s bench:storm -- --devices N [...]` (`--help` lists the flags). N simulated devices power on at
// once against the emulator at AWS default quotas x X; prints one JSON document with the onboarding figures. Progress
// goes to stderr. See docs/benchmarks.md, "Boot storm".
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { FleetProfile } from '../certs/fleet.js';
import { DEFAULT_BACKOFF } from '../scripts/simulator/backoff.js';
import { downsample, onlinePlotSvg } from './storm/plot.js';
import { runStorm } from './storm/run.js';

function number(name: string, value: string | undefined, fallback: number, check = (n: number) => n > 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || !check(parsed)) {
    process.stderr.write(`bench:storm: --${name} must be a positive number, got "${value}"\n`);
    process.exit(2);
  }
  return parsed;
}

const USAGE = `usage: npm run -s bench:storm -- --devices N [--quota-scale X] [--faults SPEC] [--seed S] [--concurrency C]
  [--connect-concurrency K] [--timeout-s T] [--drain-s D] [--backoff-base-ms B] [--backoff-cap-ms M]
  [--profile azure-sphere|microchip|generic] [--plot FILE.svg] [--samples FILE.json] [--json] [--quiet]
See docs/benchmarks.md, "Boot storm".
`;

const OPTIONS = {
  devices: { type: 'string' },
  'quota-scale': { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  'connect-concurrency': { type: 'string' },
  'timeout-s': { type: 'string' },
  'drain-s': { type: 'string' },
  'backoff-base-ms': { type: 'string' },
  'backoff-cap-ms': { type: 'string' },
  profile: { type: 'string' },
  plot: { type: 'string' },
  samples: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    process.stderr.write(`bench:storm: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const { values } = parse();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const devices = number('devices', values.devices, 100, (n) => Number.isInteger(n) && n > 0);
const quotaScale = number('quota-scale', values['quota-scale'], 1);
const backoffBase = values['backoff-base-ms'];
const backoffCap = values['backoff-cap-ms'];
const profile = (values.profile ?? 'azure-sphere') as FleetProfile;
if (!['azure-sphere', 'microchip', 'generic'].includes(profile)) {
  process.stderr.write(`bench:storm: --profile must be azure-sphere, microchip or generic\n`);
  process.exit(2);
}

// Ctrl-C or SIGTERM: leave at once, whatever the Lambda still has queued (the emulator lives in this process).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:storm: ${signal}, stopping\n`);
    process.exit(130);
  });
}

const started = new Date();
const result = await runStorm({
  devices,
  quotaScale,
  ...(values.faults ? { faults: values.faults } : {}),
  seed: number('seed', values.seed, 1, (n) => Number.isInteger(n) && n >= 0),
  concurrency: number('concurrency', values.concurrency, 10, Number.isInteger),
  connectConcurrency: number('connect-concurrency', values['connect-concurrency'], 100, Number.isInteger),
  timeoutMs: number('timeout-s', values['timeout-s'], 180) * 1000,
  drainMs: number('drain-s', values['drain-s'], 120) * 1000,
  ...(backoffBase !== undefined || backoffCap !== undefined
    ? {
        backoff: {
          baseMs: number('backoff-base-ms', backoffBase, DEFAULT_BACKOFF.baseMs),
          capMs: number('backoff-cap-ms', backoffCap, DEFAULT_BACKOFF.capMs),
        },
      }
    : {}),
  profile,
  ...(values.quiet ? {} : { progress: (message: string) => process.stderr.write(`${message}\n`) }),
});

const { samples, marks, ...figures } = result;
const machine = {
  startedAt: started.toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
};
if (values.plot) {
  const backoff = result.detail.options.backoff;
  const title =
    `${devices} devices, quota scale ${quotaScale}${values.faults ? `, faults ${values.faults}` : ''}` +
    (backoff ? `, device backoff ${backoff.baseMs} ms base / ${backoff.capMs / 1000} s cap` : '');
  writeFileSync(
    values.plot,
    onlinePlotSvg(downsample(samples), { title, devices, boundPerSecond: result.bound, marks }),
  );
}
if (values.samples) writeFileSync(values.samples, `${JSON.stringify({ samples, marks })}\n`);
process.stdout.write(`${JSON.stringify({ ...figures, machine }, null, values.json ? 2 : 2)}\n`);
// runStorm stopped the emulator (dropping what its Lambda still had queued); leave once the document is written.
process.stdout.write('', () => process.exit(0));
