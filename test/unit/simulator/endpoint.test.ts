import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEndpoint, parseLocalReady, resolveEndpoint } from '../../../scripts/simulator/endpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'jitr-endpoint-'));
const serverCa = join(dir, 'server-ca.pem');
writeFileSync(serverCa, '-----BEGIN CERTIFICATE-----\nlocal\n-----END CERTIFICATE-----\n');
const ready = JSON.stringify({
  controlPlane: 'http://127.0.0.1:4566',
  mqtt: 'mqtts://localhost:8884',
  serverCa,
  region: 'eu-west-1',
  accountId: '000000000000',
});
const noAws = async (): Promise<string> => {
  throw new Error('no credentials');
};

describe('parseEndpoint', () => {
  it('accepts mqtts://host[:port] and defaults the port to 8883', () => {
    expect(parseEndpoint('mqtts://abc-ats.iot.eu-west-1.amazonaws.com')).toBe(
      'mqtts://abc-ats.iot.eu-west-1.amazonaws.com:8883',
    );
    expect(parseEndpoint('mqtts://localhost:8884')).toBe('mqtts://localhost:8884');
  });

  it('refuses plain MQTT, other schemes, paths and garbage with BAD_ENDPOINT', () => {
    for (const bad of ['mqtt://localhost:1883', 'https://example.com', 'mqtts://host:8883/path', 'localhost', '']) {
      expect(() => parseEndpoint(bad), bad).toThrow(expect.objectContaining({ code: 'BAD_ENDPOINT', exitCode: 2 }));
    }
  });
});

describe('parseLocalReady', () => {
  it('reads the ready line given inline or in a file', () => {
    const file = join(dir, 'ready.json');
    writeFileSync(file, `${ready}\n`);
    expect(parseLocalReady(ready).mqtt).toBe('mqtts://localhost:8884');
    expect(parseLocalReady(file).controlPlane).toBe('http://127.0.0.1:4566');
  });

  it('names what is missing or wrong', () => {
    expect(() => parseLocalReady('{"mqtt":"mqtts://localhost:1"}')).toThrow(/lacks controlPlane, serverCa, region/);
    expect(() => parseLocalReady('{not json')).toThrow(expect.objectContaining({ code: 'BAD_LOCAL_READY' }));
    expect(() => parseLocalReady(join(dir, 'absent.json'))).toThrow(/does not exist/);
  });
});

describe('resolveEndpoint', () => {
  it('prefers --endpoint, trusting the emulator root when JITR_LOCAL is set', async () => {
    const resolved = await resolveEndpoint({
      endpoint: 'mqtts://localhost:9999',
      env: { JITR_LOCAL: ready },
      describeEndpoint: noAws,
    });
    expect(resolved.source).toBe('flag');
    expect(resolved.target.url).toBe('mqtts://localhost:9999');
    expect(resolved.target.caPem).toContain('local');
  });

  it('takes the emulator from JITR_LOCAL when no --endpoint is given', async () => {
    const resolved = await resolveEndpoint({ env: { JITR_LOCAL: ready }, describeEndpoint: noAws });
    expect(resolved).toMatchObject({ source: 'local', target: { url: 'mqtts://localhost:8884' } });
    expect(resolved.local?.region).toBe('eu-west-1');
  });

  it('falls back to AWS: the DescribeEndpoint host on 8883, with the bundled roots', async () => {
    const resolved = await resolveEndpoint({
      env: {},
      describeEndpoint: async () => 'abc-ats.iot.us-east-1.amazonaws.com',
    });
    expect(resolved).toEqual({
      source: 'aws',
      target: { url: 'mqtts://abc-ats.iot.us-east-1.amazonaws.com:8883' },
    });
  });

  it('explains that no endpoint could be found, and an unreadable --server-ca', async () => {
    await expect(resolveEndpoint({ env: {}, describeEndpoint: noAws })).rejects.toMatchObject({ code: 'NO_ENDPOINT' });
    await expect(
      resolveEndpoint({
        env: {},
        endpoint: 'mqtts://h:1',
        serverCaPath: join(dir, 'none.pem'),
        describeEndpoint: noAws,
      }),
    ).rejects.toMatchObject({ code: 'FILE_UNREADABLE', exitCode: 2 });
  });
});
