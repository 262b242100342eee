import { createPublicKey } from 'node:crypto';
import { DescribeThingCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePublicKey } from '../../../functions/vend/csr.js';
import { attemptSession } from '../../../scripts/simulator/mqtt-session.js';
import { withEmulator } from '../../helpers/aws.js';
import { type BalenaStandIn, startBalenaStandIn } from '../../helpers/balena-stand-in.js';
import { type localClients, putSecret, STAGE, setUpVend, vendRequest } from './fixture.js';

const fromBase64 = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');

// balena mode: the device proves who it is with its own balenaCloud API key, and its credentials land in the
// environment variables of one of its services. `startBalenaStandIn` stands in for balenaCloud (api.balena-cloud.com):
// a loopback server answering the API v7 calls the endpoint makes, with the same request and answer shapes.
describe('vend endpoint with balena auth and the balena-env sink', () => {
  const local = withEmulator();
  let balena: BalenaStandIn;
  let clients: ReturnType<typeof localClients>;

  beforeAll(async () => {
    balena = await startBalenaStandIn();
    const tokenParameter = `/jitr/${STAGE}/vend/balena-token`;
    clients = await setUpVend(local.emulator, {
      auth: { mode: 'balena' },
      sink: { mode: 'balena-env', service: 'main' },
      balena: { apiUrl: balena.url, tokenParameter },
    });
    await putSecret(clients.ssm, tokenParameter, balena.operatorToken);
  });
  afterAll(async () => {
    await balena?.close();
  });

  const post = (deviceId: string, key?: string) =>
    vendRequest(local.emulator, 'POST', '/devices', { body: { deviceId }, ...(key ? { token: key } : {}) });

  it('writes AWS_CERT, AWS_PRIVATE_KEY, AWS_ROOT_CA (base64 PEM) and AWS_DATA_ENDPOINT on the service, not in the response', async () => {
    const device = balena.addDevice(['main', 'sidecar']);

    const reply = await post(device.uuid, device.apiKey);

    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ thingName: device.uuid, sink: 'balena-env', decision: 'provisioned' });
    expect(reply.body).not.toHaveProperty('privateKey');
    const variables = balena.variables(device.uuid, 'main');
    expect(Object.keys(variables).sort()).toEqual(['AWS_CERT', 'AWS_DATA_ENDPOINT', 'AWS_PRIVATE_KEY', 'AWS_ROOT_CA']);
    expect(fromBase64(variables.AWS_CERT)).toBe(reply.body.certificatePem);
    expect(fromBase64(variables.AWS_ROOT_CA)).toBe(reply.body.rootCaPem);
    expect(variables.AWS_DATA_ENDPOINT).toBe(local.emulator.iotEndpoint);
    const privateKeyPem = fromBase64(variables.AWS_PRIVATE_KEY);
    const keySpki = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' });
    expect(certificatePublicKey(fromBase64(variables.AWS_CERT))?.equals(keySpki)).toBe(true);
    expect(balena.variables(device.uuid, 'sidecar')).toEqual({});

    // What balena's cloud-relay block would do with the variables: connect.
    const session = await attemptSession(
      { url: local.emulator.mqtt, servername: variables.AWS_DATA_ENDPOINT, caPem: fromBase64(variables.AWS_ROOT_CA) },
      {
        deviceId: device.uuid,
        thingName: device.uuid,
        certificatePem: fromBase64(variables.AWS_CERT),
        privateKeyPem,
        certificateId: String(reply.body.certificateId),
      },
    );
    expect(session.kind).toBe('online');
    if (session.kind === 'online') await session.close();
  });

  it('removes the variables and deletes the Thing on DELETE, which needs the same device key', async () => {
    const device = balena.addDevice();
    await post(device.uuid, device.apiKey);

    const unauthenticated = await vendRequest(local.emulator, 'DELETE', `/devices/${device.uuid}`);
    const deleted = await vendRequest(local.emulator, 'DELETE', `/devices/${device.uuid}`, { token: device.apiKey });

    expect(unauthenticated.status).toBe(401);
    expect(deleted.status).toBe(200);
    expect(balena.variables(device.uuid, 'main')).toEqual({});
    await expect(clients.iot.send(new DescribeThingCommand({ thingName: device.uuid }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses a key balenaCloud does not know (401) and the key of another device (403), touching nothing', async () => {
    const device = balena.addDevice();
    const other = balena.addDevice();

    const unknownKey = await post(device.uuid, 'not-a-balena-key');
    const otherKey = await post(device.uuid, other.apiKey);
    const noKey = await post(device.uuid);

    expect([unknownKey.status, otherKey.status, noKey.status]).toEqual([401, 403, 401]);
    expect(otherKey.body).toEqual({ error: { code: 'FORBIDDEN', message: 'forbidden' } });
    expect(balena.variables(device.uuid, 'main')).toEqual({});
    await expect(clients.iot.send(new DescribeThingCommand({ thingName: device.uuid }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses a device of another balenaCloud account (403), although its own key is valid', async () => {
    const stranger = balena.addDevice(['main'], { foreign: true });

    const reply = await post(stranger.uuid, stranger.apiKey);

    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ error: { code: 'FORBIDDEN', message: 'forbidden' } });
    expect(balena.variables(stranger.uuid, 'main')).toEqual({});
  });

  it('accepts only balena UUIDs as device ids (400 INVALID_DEVICE_ID)', async () => {
    const reply = await post('not-a-uuid', 'whatever');

    expect(reply.status).toBe(400);
    expect(reply.body.error?.code).toBe('INVALID_DEVICE_ID');
  });

  it('sends the device key only to the device lookup, and the operator token everywhere else', () => {
    const byDevice = balena.requests.filter((r) => r.auth === 'device');

    expect(byDevice.length).toBeGreaterThan(0);
    expect(byDevice.every((r) => r.method === 'GET' && r.path.startsWith('/v7/device?'))).toBe(true);
    expect(balena.requests.some((r) => r.auth === 'operator' && r.path.startsWith('/v7/service_install'))).toBe(true);
  });
});
