// Benchmark of the local MQTT gateway: TLS connections accepted per second, and 2,000 concurrent devices held with
// the emulator's RSS. The emulator runs in a child process; devices are real mqtt.js clients over TLS with SNI.
// Usage: node --import tsx bench/local-gateway.ts [--connections 1500] [--held 2000] [--parallel 100]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSecureContext } from 'node:tls';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  IoTClient,
} from '@aws-sdk/client-iot';
import mqtt, { type MqttClient } from 'mqtt';

interface Ready {
  controlPlane: string;
  mqtt: string;
  serverCa: string;
  region: string;
  accountId: string;
  iotEndpoint: string;
}

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function startEmulator(): Promise<{ child: ChildProcess; ready: Ready; lines: AsyncIterator<string> }> {
  const root = join(import.meta.dirname, '..');
  // JITR_BENCH_NODE_ARGS (e.g. "--cpu-prof") goes to the emulator process, for profiling it.
  const extra = process.env.JITR_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', join(root, 'bench', 'local-gateway-emulator.ts')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return lines.next().then((first) => ({ child, ready: JSON.parse(String(first.value)) as Ready, lines }));
}

async function emulatorRss(child: ChildProcess, lines: AsyncIterator<string>): Promise<number> {
  child.stdin!.write('rss\n');
  const next = await lines.next();
  return (JSON.parse(String(next.value)) as { rss: number }).rss;
}

async function main(): Promise<void> {
  const connections = flag('connections', 1500);
  const held = flag('held', 2000);
  const parallel = flag('parallel', 100);
  const { child, ready, lines } = await startEmulator();
  try {
    const iot = new IoTClient({
      endpoint: ready.controlPlane,
      region: ready.region,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const keys = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const resource = `arn:aws:iot:${ready.region}:${ready.accountId}:client/bench-*`;
    await iot.send(
      new CreatePolicyCommand({
        policyName: 'bench',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: resource }],
        }),
      }),
    );
    await iot.send(new AttachPolicyCommand({ policyName: 'bench', target: keys.certificateArn }));
    // One client-side TLS context for every device: what is measured is the gateway, not the clients re-parsing keys.
    const secureContext = createSecureContext({
      ca: readFileSync(ready.serverCa, 'utf8'),
      cert: keys.certificatePem ?? '',
      key: keys.keyPair?.PrivateKey ?? '',
    });
    const tls = { secureContext, servername: ready.iotEndpoint };
    const connect = (clientId: string) =>
      new Promise<MqttClient>((resolve, reject) => {
        const client = mqtt.connect(ready.mqtt, {
          ...tls,
          clientId,
          reconnectPeriod: 0,
          connectTimeout: 30_000,
          keepalive: 300,
        });
        client.once('connect', () => resolve(client));
        client.once('error', reject);
      });
    /** Connects `count` devices, at most `parallel` handshakes in flight. */
    async function connectMany(prefix: string, count: number): Promise<MqttClient[]> {
      const clients: MqttClient[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next < count) {
            const id = next++;
            clients.push(await connect(`bench-${prefix}-${id}`));
          }
        }),
      );
      return clients;
    }

    // Warm-up: the first handshakes pay for lazy initialisation on both sides.
    for (const client of await connectMany('warm', 50)) client.end(true);

    const started = performance.now();
    const burst = await connectMany('rate', connections);
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(burst.map((client) => client.endAsync(true)));
    const rate = connections / seconds;

    const rssBefore = await emulatorRss(child, lines);
    const heldStarted = performance.now();
    const devices = await connectMany('held', held);
    const heldSeconds = (performance.now() - heldStarted) / 1000;
    // Let the emulator settle with every device connected, then read its memory.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const stillConnected = devices.filter((client) => client.connected).length;
    const rssHeld = await emulatorRss(child, lines);
    await Promise.all(devices.map((client) => client.endAsync(true)));

    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} RAM, Node ${process.version}`;
    const result = {
      machine,
      tlsConnectionsPerSecond: Math.round(rate),
      connections,
      parallel,
      heldDevices: stillConnected,
      heldConnectSeconds: Number(heldSeconds.toFixed(2)),
      emulatorRssIdle: mib(rssBefore),
      emulatorRssHeld: mib(rssHeld),
      targets: { tlsConnectionsPerSecond: 300, heldDevices: 2000, rssBelow: '1024 MiB' },
      pass: rate >= 300 && stillConnected >= held && rssHeld < 1024 * 1024 * 1024,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
