import type { IoTClient } from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUBLISH_PAYLOAD_BYTES } from '../../local/gateway/limits.js';
import { type GatewayAddress, nextMessage } from '../e2e/gateway-helpers.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { type ActiveDevice, activeDevice, connected, gatewayOf, inbox } from './gateway-fixtures.js';

const ACCOUNT = '210987654322';
const arn = (rest: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:${rest}`;

/** A device that may connect as any `limits-*` client and publish, subscribe and receive under `limits/`. */
function limitsDevice(iot: IoTClient): Promise<ActiveDevice> {
  return activeDevice(iot, {
    statements: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/limits-*') },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: arn('topic/limits/*') },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter/limits/*') },
    ],
  });
}

const closes = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

// https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits ("Message size: The payload for
// every publish request can be no larger than 128 KB. AWS IoT Core rejects publish and connect requests larger than
// this size.") and https://docs.aws.amazon.com/iot/latest/developerguide/topicdata.html (CLIENT_ERROR,
// PAYLOAD_LIMIT_EXCEEDED). An MQTT 3.1.1 client gets no error packet: its connection is closed.
describe('gateway conformance: message payload limit (128 KB)', () => {
  const local = withEmulator({ accountId: ACCOUNT });
  let gateway: GatewayAddress;
  let device: ActiveDevice;

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    gateway = await gatewayOf(local.emulator, iot);
    device = await limitsDevice(iot);
  });

  it('delivers a payload of exactly 128 KB', async () => {
    const reader = await connected(gateway, device, 'limits-reader-1');
    const writer = await connected(gateway, device, 'limits-writer-1');
    await reader.subscribeAsync('limits/exact', { qos: 1 });
    const arrival = nextMessage(reader, 'limits/exact');

    await writer.publishAsync('limits/exact', Buffer.alloc(MAX_PUBLISH_PAYLOAD_BYTES, 0x61), { qos: 1 });

    expect((await arrival).length).toBe(128 * 1024);
    await Promise.all([reader.endAsync(), writer.endAsync()]);
  });

  it('refuses a payload one byte over 128 KB: the publisher is disconnected and nothing is delivered', async () => {
    const reader = await connected(gateway, device, 'limits-reader-2');
    const received = inbox(reader);
    await reader.subscribeAsync('limits/#', { qos: 1 });
    const writer = await connected(gateway, device, 'limits-writer-2');
    const closed = closes(writer);

    writer.publish('limits/over', Buffer.alloc(MAX_PUBLISH_PAYLOAD_BYTES + 1, 0x62), { qos: 1 });
    await closed;
    writer.end(true);
    // A marker sent afterwards arrives; the broker delivers in order, so the oversized message never will.
    const after = await connected(gateway, device, 'limits-writer-3');
    const marker = nextMessage(reader, 'limits/marker');
    await after.publishAsync('limits/marker', 'after', { qos: 1 });
    await marker;

    expect(received.map((message) => message.topic)).toEqual(['limits/marker']);
    await Promise.all([reader.endAsync(), after.endAsync()]);
  });
});
