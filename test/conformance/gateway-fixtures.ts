import { readFileSync } from 'node:fs';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DescribeEndpointCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { LocalEmulator } from '../../local/server.js';
import { connectDevice, type DeviceIdentity, type GatewayAddress } from '../e2e/gateway-helpers.js';

/** Where devices reach the emulator's gateway, with the SNI DescribeEndpoint gives. */
export async function gatewayOf(emulator: LocalEmulator, iot: IoTClient): Promise<GatewayAddress> {
  const endpoint = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
  return {
    mqtt: emulator.mqtt,
    serverCaPem: readFileSync(emulator.serverCa, 'utf8'),
    servername: endpoint.endpointAddress ?? '',
  };
}

export interface ActiveDevice {
  identity: DeviceIdentity;
  certificateArn: string;
  certificateId: string;
}

let counter = 0;

/** An ACTIVE certificate from CreateKeysAndCertificate with its own policy attached, optionally attached to a thing. */
export async function activeDevice(
  iot: IoTClient,
  options: { statements: object[]; thingName?: string },
): Promise<ActiveDevice> {
  const keys = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const policyName = `gateway-conformance-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  await iot.send(
    new CreatePolicyCommand({
      policyName,
      policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: options.statements }),
    }),
  );
  await iot.send(new AttachPolicyCommand({ policyName, target: keys.certificateArn }));
  if (options.thingName) {
    await iot.send(new CreateThingCommand({ thingName: options.thingName }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: options.thingName, principal: keys.certificateArn }));
  }
  return {
    identity: { certificatePem: keys.certificatePem ?? '', privateKeyPem: keys.keyPair?.PrivateKey ?? '' },
    certificateArn: keys.certificateArn ?? '',
    certificateId: keys.certificateId ?? '',
  };
}

/** Connects and returns the client, or throws: for devices the test needs connected. */
export async function connected(gateway: GatewayAddress, device: ActiveDevice, clientId: string) {
  const outcome = await connectDevice(gateway, device.identity, clientId);
  if (!outcome.connected) throw new Error(`${clientId} could not connect: ${outcome.reason}`);
  return outcome.client;
}

/** Collects every message a client receives, by topic. */
export function inbox(client: { on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown }) {
  const received: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}
