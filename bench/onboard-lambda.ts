// The onboarding Lambda's figures: per-device handler latency (warm, no quotas), IoT API calls per new device and per
// duplicate event, sequential API depth of the critical path, bundle size, and cold init of the bundle in a fresh Node.
// Usage: npm run bench -- onboard-lambda [devices=200]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFunction } from '../functions/build/bundle.js';
import { handleRegisteredEvent } from '../functions/onboard/run.js';
import { startLocal } from '../local/server.js';
import { iotClientFor } from '../test/helpers/aws.js';
import {
  autoRegister,
  ensurePolicy,
  fleetEntry,
  harness,
  PARAMETER,
  registerFleet,
  writeFleetConfig,
} from '../test/integration/onboard/fixture.js';

const devices = Number(process.argv[2] ?? 200);

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function handlerFigures() {
  const emulator = await startLocal({ quotas: 'off' });
  try {
    const iot = iotClientFor(emulator);
    await ensurePolicy(iot);
    const fleet = await registerFleet(iot, 'azure-sphere');
    await writeFleetConfig(emulator, { version: 1, trustedCas: [fleetEntry(fleet)] });
    const registered = [];
    for (let i = 0; i < devices + 1; i++) registered.push(await autoRegister(iot, emulator, fleet));
    // One container: clients, configuration and CA cache built once, as in Lambda (config TTL 60 s like the handler).
    const { deps, lines } = harness(emulator);
    const [warmup, ...measured] = registered;
    const cold = await handleRegisteredEvent(warmup!.event, deps);

    const latencies: number[] = [];
    const calls: number[] = [];
    for (const device of measured) {
      const started = performance.now();
      const result = await handleRegisteredEvent(device.event, deps);
      latencies.push(performance.now() - started);
      calls.push(result.apiCalls ?? Number.NaN);
    }
    const duplicateCalls: number[] = [];
    for (const device of measured.slice(0, 50)) {
      duplicateCalls.push((await handleRegisteredEvent(device.event, deps)).apiCalls ?? Number.NaN);
    }
    const depth = lines.filter((l) => l.decision === 'onboarded').map((l) => Number(l.apiDepth));
    latencies.sort((a, b) => a - b);
    return {
      latencyP50: percentile(latencies, 50),
      latencyP99: percentile(latencies, 99),
      callsNewDeviceCold: cold.apiCalls,
      callsNewDeviceWarm: Math.max(...calls),
      callsDuplicate: Math.max(...duplicateCalls),
      depthWarm: Math.max(...depth.slice(1)),
      depthCold: depth[0],
      config: PARAMETER,
    };
  } finally {
    await emulator.stop();
  }
}

async function bundleFigures() {
  const dir = await mkdtemp(join(tmpdir(), 'jitr-bench-'));
  try {
    const onboard = await bundleFunction('onboard', dir);
    const reconcile = await bundleFunction('reconcile', dir);
    // Module load (what Lambda's INIT phase runs) in a fresh Node process, 15 times.
    const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(onboard.file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
    const loads = Array.from({ length: 15 }, () => Number(execFileSync(process.execPath, ['-e', script]).toString()));
    return {
      onboardBytes: onboard.bytes,
      reconcileBytes: reconcile.bytes,
      initMedian: median(loads),
      initMax: Math.max(...loads),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}`;
const bundle = await bundleFigures();
const handler = await handlerFigures();
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`machine: ${machine}`);
console.log(`devices measured: ${devices} (azure-sphere fleet, emulator quotas off, one warm container)`);
console.log(
  `handler latency per new device, warm: p50 ${handler.latencyP50.toFixed(2)} ms, p99 ${handler.latencyP99.toFixed(2)} ms`,
);
console.log(
  `IoT API calls per new device: ${handler.callsNewDeviceWarm} warm (CA cached), ${handler.callsNewDeviceCold} on a cold container`,
);
console.log(`IoT API calls per duplicate event: ${handler.callsDuplicate}`);
console.log(`sequential API depth of the critical path: ${handler.depthWarm} warm, ${handler.depthCold} cold`);
console.log(`bundle size (minified): onboard ${kb(bundle.onboardBytes)}, reconcile ${kb(bundle.reconcileBytes)}`);
console.log(
  `cold init (require of the bundle, fresh node): median ${bundle.initMedian.toFixed(1)} ms, max ${bundle.initMax.toFixed(1)} ms`,
);
