import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateFleet } from '../../../scripts/simulator/fleet.js';
import { issueSimulatedDevices } from '../../../scripts/simulator/identities.js';
import type { DeviceIdentity } from '../../../scripts/simulator/model.js';
import { attemptSession, type MqttTarget } from '../../../scripts/simulator/mqtt-session.js';
import { storeLookup } from '../../../scripts/simulator/registry.js';
import { withPipeline } from '../pipeline-fixture.js';

/** How a raw connection ended: the gateway closed it, or it was still open when we gave up waiting (then we close). */
type Ending = 'closed' | 'still-open';

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Sends bytes on a plain TCP socket to the TLS port (garbage before any handshake). */
function rawTcp(target: MqttTarget, bytes: Uint8Array, waitMs: number): Promise<Ending> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port: portOf(target.url) }, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('still-open');
    }, waitMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

/** Completes the TLS handshake as an onboarded device, then sends `bytes` where MQTT packets belong. */
function afterHandshake(
  target: MqttTarget,
  identity: DeviceIdentity,
  bytes: Uint8Array,
  waitMs: number,
): Promise<Ending> {
  return new Promise((resolve) => {
    const socket = tlsConnect(
      {
        host: '127.0.0.1',
        port: portOf(target.url),
        servername: target.servername,
        ca: target.caPem,
        cert: identity.certificatePem,
        key: identity.privateKeyPem,
      },
      () => socket.write(bytes),
    );
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('still-open');
    }, waitMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

/** MQTT-shaped bytes: a packet type byte, a remaining-length that may lie, and a body (mostly CONNECT-like). */
const mqttish = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc
    .tuple(
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 0, max: 15 }),
      fc.uint8Array({ minLength: 0, maxLength: 4 }),
      fc.uint8Array({ maxLength: 48 }),
    )
    .map(([type, flags, length, body]) => Uint8Array.from([(type << 4) | flags, ...length, ...body])),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 16 }))
    .map(([protocol, level, rest]) => {
      const name = Buffer.from(protocol);
      const body = Buffer.concat([
        Buffer.from([0, name.length]),
        name,
        Buffer.from([level, 0xff, 0, 10]),
        Buffer.from(rest),
      ]);
      return Uint8Array.from([0x10, body.length & 0x7f, ...body]);
    }),
);

// The gateway's front door under fuzzing (the REST router is fuzzed in test/conformance/control-plane-wire.test.ts):
// garbage before the TLS handshake and arbitrary bytes where MQTT packets belong, from a device it knows. No input may
// take the gateway down, and every refusal it logs carries a code.
describe('the MQTT front door under fuzzing', () => {
  const pipeline = withPipeline([
    {
      profile: 'azure-sphere',
      tenantId: '2d2d2d2d-0000-4000-8000-00000000000d',
    },
  ]);
  let target: MqttTarget;
  let device: DeviceIdentity;

  beforeAll(async () => {
    const { emulator, fleets } = pipeline.current;
    target = {
      url: emulator.mqtt,
      servername: emulator.iotEndpoint,
      caPem: readFileSync(emulator.serverCa, 'utf8'),
    };
    const [onboarded] = await issueSimulatedDevices(fleets[0] ?? (undefined as never), 1);
    if (!onboarded) throw new Error('no device');
    const report = await simulateFleet({
      devices: [onboarded],
      target,
      certificateState: storeLookup(emulator.store),
      timeoutMs: 45_000,
    });
    expect(report.boot.online).toBe(1);
    device = onboarded.identity;
  }, 90_000);

  it('survives any input, logs every refusal with a code, and still serves a device', async () => {
    // Every gateway event, the per-connection ones too, reaches the test's log sink.
    const from = pipeline.current.logs.events.length;
    const raw: Ending[] = [];
    const endings: Ending[] = [];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        raw.push(await rawTcp(target, bytes, 1500));
      }),
      { numRuns: 15, seed: 5 },
    );
    await fc.assert(
      fc.asyncProperty(mqttish, async (bytes) => {
        endings.push(await afterHandshake(target, device, bytes, 1500));
      }),
      { numRuns: 25, seed: 6 },
    );
    const refusals = pipeline.current.logs.events
      .slice(from)
      .filter((line) => line.component === 'gateway' && /refused|dropped|error|failed/.test(line.event));

    const after = await attemptSession(target, device, { sequence: 1 });

    // A partial TLS record or MQTT packet may legitimately be waited for (until the handshake or keepalive timeout), so
    // how each connection ended is not asserted: that the gateway answered all of them and still serves a device is.
    expect(raw.length + endings.length).toBe(40);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.filter((line) => typeof line.code !== 'string' || line.code === '')).toEqual([]);
    expect(after.kind).toBe('online');
    if (after.kind === 'online') await after.close();
  }, 120_000);
});
