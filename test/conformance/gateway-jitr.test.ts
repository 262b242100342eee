import { DescribeCertificateCommand, type IoTClient, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuedCa, issueDeviceCertificate } from '../../certs/issue.js';
import { connectDevice, type GatewayAddress, nextMessage, tlsSessionCloses } from '../e2e/gateway-helpers.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf, registeredCa } from './control-plane-fixtures.js';
import { activeDevice, connected, gatewayOf, inbox } from './gateway-fixtures.js';

const ACCOUNT = '210987654321';
const arn = (rest: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:${rest}`;
const EVENTS = '$aws/events/certificates/registered/+';

async function newDevice(ca: IssuedCa, name: string) {
  const device = await issueDeviceCertificate(ca, { subject: { commonName: name } });
  return { ...device, identity: { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' } };
}

/** A client allowed to read the registration events (and everything under `$aws/events`), and to echo markers. */
async function eventWatcher(iot: IoTClient, gateway: GatewayAddress, clientId: string): Promise<MqttClient> {
  const device = await activeDevice(iot, {
    statements: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn(`client/${clientId}`) },
      {
        Effect: 'Allow',
        Action: ['iot:Subscribe'],
        Resource: [arn('topicfilter/$aws/events/*'), arn('topicfilter/marker/*')],
      },
      { Effect: 'Allow', Action: ['iot:Receive'], Resource: [arn('topic/$aws/events/*'), arn('topic/marker/*')] },
      { Effect: 'Allow', Action: ['iot:Publish'], Resource: arn('topic/marker/*') },
    ],
  });
  const client = await connected(gateway, device, clientId);
  await client.subscribeAsync(EVENTS);
  return client;
}

describe('gateway conformance: just-in-time registration', () => {
  const local = withEmulator({ accountId: ACCOUNT });
  let iot: IoTClient;
  let gateway: GatewayAddress;
  let watcher: MqttClient;

  beforeAll(async () => {
    iot = iotClientFor(local.emulator);
    gateway = await gatewayOf(local.emulator, iot);
    watcher = await eventWatcher(iot, gateway, 'watcher');
  });
  afterAll(async () => {
    await watcher?.endAsync();
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html
  // First connection of a certificate from a CA with auto-registration: registered PENDING_ACTIVATION, connection
  // dropped, event on $aws/events/certificates/registered/<caCertificateId>.
  it('registers an unknown certificate PENDING_ACTIVATION, drops the connection and publishes the event', async () => {
    const ca = await registeredCa(iot);
    const device = await newDevice(ca, 'jitr-1');
    const event = nextMessage(watcher, `$aws/events/certificates/registered/${ca.certificateId}`);
    const before = Date.now();

    const outcome = await connectDevice(gateway, device.identity, 'jitr-1');

    expect(outcome.connected).toBe(false);
    const body = JSON.parse((await event).toString());
    expect(Object.keys(body).sort()).toEqual([
      'awsAccountId',
      'caCertificateId',
      'certificateId',
      'certificateRegistrationTimestamp',
      'certificateStatus',
      'timestamp',
    ]);
    expect(body).toMatchObject({
      certificateId: device.certificateId,
      caCertificateId: ca.certificateId,
      certificateStatus: 'PENDING_ACTIVATION',
      awsAccountId: ACCOUNT,
    });
    expect(body.timestamp).toBeGreaterThanOrEqual(before);
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(described.certificateDescription?.status).toBe('PENDING_ACTIVATION');
    // The documented types: `"timestamp": timestamp` (a number), `"certificateRegistrationTimestamp": "..."` (a string),
    // both epoch milliseconds; the registration time is the certificate's creation date.
    expect(typeof body.timestamp).toBe('number');
    expect(body.certificateRegistrationTimestamp).toMatch(/^\d+$/);
    expect(Number(body.certificateRegistrationTimestamp)).toBe(
      described.certificateDescription?.creationDate?.getTime(),
    );
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html
  // Auto-registration happens only for a registered CA that is ACTIVE with auto-registration enabled.
  it('registers nothing for a CA with auto-registration off, an INACTIVE CA, or a certificate the CA did not sign', async () => {
    const off = await registeredCa(iot, { autoRegistration: false });
    const inactive = await registeredCa(iot, { active: false });
    const trusted = await registeredCa(iot, { commonName: 'Shared Subject CA' });
    const impostor = await registeredCa(iot, { commonName: 'Shared Subject CA', autoRegistration: false });
    const candidates = [
      await newDevice(off, 'off'),
      await newDevice(inactive, 'inactive'),
      // Same issuer name as `trusted`, but signed by another key whose CA does not auto-register.
      await newDevice(impostor, 'impostor'),
    ];
    for (const device of candidates) {
      expect((await connectDevice(gateway, device.identity, 'x')).connected).toBe(false);
      const failure = await failureOf(
        iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId })),
      );
      expect(failure.name).toBe('ResourceNotFoundException');
    }
    expect(trusted.certificateId).not.toBe(impostor.certificateId);
  });

  // DESIGN.md / auto-register-device-cert.html: a device retrying with a still-pending certificate triggers the event again.
  it('publishes the registration event again on every connection of a still-pending certificate', async () => {
    const ca = await registeredCa(iot);
    const device = await newDevice(ca, 'jitr-again');
    const topic = `$aws/events/certificates/registered/${ca.certificateId}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const event = nextMessage(watcher, topic);
      expect((await connectDevice(gateway, device.identity, 'jitr-again')).connected).toBe(false);
      expect(JSON.parse((await event).toString()).certificateId).toBe(device.certificateId);
    }
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/jit-provisioning.html ("...must send the Server Name
  // Indication (SNI) extension"; presenting the CA certificate is optional).
  it('closes a connection without SNI and registers nothing, but accepts the CA in the chain', async () => {
    const ca = await registeredCa(iot);
    const port = Number(new URL(local.emulator.mqtt).port);
    const noSni = await newDevice(ca, 'no-sni');
    expect(
      await tlsSessionCloses(port, {
        ca: gateway.serverCaPem,
        cert: noSni.certificatePem,
        key: noSni.privateKeyPem ?? '',
      }),
    ).toBe(true);
    expect(local.emulator.store.getCertificate(noSni.certificateId)).toBeUndefined();

    const withChain = await newDevice(ca, 'with-chain');
    await connectDevice(gateway, { ...withChain.identity, chainPem: withChain.chainPem }, 'with-chain');
    expect(local.emulator.store.getCertificate(withChain.certificateId)?.status).toBe('PENDING_ACTIVATION');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateCertificate.html: only ACTIVE certificates connect,
  // and moving a certificate away from ACTIVE disconnects the devices using it; REVOKED is final.
  it('connects only ACTIVE certificates and disconnects a device whose certificate is deactivated', async () => {
    const device = await activeDevice(iot, {
      statements: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/status-*') }],
    });
    const client = await connected(gateway, device, 'status-1');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await iot.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'INACTIVE' }));
    await closed;
    client.end(true);
    expect((await connectDevice(gateway, device.identity, 'status-2')).connected).toBe(false);
    await iot.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'REVOKED' }));
    expect((await connectDevice(gateway, device.identity, 'status-3')).connected).toBe(false);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/reserved-topics.html and MQTT 3.1.1 §4.7.2: topics starting
  // with $ are not matched by a leading wildcard, and clients cannot publish AWS's event topics.
  it('does not deliver registration events to a # subscriber and refuses client publishes to $aws/events', async () => {
    const everything = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/greedy') },
        {
          Effect: 'Allow',
          Action: ['iot:Subscribe', 'iot:Receive', 'iot:Publish'],
          Resource: [arn('topicfilter/*'), arn('topic/*')],
        },
      ],
    });
    const greedy = await connected(gateway, everything, 'greedy');
    const received = inbox(greedy);
    await greedy.subscribeAsync('#');
    const ca = await registeredCa(iot);
    const event = nextMessage(watcher, `$aws/events/certificates/registered/${ca.certificateId}`);
    await connectDevice(gateway, (await newDevice(ca, 'hidden')).identity, 'hidden');
    await event;
    await greedy.publishAsync('plain/topic', 'x');
    await nextMessage(greedy, 'plain/topic');
    expect(received.filter((m) => m.topic.startsWith('$'))).toEqual([]);

    const closed = new Promise<void>((resolve) => greedy.once('close', () => resolve()));
    greedy.publish(`$aws/events/certificates/registered/${ca.certificateId}`, '{"forged":true}', { qos: 1 });
    await closed;
    greedy.end(true);
  });
});

