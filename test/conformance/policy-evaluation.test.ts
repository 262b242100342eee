// IoT policy variables are literal ${...} text.
import { AttachThingPrincipalCommand, CreateThingCommand, type IoTClient } from '@aws-sdk/client-iot';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, type GatewayAddress, nextMessage } from '../e2e/gateway-helpers.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { activeDevice, connected, gatewayOf, inbox } from './gateway-fixtures.js';

const ACCOUNT = '123412341234';
const arn = (rest: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:${rest}`;

describe('policy conformance: MQTT authorisation by IoT policies', () => {
  const local = withEmulator({ accountId: ACCOUNT });
  let iot: IoTClient;
  let gateway: GatewayAddress;

  beforeAll(async () => {
    iot = iotClientFor(local.emulator);
    gateway = await gatewayOf(local.emulator, iot);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-variables.html: iot:Connection.Thing.ThingName
  // resolves to the thing the certificate is attached to, and the client id must match the thing name.
  it('resolves ${iot:Connection.Thing.ThingName} only for an attached thing named like the client id', async () => {
    const statements = [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/${iot:Connection.Thing.ThingName}') },
    ];
    const attached = await activeDevice(iot, { statements, thingName: 'thing-a' });
    const unattached = await activeDevice(iot, { statements });
    await iot.send(new CreateThingCommand({ thingName: 'thing-b' }));

    const asThing = await connectDevice(gateway, attached.identity, 'thing-a');
    expect(asThing.connected).toBe(true);
    if (asThing.connected) await asThing.client.endAsync();
    expect((await connectDevice(gateway, attached.identity, 'thing-b')).connected).toBe(false);
    expect((await connectDevice(gateway, unattached.identity, 'thing-b')).connected).toBe(false);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-variables.html: iot:Connection.Thing.IsAttached
  // is "true" only when the certificate is attached to the thing the client id names.
  it('allows by the Bool iot:Connection.Thing.IsAttached condition only once the certificate is attached', async () => {
    const device = await activeDevice(iot, {
      statements: [
        {
          Effect: 'Allow',
          Action: 'iot:Connect',
          Resource: arn('client/*'),
          Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
        },
      ],
    });
    await iot.send(new CreateThingCommand({ thingName: 'thing-c' }));
    expect((await connectDevice(gateway, device.identity, 'thing-c')).connected).toBe(false);
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'thing-c', principal: device.certificateArn }));
    const outcome = await connectDevice(gateway, device.identity, 'thing-c');
    expect(outcome.connected).toBe(true);
    if (outcome.connected) await outcome.client.endAsync();
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/basic-policy-variables.html: ${iot:ClientId} is the client id
  // of the MQTT CONNECT. https://docs.aws.amazon.com/iot/latest/developerguide/iot-action-resources.html: iot:Publish
  // is checked against topic/<name>; an unauthorised publish closes the connection.
  it('authorises publishes by ${iot:ClientId} in topic resources and disconnects on a refused publish', async () => {
    const device = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/pub-*') },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic/dt/${iot:ClientId}/*') },
      ],
    });
    const client = await connected(gateway, device, 'pub-1');
    await client.publishAsync('dt/pub-1/temp', '1', { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('dt/pub-2/temp', '1', { qos: 1 });
    await expect(closed).resolves.toBeUndefined();
    expect(client.connected).toBe(false);
    client.end(true);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/mqtt.html (retained messages): publishing with the RETAIN flag
  // needs iot:RetainPublish on the topic besides iot:Publish.
  it('requires iot:RetainPublish for a retained publish', async () => {
    const retainer = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/retain-*') },
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:RetainPublish'], Resource: arn('topic/state/kept') },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic/state/plain') },
      ],
    });
    const client = await connected(gateway, retainer, 'retain-1');
    await client.publishAsync('state/kept', 'on', { qos: 1, retain: true });
    await client.publishAsync('state/plain', 'on', { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('state/plain', 'on', { qos: 1, retain: true });
    await expect(closed).resolves.toBeUndefined();
    expect(client.connected).toBe(false);
    client.end(true);
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (AWS IoT policies follow
  // it): an explicit Deny overrides any Allow, and anything not allowed is denied.
  it('lets an explicit Deny override an Allow, and subscribes only to allowed topic filters', async () => {
    const device = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/sub-1') },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter/cmd/*') },
        { Effect: 'Deny', Action: 'iot:Subscribe', Resource: arn('topicfilter/cmd/secret') },
      ],
    });
    const client = await connected(gateway, device, 'sub-1');
    expect((await client.subscribeAsync('cmd/open')).map((grant) => grant.qos)).toEqual([0]);
    await expect(client.subscribeAsync('cmd/secret')).rejects.toThrow(/Subscribe error/);
    await expect(client.subscribeAsync('other/topic')).rejects.toThrow(/Subscribe error/);
    await client.endAsync();
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/iot-action-resources.html: iot:Receive is checked per message
  // against topic/<name>, separately from iot:Subscribe on the filter.
  it('delivers only messages whose topic the subscriber may receive', async () => {
    const reader = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/reader') },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter/data/#') },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic/data/ok*') },
      ],
    });
    const writer = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/writer') },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic/data/*') },
      ],
    });
    const readerClient = await connected(gateway, reader, 'reader');
    const received = inbox(readerClient);
    await readerClient.subscribeAsync('data/#');
    const writerClient = await connected(gateway, writer, 'writer');
    await writerClient.publishAsync('data/no', 'hidden', { qos: 1 });
    const last = nextMessage(readerClient, 'data/ok-2');
    await writerClient.publishAsync('data/ok-1', 'a', { qos: 1 });
    await writerClient.publishAsync('data/ok-2', 'b', { qos: 1 });
    await last;
    expect(received.map((m) => m.topic)).toEqual(['data/ok-1', 'data/ok-2']);
    await Promise.all([readerClient.endAsync(), writerClient.endAsync()]);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/pub-sub-policy.html: in policies, MQTT wildcards are literal
  // characters of a topicfilter resource; `*` is the policy wildcard.
  it('treats + and # in a topicfilter resource literally and * as the wildcard', async () => {
    const device = await activeDevice(iot, {
      statements: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/wild') },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [arn('topicfilter/a/+'), arn('topicfilter/b/*')] },
      ],
    });
    const client = await connected(gateway, device, 'wild');
    expect((await client.subscribeAsync('a/+')).map((grant) => grant.qos)).toEqual([0]);
    await expect(client.subscribeAsync('a/x')).rejects.toThrow(/Subscribe error/);
    expect((await client.subscribeAsync('b/x/#')).map((grant) => grant.qos)).toEqual([0]);
    await client.endAsync();
  });
});
