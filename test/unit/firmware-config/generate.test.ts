import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FirmwareConfigError, generateFirmwareConfig } from '../../../firmware-config/generate.js';
import { cEscape } from '../../../firmware-config/render.js';
import { AppManifestSchema, MicrochipCloudConfigSchema } from '../../../firmware-config/schemas.js';

const endpoint = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
const tenantId = '6f1b2c3d-0000-4000-8000-00000000abcd';
const ski = '0123456789abcdef0123456789abcdef01234567';
const work = mkdtempSync(join(tmpdir(), 'jitr-firmware-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function only(files: { name: string; content: string }[]) {
  expect(files).toHaveLength(1);
  return files[0] as { name: string; content: string };
}

/** Compiles a translation unit that includes the header and uses every macro, as a demo would. */
function assertCompiles(header: string): void {
  writeFileSync(join(work, 'demo_config.h'), header);
  const source = join(work, 'use.c');
  writeFileSync(
    source,
    [
      '#include "demo_config.h"',
      'static const char endpoint[] = AWS_IOT_ENDPOINT;',
      'static const uint16_t endpointLength = AWS_IOT_ENDPOINT_LENGTH;',
      'static const int port = AWS_MQTT_PORT;',
      'static const char client[] = CLIENT_IDENTIFIER;',
      'static const uint16_t clientLength = CLIENT_IDENTIFIER_LENGTH;',
      'static const char *paths[] = { ROOT_CA_CERT_PATH, CLIENT_CERT_PATH, CLIENT_PRIVATE_KEY_PATH };',
      'int main(void) { return endpoint[0] + endpointLength + port + client[0] + clientLength + (paths[0] != 0) + (int)JITR_FIRST_CONNECT_RETRY_MS; }',
      '',
    ].join('\n'),
  );
  execFileSync('cc', ['-std=c99', '-Wall', '-Werror', '-fsyntax-only', source], { stdio: 'pipe' });
}

describe('generateFirmwareConfig', () => {
  it('writes an Azure Sphere app_manifest.json that allows the endpoint and authenticates with the tenant', () => {
    const file = only(
      generateFirmwareConfig({ target: 'azure-sphere', thingName: 'a'.repeat(128), endpoint, tenantId }),
    );

    const manifest = AppManifestSchema.parse(JSON.parse(file.content));
    expect(file.name).toBe('app_manifest.json');
    expect(manifest.Capabilities.AllowedConnections).toEqual([endpoint]);
    expect(manifest.Capabilities.DeviceAuthentication).toBe(tenantId);
  });

  it('gives the same ComponentId on every run', () => {
    const run = () => generateFirmwareConfig({ target: 'azure-sphere', thingName: 'x', endpoint, tenantId });

    expect(run()).toEqual(run());
  });

  it('writes a demo_config.h that compiles, with the thing name as client identifier on port 8883', () => {
    const file = only(
      generateFirmwareConfig({ target: 'embedded-c', thingName: 'sensor-42', endpoint, rootCaPath: 'certs/root.pem' }),
    );

    assertCompiles(file.content);
    expect(file.name).toBe('demo_config.h');
    expect(file.content).toContain(`#define AWS_IOT_ENDPOINT "${endpoint}"`);
    expect(file.content).toContain('#define CLIENT_IDENTIFIER "sensor-42"');
    expect(file.content).toContain('#define AWS_MQTT_PORT (8883)');
    expect(file.content).toContain('#define ROOT_CA_CERT_PATH "certs/root.pem"');
  });

  it('escapes paths so the header still compiles', () => {
    const file = only(
      generateFirmwareConfig({
        target: 'embedded-c',
        thingName: 'sensor-42',
        endpoint,
        rootCaPath: 'C:\\certs\\"root"?.pem\n',
      }),
    );

    assertCompiles(file.content);
  });

  it('writes the Microchip cloud configuration with the SKI as thing name and client id', () => {
    const file = only(generateFirmwareConfig({ target: 'microchip', thingName: ski.toUpperCase(), endpoint }));

    const config = MicrochipCloudConfigSchema.parse(JSON.parse(file.content));
    expect(config).toMatchObject({ endpoint, port: 8883, thingName: ski, clientId: ski });
  });

  it.each([
    [
      'a Microchip thing that is not a SKI',
      { target: 'microchip', thingName: 'sensor-1', endpoint },
      'INVALID_THING_NAME',
    ],
    [
      'an Azure Sphere manifest without tenant',
      { target: 'azure-sphere', thingName: 'x', endpoint },
      'TENANT_ID_REQUIRED',
    ],
    [
      'an endpoint that is not a host',
      { target: 'embedded-c', thingName: 'x', endpoint: 'https://x/y' },
      'INVALID_ENDPOINT',
    ],
    ['a thing name with spaces', { target: 'embedded-c', thingName: 'a b', endpoint }, 'INVALID_THING_NAME'],
  ] as const)('refuses %s', (_name, input, code) => {
    expect(() => generateFirmwareConfig(input)).toThrow(FirmwareConfigError);
    expect(() => generateFirmwareConfig(input)).toThrow(expect.objectContaining({ code }));
  });
});

describe('cEscape', () => {
  it('escapes quotes, backslashes, newlines, question marks and non-ASCII bytes', () => {
    expect(cEscape('a"b\\c\nd?é')).toBe('a\\"b\\\\c\\nd\\077\\303\\251');
  });
});
