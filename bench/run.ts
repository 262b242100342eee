// The benchmark runner: `npm run bench -- <name> [args]` runs one benchmark in its own Node process (so each starts cold
// and owns process.argv); `npm run bench` lists them. Add one line per benchmark to BENCHMARKS.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Benchmark {
  file: string;
  summary: string;
}

const BENCHMARKS: Record<string, Benchmark> = {
  'onboard-lambda': {
    file: 'onboard-lambda.ts',
    summary: 'onboarding Lambda: latency, API calls and depth, bundle size, cold init',
  },
  'certs-validate': {
    file: 'certs-validate.ts',
    summary: 'full device certificate validations per second on one core',
  },
  'local-gateway': { file: 'local-gateway.ts', summary: 'local MQTT gateway: TLS accepts/s, 2,000 held devices, RSS' },
  'local-control-plane': { file: 'local-control-plane.ts', summary: 'local control plane: AWS IoT calls/s' },
  storm: {
    file: 'storm.ts',
    summary: 'boot storm: N devices at once at scaled AWS quotas, optional faults (npm run bench:storm)',
  },
};

function list(): string {
  const width = Math.max(...Object.keys(BENCHMARKS).map((name) => name.length));
  const lines = Object.entries(BENCHMARKS).map(([name, bench]) => `  ${name.padEnd(width)}  ${bench.summary}`);
  return ['Usage: npm run bench -- <name> [args]', '', 'Benchmarks:', ...lines].join('\n');
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help') {
  console.log(list());
} else {
  const bench = BENCHMARKS[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"\n${list()}`);
    process.exitCode = 2;
  } else {
    const script = join(import.meta.dirname, bench.file);
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
    process.exitCode = result.status ?? 1;
  }
}
