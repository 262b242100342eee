import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFleetCa, type FleetDevice, issueFleetDevice } from '../../../certs/fleet.js';
import { type ConnectOutcome, connectDevice, type GatewayAddress, nextMessage } from '../../e2e/gateway-helpers.js';
import { withEmulator } from '../../helpers/aws.js';
import { json, scratchDir, spawnJitr } from './cli-harness.js';
import { deployStage } from './operator-fixture.js';

/**
 * What preconfigure sets up is enough for the real pipeline: the CLI is run as users run it (node bin/jitr.js), then a
 * device connects over TLS, the gateway auto-registers it, the rule invokes the onboard function from serverless.yml,
 * and the device's next connection succeeds, confined by the least-privilege policy to its own topics.
 */
describe('a preconfigured CA onboards its devices', () => {
  const local = withEmulator();
  const dir = scratchDir();
  let gateway: GatewayAddress;
  let device: FleetDevice;

  const connect = (clientId: string): Promise<ConnectOutcome> =>
    connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      clientId,
    );

  async function connectOnceOnboarded(): Promise<MqttClient> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const outcome = await connect(device.thingName);
      if (outcome.connected) return outcome.client;
      await sleep(250);
    }
    throw new Error('the device was not onboarded within the time allowed');
  }

  beforeAll(async () => {
    await deployStage(local.emulator);
    gateway = {
      mqtt: local.emulator.mqtt,
      serverCaPem: readFileSync(local.emulator.serverCa, 'utf8'),
      servername: local.emulator.iotEndpoint,
    };
    const signer = await createFleetCa('microchip');
    device = await issueFleetDevice(signer, {});
    const cert = dir.write('signer.pem', signer.certificatePem);
    const key = dir.write('signer.key', signer.privateKeyPem);

    const run = await spawnJitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      cert,
      '--ca-key',
      key,
      '--profile',
      'microchip',
      '--json',
    );

    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ changed: true, caCertificateId: signer.certificateId });
  });

  it('connects after JITR as its thing and uses its own topics only', async () => {
    const first = await connect(device.thingName);
    expect(first.connected).toBe(false);

    const client = await connectOnceOnboarded();
    try {
      const own = await client.subscribeAsync(`${device.thingName}/#`, { qos: 1 });
      // A refused subscription comes back as SUBACK 0x80, which mqtt.js turns into an error.
      const foreign = await client.subscribeAsync('someone-else/#', { qos: 1 }).then(
        () => 'granted',
        (error: Error) => error.message,
      );
      const received = nextMessage(client, `${device.thingName}/telemetry`);
      await client.publishAsync(`${device.thingName}/telemetry`, 'hello', { qos: 1 });

      expect(own[0]?.qos).toBe(1);
      expect(foreign).toMatch(/Subscribe error/);
      expect((await received).toString()).toBe('hello');
      expect(local.emulator.store.getThing(device.thingName)?.attributes.jitr_profile).toBe('microchip');
    } finally {
      client.end(true);
    }
  });

  it('may not connect under another client id', async () => {
    const outcome = await connect('not-my-thing');
    if (outcome.connected) outcome.client.end(true);

    expect(outcome.connected).toBe(false);
  });
});
