// IoT policy variables are literal ${...} text.
import { readFileSync } from 'node:fs';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateTopicRuleCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRootCa,
  createVerificationCertificate,
  type IssuedCa,
  issueDeviceCertificate,
} from '../../certs/issue.js';
import { iotClientFor, sqsClientFor, withEmulator } from '../helpers/aws.js';
import {
  connectDevice,
  type GatewayAddress,
  nextMessage,
  rawSocketCloses,
  tlsSessionCloses,
} from './gateway-helpers.js';

// The JITR round trip with real clients: the AWS SDK against the control plane, mqtt.js devices over TLS with SNI.
// AWS: https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html
describe('gateway: just-in-time registration end to end', () => {
  const local = withEmulator({ region: 'eu-west-1', accountId: '111122223333' });
  const arn = (rest: string) => `arn:aws:iot:eu-west-1:111122223333:${rest}`;
  let gateway: GatewayAddress;
  let fleetCa: IssuedCa;
  let watcher: Awaited<ReturnType<typeof connectDevice>>;

  beforeAll(async () => {
    const { emulator } = local;
    const iot = iotClientFor(emulator);
    const sqs = sqsClientFor(emulator);
    const endpoint = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    gateway = {
      mqtt: emulator.mqtt,
      serverCaPem: readFileSync(emulator.serverCa, 'utf8'),
      servername: endpoint.endpointAddress ?? '',
    };

    fleetCa = await createRootCa({ commonName: 'Gateway e2e fleet CA' });
    const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
    const verification = await createVerificationCertificate(fleetCa, registrationCode ?? '');
    await iot.send(
      new RegisterCACertificateCommand({
        caCertificate: fleetCa.certificatePem,
        verificationCertificate: verification.certificatePem,
        setAsActive: true,
        allowAutoRegistration: true,
      }),
    );

    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'registrations' }));
    // The rule's actions act as role `r` (IAM is on): it exists, trusts AWS IoT and may send to the queue.
    local.emulator.iam.defineRole({
      name: 'r',
      arn: 'arn:aws:iam::111122223333:role/r',
      trustedServices: ['iot.amazonaws.com'],
      policies: [
        {
          name: 'send',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:*:111122223333:registrations' },
            ],
          },
        },
      ],
    });
    await iot.send(
      new CreateTopicRuleCommand({
        ruleName: 'jitr_e2e',
        topicRulePayload: {
          sql: `SELECT * FROM '$aws/events/certificates/registered/${fleetCa.certificateId}'`,
          awsIotSqlVersion: '2016-03-23',
          ruleDisabled: false,
          actions: [
            { republish: { topic: 'watch/registered', roleArn: 'arn:aws:iam::111122223333:role/r' } },
            { sqs: { queueUrl: queue.QueueUrl ?? '', roleArn: 'arn:aws:iam::111122223333:role/r' } },
          ],
        },
      }),
    );

    // A watcher with an ordinary active certificate that may read the reserved registration topic.
    const keys = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await iot.send(
      new CreatePolicyCommand({
        policyName: 'watcher',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/watcher') },
            {
              Effect: 'Allow',
              Action: 'iot:Subscribe',
              Resource: [arn('topicfilter/watch/*'), arn('topicfilter/$aws/events/certificates/registered/*')],
            },
            { Effect: 'Allow', Action: 'iot:Receive', Resource: [arn('topic/watch/*'), arn('topic/$aws/events/*')] },
          ],
        }),
      }),
    );
    await iot.send(new AttachPolicyCommand({ policyName: 'watcher', target: keys.certificateArn }));
    watcher = await connectDevice(
      gateway,
      { certificatePem: keys.certificatePem ?? '', privateKeyPem: keys.keyPair?.PrivateKey ?? '' },
      'watcher',
    );
    if (!watcher.connected) throw new Error(`the watcher could not connect: ${watcher.reason}`);
    await watcher.client.subscribeAsync(['watch/registered', '$aws/events/certificates/registered/+']);
  });

  afterAll(async () => {
    if (watcher?.connected) await watcher.client.endAsync();
  });

  it('drops a new device with no CONNACK, registers it PENDING_ACTIVATION and delivers the event to the rule and subscribers', async () => {
    const { emulator } = local;
    const iot = iotClientFor(emulator);
    const device = await issueDeviceCertificate(fleetCa, { subject: { commonName: 'sensor-0001' } });
    if (!watcher.connected) throw new Error('watcher not connected');
    const republished = nextMessage(watcher.client, 'watch/registered');
    const reserved = nextMessage(watcher.client, `$aws/events/certificates/registered/${fleetCa.certificateId}`);

    const first = await connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      'sensor-0001',
    );

    expect(first.connected).toBe(false);
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    expect(described.certificateDescription?.status).toBe('PENDING_ACTIVATION');
    expect(described.certificateDescription?.caCertificateId).toBe(fleetCa.certificateId);
    const event = JSON.parse((await republished).toString());
    expect(event).toMatchObject({
      certificateId: device.certificateId,
      caCertificateId: fleetCa.certificateId,
      certificateStatus: 'PENDING_ACTIVATION',
      awsAccountId: '111122223333',
    });
    expect(typeof event.timestamp).toBe('number');
    expect(JSON.parse((await reserved).toString()).certificateId).toBe(device.certificateId);

    const sqs = sqsClientFor(emulator);
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${emulator.controlPlane}/111122223333/registrations`,
        WaitTimeSeconds: 2,
      }),
    );
    expect(JSON.parse(received.Messages?.[0]?.Body ?? '{}').certificateId).toBe(device.certificateId);
  });

  it('publishes the event again when a still-pending device reconnects, also when it sends its CA in the chain', async () => {
    const device = await issueDeviceCertificate(fleetCa, { subject: { commonName: 'sensor-0002' } });
    const identity = {
      certificatePem: device.certificatePem,
      privateKeyPem: device.privateKeyPem ?? '',
      chainPem: device.chainPem,
    };
    if (!watcher.connected) throw new Error('watcher not connected');
    expect((await connectDevice(gateway, identity, 'sensor-0002')).connected).toBe(false);

    const again = nextMessage(watcher.client, 'watch/registered');
    expect((await connectDevice(gateway, identity, 'sensor-0002')).connected).toBe(false);
    expect(JSON.parse((await again).toString()).certificateId).toBe(device.certificateId);
  });

  it('lets an activated device connect and holds it to its policy', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await issueDeviceCertificate(fleetCa, { subject: { commonName: 'sensor-0003' } });
    const identity = { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' };
    expect((await connectDevice(gateway, identity, 'sensor-0003')).connected).toBe(false);

    const certificateArn = arn(`cert/${device.certificateId}`);
    await iot.send(new CreateThingCommand({ thingName: 'sensor-0003' }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'sensor-0003', principal: certificateArn }));
    await iot.send(
      new CreatePolicyCommand({
        policyName: 'device',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/${iot:Connection.Thing.ThingName}') },
            { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic/dt/${iot:Connection.Thing.ThingName}/*') },
            {
              Effect: 'Allow',
              Action: 'iot:Subscribe',
              Resource: arn('topicfilter/cmd/${iot:Connection.Thing.ThingName}'),
            },
          ],
        }),
      }),
    );
    await iot.send(new AttachPolicyCommand({ policyName: 'device', target: certificateArn }));
    await iot.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'ACTIVE' }));

    const wrongId = await connectDevice(gateway, identity, 'someone-else');
    expect(wrongId.connected).toBe(false);

    const session = await connectDevice(gateway, identity, 'sensor-0003');
    expect(session.connected).toBe(true);
    if (!session.connected) return;
    const granted = await session.client.subscribeAsync('cmd/sensor-0003');
    expect(granted.map((grant) => grant.qos)).toEqual([0]);
    // A refused filter comes back as SUBACK failure (0x80), which mqtt.js raises as an error.
    await expect(session.client.subscribeAsync('cmd/other')).rejects.toThrow(/Subscribe error/);
    await session.client.publishAsync('dt/sensor-0003/temp', '21', { qos: 1 });
    const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
    session.client.publish('dt/other/temp', '21', { qos: 1 });
    await closed;
    session.client.end(true);
  });

  it('refuses a device whose CA is not registered and registers nothing', async () => {
    const stranger = await createRootCa({ commonName: 'Gateway e2e fleet CA' });
    const device = await issueDeviceCertificate(stranger, { subject: { commonName: 'intruder' } });
    const outcome = await connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      'intruder',
    );
    expect(outcome.connected).toBe(false);
    expect(local.emulator.store.getCertificate(device.certificateId)).toBeUndefined();
  });

  it('survives random bytes instead of a TLS handshake and keeps serving', async () => {
    const port = Number(new URL(local.emulator.mqtt).port);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), (bytes) =>
        rawSocketCloses(port, Buffer.from(bytes), { hangUp: true }),
      ),
      { numRuns: 50 },
    );
    // A real device is still served afterwards: its handshake completes and JITR registers it.
    const device = await issueDeviceCertificate(fleetCa, { subject: { commonName: 'after-fuzz' } });
    await connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      'f',
    );
    expect(local.emulator.store.getCertificate(device.certificateId)?.status).toBe('PENDING_ACTIVATION');
    if (!watcher.connected) throw new Error('watcher not connected');
    expect(watcher.client.connected).toBe(true);
  });

  it('closes garbage, TLS without a client certificate and TLS without SNI, and keeps serving', async () => {
    const port = Number(new URL(local.emulator.mqtt).port);
    const device = await issueDeviceCertificate(fleetCa, { subject: { commonName: 'sensor-0004' } });
    expect(await rawSocketCloses(port, Buffer.from('GET / HTTP/1.1\r\n\r\n\u0000\u00ff garbage'))).toBe(true);
    expect(await tlsSessionCloses(port, { ca: gateway.serverCaPem, servername: gateway.servername })).toBe(true);
    expect(
      await tlsSessionCloses(port, {
        ca: gateway.serverCaPem,
        cert: device.certificatePem,
        key: device.privateKeyPem ?? '',
      }),
    ).toBe(true);
    // Garbage inside an accepted TLS session (an ACTIVE certificate) is a protocol error: closed, nothing else.
    const keys = await iotClientFor(local.emulator).send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const garbage = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97 + 13) % 256));
    expect(
      await tlsSessionCloses(port, {
        ca: gateway.serverCaPem,
        servername: gateway.servername,
        cert: keys.certificatePem ?? '',
        key: keys.keyPair?.PrivateKey ?? '',
        payload: garbage,
      }),
    ).toBe(true);
    // Nothing was registered for the connection without SNI, and the gateway still answers a real device.
    expect(local.emulator.store.getCertificate(device.certificateId)).toBeUndefined();
    const outcome = await connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      'sensor-0004',
    );
    expect(outcome.connected).toBe(false);
    expect(local.emulator.store.getCertificate(device.certificateId)?.status).toBe('PENDING_ACTIVATION');
  });
});
