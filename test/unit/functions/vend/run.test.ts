import { beforeEach, describe, expect, it } from 'vitest';
import type { SecretStore } from '../../../../functions/vend/auth.js';
import type { BalenaApi } from '../../../../functions/vend/balena-api.js';
import { parseVendConfig, type VendConfig } from '../../../../functions/vend/config.js';
import { notConfigured } from '../../../../functions/vend/errors.js';
import { handleVendRequest, resetRateLimits, type VendDeps } from '../../../../functions/vend/run.js';
import { newClaimToken, tokenParameterName, tokenRecord } from '../../../../functions/vend/tokens.js';
import { fakeIot } from './fake-iot.js';
import { capturedTelemetry } from '../../../helpers/telemetry.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const PREFIX = '/jitr/t/vend/tokens/';
const config = parseVendConfig(
  JSON.stringify({
    version: 1,
    policyName: 'p',
    dataEndpoint: 'abc-ats.iot.us-east-1.amazonaws.com',
    rootCaPem: 'ROOT',
    auth: { mode: 'token' },
  }),
);

function setUp(overrides: Partial<VendDeps> = {}) {
  const iot = fakeIot();
  const secrets = new Map<string, string>();
  const store: SecretStore = {
    read: async (name) => secrets.get(name),
    remove: async (name) => {
      secrets.delete(name);
    },
  };
  const { telemetry, lines, metrics } = capturedTelemetry('vend', 'Test');
  const deps: VendDeps = {
    config: { get: async (): Promise<VendConfig> => config },
    iot: iot.port,
    secrets: store,
    tokenPrefix: PREFIX,
    balenaApi: () => ({}) as BalenaApi,
    now: () => NOW,
    telemetry,
    ...overrides,
  };
  const tokenFor = (deviceId: string) => {
    const token = newClaimToken(deviceId);
    secrets.set(tokenParameterName(PREFIX, deviceId), JSON.stringify(tokenRecord(token, new Date(NOW))));
    return token;
  };
  return { deps, iot, lines, metrics, tokenFor, secrets };
}

