// Benchmark of the local control plane: AWS IoT calls per second, with the real AWS SDK and with raw HTTP keep-alive.
// The emulator runs in its own process (`jitr local start`, quotas off); the client runs here with `--parallel` calls
// in flight. The mix is what onboarding does per device: DescribeCertificate, DescribeThing, CreateThing (idempotent),
// AttachThingPrincipal, ListThingPrincipals. The SDK figure is bounded by the SDK's own CPU cost per call (serde and
// SigV4 signing, ~2 ms here), so the raw figure, same requests on the wire, is the emulator's capacity.
// Usage: node --import tsx bench/local-control-plane.ts [--seconds 5] [--parallel 32]
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  IoTClient,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_ADMIN_CREDENTIALS } from '../local/iam/identities.js';

interface Ready {
  controlPlane: string;
  region: string;
}

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function startEmulator(): Promise<{ child: ChildProcess; ready: Ready }> {
  const root = join(import.meta.dirname, '..');
  const script = "const { main } = await import('./scripts/jitr.ts'); await main(['local', 'start', '--json']);";
  const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  return { child, ready: JSON.parse(String(first.value)) as Ready };
}

/** Runs `call` from `parallel` loops for `seconds`; returns calls per second and latency percentiles (ms). */
async function measure(seconds: number, parallel: number, call: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await call(counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2));
  return {
    calls: latencies.length,
    callsPerSecond: Math.round(latencies.length / elapsed),
    p50: at(0.5),
    p99: at(0.99),
  };
}

async function main(): Promise<void> {
  const seconds = flag('seconds', 5);
  const parallel = flag('parallel', 32);
  const { child, ready } = await startEmulator();
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: parallel });
    const iot = new IoTClient({
      endpoint: ready.controlPlane,
      region: ready.region,
      // Setting up and driving the emulator is not what is measured: the admin identity.
      credentials: { ...LOCAL_ADMIN_CREDENTIALS },
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    // Prepare: one certificate and one thing per slot, so the mix reads and writes real records.
    const slots = 16;
    const devices: { certificateId: string; certificateArn: string; thing: string }[] = [];
    for (let i = 0; i < slots; i++) {
      const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await iot.send(new CreateThingCommand({ thingName: `bench-${i}` }));
      devices.push({
        certificateId: created.certificateId ?? '',
        certificateArn: created.certificateArn ?? '',
        thing: `bench-${i}`,
      });
    }
    const sdkCall = async (i: number) => {
      const device = devices[i % slots]!;
      switch (i % 5) {
        case 0:
          await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
          break;
        case 1:
          await iot.send(new DescribeThingCommand({ thingName: device.thing }));
          break;
        case 2:
          await iot.send(new CreateThingCommand({ thingName: device.thing }));
          break;
        case 3:
          await iot.send(
            new AttachThingPrincipalCommand({ thingName: device.thing, principal: device.certificateArn }),
          );
          break;
        default:
          await iot.send(new ListThingPrincipalsCommand({ thingName: device.thing }));
      }
    };
    // The same five calls on the wire as the SDK sends them (method, path, header, JSON body), without the SDK's CPU.
    const base = new URL(ready.controlPlane);
    const rawCall = (i: number) => {
      const device = devices[i % slots]!;
      const principal = { 'x-amzn-principal': device.certificateArn };
      const [method, path, headers, body] = [
        ['GET', `/certificates/${device.certificateId}`, {}, undefined],
        ['GET', `/things/${device.thing}`, {}, undefined],
        ['POST', `/things/${device.thing}`, { 'content-type': 'application/json' }, '{}'],
        ['PUT', `/things/${device.thing}/principals`, principal, undefined],
        ['GET', `/things/${device.thing}/principals`, {}, undefined],
      ][i % 5] as [string, string, Record<string, string>, string | undefined];
      return new Promise<void>((resolve, reject) => {
        const req = request({ host: base.hostname, port: base.port, path, method, headers, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    };
    await measure(1, parallel, sdkCall); // warm-up (JIT, sockets)
    await measure(1, parallel, rawCall);
    const sdk = await measure(seconds, parallel, sdkCall);
    const raw = await measure(seconds, parallel, rawCall);
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const result = { benchmark: 'local-control-plane', seconds, parallel, machine, sdk, raw, target: 2000 };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stderr.write(
      `control plane: SDK ${sdk.callsPerSecond} calls/s (p50 ${sdk.p50} ms, p99 ${sdk.p99} ms); ` +
        `raw HTTP keep-alive ${raw.callsPerSecond} calls/s (p50 ${raw.p50} ms, p99 ${raw.p99} ms); target >= 2000\n`,
    );
    agent.destroy();
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
