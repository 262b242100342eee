import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../../certs/keygen.js';
import { csrForKey } from '../../../scripts/simulator/identities.js';
import { attemptSession } from '../../../scripts/simulator/mqtt-session.js';
import { withEmulator } from '../../helpers/aws.js';
import { csrOfType } from '../../helpers/csr.js';
import {
  FAILED_AUTH_PER_SOURCE,
  type localClients,
  STAGE,
  setUpVend,
  tokenFor,
  VEND_POLICY,
  vendRequest,
} from './fixture.js';

// The vending endpoint end to end on the emulator: device-side HTTP requests to the local HTTP API, the `vend` function
// of serverless.yml run by the Lambda runner, the real AWS SDK inside it, real mqtt.js devices over TLS afterwards.
describe('vend endpoint with claim tokens', () => {
  const local = withEmulator();
  let clients: ReturnType<typeof localClients>;
  // The function's log lines (CloudWatch Logs in AWS) reach the emulator's log sink as `[jitr-dev-vend] {...}`.
  const logLines = () => local.logs.functionLines.filter((line) => line.startsWith('[jitr-dev-vend]'));

  beforeAll(async () => {
    clients = await setUpVend(local.emulator);
  });

  const emulator = () => local.emulator;
  const thing = (name: string) =>
    clients.iot.send(new DescribeThingCommand({ thingName: name })).catch((error: Error) => error.name);
  const principals = async (name: string) =>
    (await clients.iot.send(new ListThingPrincipalsCommand({ thingName: name }))).principals ?? [];
  const status = async (certificateId: string) =>
    (await clients.iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription?.status;

  async function online(body: Record<string, unknown>, privateKeyPem: string) {
    const outcome = await attemptSession(
      { url: emulator().mqtt, servername: String(body.endpoint), caPem: String(body.rootCaPem) },
      {
        deviceId: String(body.thingName),
        thingName: String(body.thingName),
        certificatePem: String(body.certificatePem),
        privateKeyPem,
        certificateId: String(body.certificateId),
      },
    );
    if (outcome.kind === 'online') await outcome.close();
    return outcome.kind;
  }

  it('provisions from a CSR: the key never leaves the device, ACTIVE certificate on a vend-bound Thing, online over MQTT', async () => {
    const { privateKeyPem } = await generateKey('P-256');
    const token = await tokenFor(clients.ssm, 'Sensor-CSR-1');
    const csr = await csrForKey(privateKeyPem, 'Sensor-CSR-1');

    const reply = await vendRequest(emulator(), 'POST', '/devices', { token, body: { deviceId: 'Sensor-CSR-1', csr } });

    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ thingName: 'sensor-csr-1', decision: 'provisioned', sink: 'response' });
    expect(reply.body).not.toHaveProperty('privateKey');
    expect(reply.body.endpoint).toBe(emulator().iotEndpoint);
    const certificateId = String(reply.body.certificateId);
    expect(await status(certificateId)).toBe('ACTIVE');
    expect(await principals('sensor-csr-1')).toEqual([expect.stringContaining(certificateId)]);
    expect(await thing('sensor-csr-1')).toMatchObject({ attributes: { jitr_source: 'vend' } });
    const policies = await clients.iot.send(
      new ListAttachedPoliciesCommand({ target: (await principals('sensor-csr-1'))[0] }),
    );
    expect(policies.policies?.map((p) => p.policyName)).toEqual([VEND_POLICY]);
    expect(await online(reply.body, privateKeyPem)).toBe('online');
  });

  it('generates the key pair when there is no CSR, returns it once, and a retry returns the same certificate without it', async () => {
    const token = await tokenFor(clients.ssm, 'sensor-keygen-1');

    const first = await vendRequest(emulator(), 'POST', '/devices', { token, body: { deviceId: 'sensor-keygen-1' } });
    const again = await vendRequest(emulator(), 'POST', '/devices', { token, body: { deviceId: 'sensor-keygen-1' } });

    expect(first.status).toBe(201);
    expect(String(first.body.privateKey)).toMatch(/-----BEGIN (RSA )?PRIVATE KEY-----/);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ decision: 'existing', certificateId: first.body.certificateId });
    expect(again.body).not.toHaveProperty('privateKey');
    expect(await principals('sensor-keygen-1')).toHaveLength(1);
    expect(await online(first.body, String(first.body.privateKey))).toBe('online');
  });

  it('issues a new certificate only on rotate, and retires the one it replaces', async () => {
    const token = await tokenFor(clients.ssm, 'sensor-rotate-1');
    const first = await vendRequest(emulator(), 'POST', '/devices', { token, body: { deviceId: 'sensor-rotate-1' } });

    const rotated = await vendRequest(emulator(), 'POST', '/devices', {
      token,
      body: { deviceId: 'sensor-rotate-1', rotate: true },
    });

    expect(rotated.status).toBe(201);
    expect(rotated.body.decision).toBe('rotated');
    expect(rotated.body.certificateId).not.toBe(first.body.certificateId);
    expect(await principals('sensor-rotate-1')).toEqual([expect.stringContaining(String(rotated.body.certificateId))]);
    await expect(status(String(first.body.certificateId))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await online(rotated.body, String(rotated.body.privateKey))).toBe('online');
  });

  it('refuses a CSR for another key once provisioned (409 KEY_MISMATCH), never "already exists"', async () => {
    const token = await tokenFor(clients.ssm, 'sensor-csr-2');
    const one = await generateKey('P-256');
    const two = await generateKey('P-256');
    await vendRequest(emulator(), 'POST', '/devices', {
      token,
      body: { deviceId: 'sensor-csr-2', csr: await csrForKey(one.privateKeyPem, 'x') },
    });

    const same = await vendRequest(emulator(), 'POST', '/devices', {
      token,
      body: { deviceId: 'sensor-csr-2', csr: await csrForKey(one.privateKeyPem, 'x') },
    });
    const other = await vendRequest(emulator(), 'POST', '/devices', {
      token,
      body: { deviceId: 'sensor-csr-2', csr: await csrForKey(two.privateKeyPem, 'x') },
    });

    expect(same.status).toBe(200);
    expect(same.body.decision).toBe('existing');
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe('KEY_MISMATCH');
  });

  it('deprovisions on DELETE: certificates revoked and deleted, Thing deleted, token void', async () => {
    const token = await tokenFor(clients.ssm, 'sensor-delete-1');
    const made = await vendRequest(emulator(), 'POST', '/devices', { token, body: { deviceId: 'sensor-delete-1' } });

    const deleted = await vendRequest(emulator(), 'DELETE', '/devices/sensor-delete-1', { token });

    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      thingName: 'sensor-delete-1',
      deleted: true,
      retired: [made.body.certificateId],
    });
    expect(await thing('sensor-delete-1')).toBe('ResourceNotFoundException');
    await expect(status(String(made.body.certificateId))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      clients.ssm.send(new GetParameterCommand({ Name: `/jitr/${STAGE}/vend/tokens/sensor-delete-1` })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });
    const replayPost = await vendRequest(emulator(), 'POST', '/devices', {
      token,
      body: { deviceId: 'sensor-delete-1' },
    });
    const replayDelete = await vendRequest(emulator(), 'DELETE', '/devices/sensor-delete-1', { token });
    expect([replayPost.status, replayDelete.status]).toEqual([401, 401]);
    expect(await thing('sensor-delete-1')).toBe('ResourceNotFoundException');
  });

  describe('authentication failures answer 401/403 with nothing but the status code', () => {
    const post = (deviceId: string, options: Parameters<typeof vendRequest>[3]) =>
      vendRequest(emulator(), 'POST', '/devices', { body: { deviceId }, ...options });

    it.each([
      ['no Authorization header', {}],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a bearer that is not a claim token', { token: 'not-a-token' }],
      [
        'a well-formed token that was never made',
        { token: `jvt.${Buffer.from('sensor-auth-1').toString('base64url')}.${'A'.repeat(43)}` },
      ],
    ])('401 for %s', async (_label, options) => {
      await tokenFor(clients.ssm, 'sensor-auth-1');

      const reply = await post('sensor-auth-1', options);

      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(await thing('sensor-auth-1')).toBe('ResourceNotFoundException');
    });

    it('403 for the token of another device, on POST and on DELETE, and that device stays untouched', async () => {
      const mine = await tokenFor(clients.ssm, 'sensor-auth-2');
      const theirs = await tokenFor(clients.ssm, 'sensor-auth-3');
      await vendRequest(emulator(), 'POST', '/devices', { token: theirs, body: { deviceId: 'sensor-auth-3' } });

      const provision = await post('sensor-auth-3', { token: mine });
      const remove = await vendRequest(emulator(), 'DELETE', '/devices/sensor-auth-3', { token: mine });

      expect([provision.status, remove.status]).toEqual([403, 403]);
      expect(provision.body).toEqual({ error: { code: 'FORBIDDEN', message: 'forbidden' } });
      expect(await principals('sensor-auth-3')).toHaveLength(1);
    });

    it('401 for a replaced token: a new `token create` voids the previous one', async () => {
      const old = await tokenFor(clients.ssm, 'sensor-auth-4');
      await tokenFor(clients.ssm, 'sensor-auth-4');

      expect((await post('sensor-auth-4', { token: old })).status).toBe(401);
    });
  });

  describe('request validation', () => {
    it.each([
      ['a body that is not JSON', { rawBody: '{"deviceId":' }, 400, 'BODY_NOT_JSON'],
      ['a JSON array', { rawBody: '[1,2]' }, 400, 'BODY_NOT_OBJECT'],
      ['an unknown field', { body: { deviceId: 'a1', admin: true } }, 400, 'UNKNOWN_FIELD'],
      ['a missing deviceId', { body: { csr: 'x' } }, 400, 'INVALID_FIELD'],
      ['a deviceId with a slash', { body: { deviceId: 'a/b' } }, 400, 'INVALID_DEVICE_ID'],
      ['a deviceId of 129 characters', { body: { deviceId: 'a'.repeat(129) } }, 400, 'INVALID_DEVICE_ID'],
      ['rotate that is not a boolean', { body: { deviceId: 'a1', rotate: 'yes' } }, 400, 'INVALID_FIELD'],
      ['a csr that is not PEM', { body: { deviceId: 'a1', csr: 'hello' } }, 400, 'INVALID_CSR'],
      ['a body over 16 KB', { body: { deviceId: 'a1', csr: 'x'.repeat(17_000) } }, 413, 'BODY_TOO_LARGE'],
      ['another content type', { rawBody: 'deviceId=a1', contentType: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ])('refuses %s', async (_label, options, expected, code) => {
      const reply = await vendRequest(emulator(), 'POST', '/devices', options);

      expect(reply.status).toBe(expected);
      expect(reply.body.error?.code).toBe(code);
    });

    it('refuses a CSR IoT cannot use with 400 INVALID_CSR, and leaves no certificate behind', async () => {
      const token = await tokenFor(clients.ssm, 'sensor-badcsr-1');
      const { privateKeyPem } = await generateKey('P-256');
      const csr = await csrForKey(privateKeyPem, 'x');
      const lines = csr.trim().split('\n');
      const tampered = [lines[0], `${lines[1]?.slice(0, -4)}AAAA`, ...lines.slice(2)].join('\n');

      const reply = await vendRequest(emulator(), 'POST', '/devices', {
        token,
        body: { deviceId: 'sensor-badcsr-1', csr: tampered },
      });

      expect(reply.status).toBe(400);
      expect(reply.body.error?.code).toBe('INVALID_CSR');
      expect(await principals('sensor-badcsr-1').catch(() => [])).toEqual([]);
    });

    it('answers 404 for an unknown route, as an HTTP API does', async () => {
      expect((await vendRequest(emulator(), 'GET', '/devices')).status).toBe(404);
    });

    it.each(['RSA 1024', 'EC P-521', 'Ed25519'] as const)(
      'refuses a CSR for an %s key with 400 WEAK_KEY (the key policy onboarding applies) and issues nothing',
      async (type) => {
        const deviceId = `sensor-weak-${type.replace(/\W/g, '').toLowerCase()}`;
        const token = await tokenFor(clients.ssm, deviceId);

        const reply = await vendRequest(emulator(), 'POST', '/devices', {
          token,
          body: { deviceId, csr: csrOfType(type) },
        });

        expect(reply.status).toBe(400);
        expect(reply.body.error).toMatchObject({ code: 'WEAK_KEY', field: 'csr' });
        expect(await thing(deviceId)).toBe('ResourceNotFoundException');
      },
    );
  });

  describe('rate limits', () => {
    it('limits an authenticated device id (429 with Retry-After) without slowing down another', async () => {
      const token = await tokenFor(clients.ssm, 'noisy-1');
      const replies = [];
      for (let i = 0; i < 21; i++)
        replies.push(await vendRequest(emulator(), 'POST', '/devices', { token, body: { deviceId: 'noisy-1' } }));
      const other = await vendRequest(emulator(), 'POST', '/devices', {
        token: await tokenFor(clients.ssm, 'quiet-1'),
        body: { deviceId: 'quiet-1' },
      });

      expect(replies.slice(0, 20).map((r) => r.status)).toEqual([201, ...Array<number>(19).fill(200)]);
      expect(replies[20]?.status).toBe(429);
      expect(replies[20]?.body.error?.code).toBe('RATE_LIMITED');
      expect(Number(replies[20]?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(other.status).toBe(201);
    });

    it('stops a flood of refused credentials at its source: the device it names still provisions and connects', async () => {
      const victim = 'sensor-victim-1';
      const token = await tokenFor(clients.ssm, victim);
      const forged = `jvt.${Buffer.from(victim).toString('base64url')}.${'A'.repeat(43)}`;
      const attacker = '127.0.0.2';
      const flood = [];
      for (let i = 0; i < 16; i++) {
        flood.push(
          await vendRequest(emulator(), 'POST', '/devices', { body: { deviceId: victim }, sourceAddress: attacker }),
        );
        flood.push(
          await vendRequest(emulator(), 'DELETE', `/devices/${victim}`, { token: forged, sourceAddress: attacker }),
        );
      }
      const { privateKeyPem } = await generateKey('P-256');

      const device = await vendRequest(emulator(), 'POST', '/devices', {
        token,
        body: { deviceId: victim, csr: await csrForKey(privateKeyPem, victim) },
        sourceAddress: '127.0.0.3',
      });

      expect(flood.slice(0, FAILED_AUTH_PER_SOURCE).every((r) => r.status === 401)).toBe(true);
      expect(flood.slice(FAILED_AUTH_PER_SOURCE).map((r) => r.status)).toEqual([429, 429]);
      expect(flood.at(-1)?.body.error?.code).toBe('RATE_LIMITED');
      expect(device.status).toBe(201);
      expect(await online(device.body, privateKeyPem)).toBe('online');
    });
  });

  it('never logs a private key or a token', () => {
    // Every line the emulator and its Lambdas logged, not only the vend function's.
    const all = local.logs.lines.join('\n');

    expect(logLines().length).toBeGreaterThan(10);
    expect(all).not.toMatch(/PRIVATE KEY/);
    expect(all).not.toMatch(/jvt\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/);
    expect(all).toContain('"decision":"provisioned"');
  });
});

describe('vend endpoint without configuration', () => {
  const local = withEmulator();

  it('refuses every request (503 VEND_NOT_CONFIGURED): never open by default', async () => {
    const reply = await vendRequest(local.emulator, 'POST', '/devices', { body: { deviceId: 'sensor-1' } });

    expect(reply.status).toBe(503);
    expect(reply.body.error?.code).toBe('VEND_NOT_CONFIGURED');
  });
});