const post = (body: unknown, token?: string, sourceIp = '198.51.100.7') => ({
  version: '2.0',
  rawPath: '/devices',
  requestContext: { http: { method: 'POST', path: '/devices', sourceIp } },
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

describe('handleVendRequest', () => {
  beforeEach(() => resetRateLimits());

  it('answers 201 with the generated key once, and logs the decision without the key or the token', async () => {
    const { deps, lines, tokenFor } = setUp();
    const token = tokenFor('d1');

    const response = await handleVendRequest(post({ deviceId: 'd1' }, token), deps);

    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.body)).toMatchObject({ thingName: 'd1', privateKey: 'KEY-1', decision: 'provisioned' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'vend', decision: 'provisioned', deviceId: 'd1', keyGenerated: true });
    expect(JSON.stringify(lines)).not.toContain('KEY-1');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('says why authentication failed only in the log line, never in the response', async () => {
    const { deps, lines, tokenFor } = setUp();
    const othersToken = tokenFor('d2');

    const response = await handleVendRequest(post({ deviceId: 'd1' }, othersToken), deps);

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'FORBIDDEN', message: 'forbidden' } });
    expect(lines[0]?.reasons).toEqual(['FORBIDDEN', 'TOKEN_OF_ANOTHER_DEVICE']);
  });

  it('refuses everything with 503 VEND_NOT_CONFIGURED when the configuration is missing: the documented form of the parameter and the command that creates it, not the name in this deployment', async () => {
    const { deps, tokenFor } = setUp({
      config: {
        get: async () => {
          throw notConfigured('SSM parameter /x does not exist');
        },
      },
    });

    const response = await handleVendRequest(post({ deviceId: 'd1' }, tokenFor('d1')), deps);

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).error.code).toBe('VEND_NOT_CONFIGURED');
    expect(response.body).not.toContain('/x');
    expect(JSON.parse(response.body).error.message).toMatch(
      /\/jitr\/<stage>\/vend\/config with `jitr vend setup --stage <stage>`/,
    );
  });

  it('hides an unexpected failure behind 500 INTERNAL and logs it with its code', async () => {
    const { deps, iot, lines, tokenFor } = setUp();
    iot.port.describeThing = async () => {
      throw Object.assign(new Error('socket hang up at 10.0.0.1'), { code: 'ECONNRESET' });
    };

    const response = await handleVendRequest(post({ deviceId: 'd1' }, tokenFor('d1')), deps);

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('socket');
    expect(lines[0]).toMatchObject({ level: 'ERROR', service: 'vend', code: 'ECONNRESET', deviceId: 'd1' });
  });

  it('asks the client to come back (503 RETRY_LATER) when IoT keeps throttling', async () => {
    const { deps, iot, tokenFor } = setUp();
    iot.port.describeThing = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    const response = await handleVendRequest(post({ deviceId: 'd1' }, tokenFor('d1')), deps);

    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
  });

  it('voids the token after a DELETE', async () => {
    const { deps, tokenFor, secrets } = setUp();
    const token = tokenFor('d1');
    await handleVendRequest(post({ deviceId: 'd1' }, token), deps);

    const response = await handleVendRequest(
      {
        rawPath: '/devices/d1',
        requestContext: { http: { method: 'DELETE', path: '/devices/d1' } },
        headers: { authorization: `Bearer ${token}` },
      },
      deps,
    );

    expect(response.statusCode).toBe(200);
    expect(secrets.size).toBe(0);
  });

  describe('rate limits: authentication first, then the device budget', () => {
    const remove = (deviceId: string, token: string | undefined, sourceIp: string) => ({
      rawPath: `/devices/${deviceId}`,
      requestContext: { http: { method: 'DELETE', path: `/devices/${deviceId}`, sourceIp } },
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

    it('charges a flood of refused credentials to its source, not to the device it names (POST and DELETE)', async () => {
      const { deps, tokenFor } = setUp();
      const token = tokenFor('victim-1');
      const attacker = '203.0.113.9';
      const flood = [];
      for (let i = 0; i < 25; i++) {
        flood.push((await handleVendRequest(post({ deviceId: 'victim-1' }, undefined, attacker), deps)).statusCode);
        flood.push((await handleVendRequest(remove('victim-1', 'jvt.x.y', attacker), deps)).statusCode);
      }

      const device = await handleVendRequest(post({ deviceId: 'victim-1' }, token, '198.51.100.7'), deps);

      expect(flood.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(flood.slice(20).every((status) => status === 429)).toBe(true);
      expect(device.statusCode).toBe(201);
    });

    it('refuses a source over its limit before reading any credential, with Retry-After', async () => {
      let reads = 0;
      const { deps } = setUp({
        secrets: {
          read: async () => {
            reads++;
            return undefined;
          },
          remove: async () => {},
        },
      });
      const token = newClaimToken('d1');
      for (let i = 0; i < 20; i++) await handleVendRequest(post({ deviceId: 'd1' }, token), deps);

      const blocked = await handleVendRequest(post({ deviceId: 'd1' }, token), deps);

      expect(reads).toBe(20);
      expect(blocked.statusCode).toBe(429);
      expect(JSON.parse(blocked.body).error.code).toBe('RATE_LIMITED');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('limits authenticated requests per device id, leaving other devices alone', async () => {
      const { deps, tokenFor } = setUp();
      const token = tokenFor('busy-1');
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await handleVendRequest(post({ deviceId: 'busy-1' }, token), deps)).statusCode);

      const other = await handleVendRequest(post({ deviceId: 'calm-1' }, tokenFor('calm-1')), deps);

      expect(statuses).toEqual([201, 200, 200, 200, 200, 429]);
      expect(other.statusCode).toBe(201);
    });
  });
});