describe('gateway conformance: registration event faults', () => {
  // https://docs.aws.amazon.com/iot/latest/developerguide/iot-events.html: "Event messages are guaranteed to be published
  // once. It is possible for them to be published more than once." The emulator makes that happen under --faults.
  const duplicating = withEmulator({ accountId: ACCOUNT, faults: 'rate=1,kinds=dup-event', seed: 7 });
  const dropping = withEmulator({ accountId: ACCOUNT, faults: 'rate=1,kinds=drop-event', seed: 7 });

  /** Events for `certificateId` the watcher got before a marker it published after the device was dropped. */
  async function eventsSeen(
    emulator: typeof duplicating.emulator,
    name: string,
  ): Promise<{ events: number; status?: string }> {
    const iot = iotClientFor(emulator);
    const gateway = await gatewayOf(emulator, iot);
    const watcher = await eventWatcher(iot, gateway, `${name}-watcher`);
    const received = inbox(watcher);
    const ca = await registeredCa(iot);
    const device = await newDevice(ca, name);
    await connectDevice(gateway, device.identity, name);
    // Events are published before the device's connection closes; the broker delivers in order, so once the
    // watcher's own marker comes back every copy of the event has arrived.
    await watcher.subscribeAsync(`marker/${name}`);
    await watcher.publishAsync(`marker/${name}`, 'm');
    await nextMessage(watcher, `marker/${name}`);
    await watcher.endAsync();
    const events = received.filter((m) => m.topic.startsWith('$aws/events/certificates/registered/'));
    return {
      events: events.filter((m) => JSON.parse(m.payload).certificateId === device.certificateId).length,
      ...(emulator.store.getCertificate(device.certificateId)
        ? { status: emulator.store.getCertificate(device.certificateId)?.status }
        : {}),
    };
  }

  it('publishes a registration event twice under dup-event', async () => {
    expect(await eventsSeen(duplicating.emulator, 'dup')).toEqual({ events: 2, status: 'PENDING_ACTIVATION' });
  });

  it('registers the certificate but publishes no event under drop-event', async () => {
    expect(await eventsSeen(dropping.emulator, 'drop')).toEqual({ events: 0, status: 'PENDING_ACTIVATION' });
  });
});
