// Benchmark of the local MQTT gateway: TLS connections accepted per second, and 2,000 concurrent devices held with
// the emulator's RSS. The emulator runs in a child process; devices are minimal MQTT 3.1.1 clients over TLS with SNI
// and a client certificate (CONNECT, wait for CONNACK).
// Usage: node --import tsx bench/local-gateway.ts [--connections 1500] [--held 2000] [--parallel 100]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSecureContext, type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  IoTClient,
  RegisterCertificateWithoutCACommand,
} from '@aws-sdk/client-iot';
import { createRootCa, issueDeviceCertificate } from '../certs/issue.js';
import { LOCAL_ADMIN_CREDENTIALS } from '../local/iam/identities.js';

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
  const child = spawn(
    process.execPath,
    [...extra, '--import', 'tsx', join(root, 'bench', 'local-gateway-emulator.ts')],
    {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return lines.next().then((first) => ({ child, ready: JSON.parse(String(first.value)) as Ready, lines }));
}

/**
 * A minimal MQTT 3.1.1 CONNECT (clean session, no credentials): the bench's devices speak MQTT at the wire level so
 * that client-side CPU, which shares this 2-core machine with the emulator, stays small.
 */
function connectPacket(clientId: string, keepaliveSeconds: number): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const variable = Buffer.from([
    0x00,
    0x04,
    0x4d,
    0x51,
    0x54,
    0x54,
    0x04,
    0x02,
    keepaliveSeconds >> 8,
    keepaliveSeconds & 0xff,
  ]);
  const length = variable.length + 2 + id.length;
  if (length > 127) throw new Error('client id too long for this minimal encoder');
  return Buffer.concat([Buffer.from([0x10, length]), variable, Buffer.from([id.length >> 8, id.length & 0xff]), id]);
}

interface EmulatorStats {
  rss: number;
  cpuMicros: number;
}

async function emulatorStats(child: ChildProcess, lines: AsyncIterator<string>): Promise<EmulatorStats> {
  child.stdin!.write('stats\n');
  const next = await lines.next();
  return JSON.parse(String(next.value)) as EmulatorStats;
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
      // Setting up and driving the emulator is not what is measured: the admin identity.
      credentials: { ...LOCAL_ADMIN_CREDENTIALS },
    });
    // Fleet devices (ATECC608, Azure Sphere) hold P-256 keys: the bench devices do too.
    const ca = await createRootCa({ commonName: 'bench fleet CA' });
    const device = await issueDeviceCertificate(ca, { subject: { commonName: 'bench-device' } });
    const registered = await iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem: device.certificatePem, status: 'ACTIVE' }),
    );
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
    await iot.send(new AttachPolicyCommand({ policyName: 'bench', target: registered.certificateArn }));
    // One client-side TLS context for every device: what is measured is the gateway, not the clients re-parsing keys.
    const secureContext = createSecureContext({
      ca: readFileSync(ready.serverCa, 'utf8'),
      cert: device.certificatePem,
      key: device.privateKeyPem ?? '',
    });
    const tls = { secureContext, servername: ready.iotEndpoint };
    const port = Number(new URL(ready.mqtt).port);
    const connect = (clientId: string) =>
      new Promise<TLSSocket>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, ...tls });
        socket.once('secureConnect', () => socket.write(connectPacket(clientId, 300)));
        socket.once('data', (data: Buffer) => {
          // CONNACK, return code 0: 0x20 0x02 <flags> 0x00.
          if (data[0] === 0x20 && data[3] === 0x00) resolve(socket);
          else reject(new Error(`unexpected answer ${data.subarray(0, 4).toString('hex')}`));
        });
        socket.once('error', reject);
        socket.once('close', () => reject(new Error(`${clientId} closed before CONNACK`)));
      });
    /** Connects `count` devices, at most `parallel` handshakes in flight. */
    async function connectMany(prefix: string, count: number): Promise<TLSSocket[]> {
      const clients: TLSSocket[] = [];
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
    for (const socket of await connectMany('warm', 50)) socket.destroy();

    const cpuBefore = await emulatorStats(child, lines);
    const started = performance.now();
    const burst = await connectMany('rate', connections);
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = await emulatorStats(child, lines);
    // CPU the emulator spent per accepted connection: what the rate would be if it had a core to itself, whatever
    // else the machine is running (the benchmark's own clients included).
    const cpuMsPerConnection = (cpuAfter.cpuMicros - cpuBefore.cpuMicros) / 1000 / connections;
    for (const socket of burst) socket.destroy();
    const rate = connections / seconds;

    const rssBefore = (await emulatorStats(child, lines)).rss;
    const heldStarted = performance.now();
    const devices = await connectMany('held', held);
    const heldSeconds = (performance.now() - heldStarted) / 1000;
    // Let the emulator settle with every device connected, then read its memory.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const stillConnected = devices.filter((socket) => !socket.destroyed).length;
    const rssHeld = (await emulatorStats(child, lines)).rss;
    for (const socket of devices) socket.destroy();

    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} RAM, Node ${process.version}`;
    const result = {
      machine,
      loadAverage: loadavg().map((value) => Number(value.toFixed(1))),
      tlsConnectionsPerSecond: Math.round(rate),
      emulatorCpuMsPerConnection: Number(cpuMsPerConnection.toFixed(2)),
      acceptsPerSecondPerEmulatorCore: Math.round(1000 / cpuMsPerConnection),
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
