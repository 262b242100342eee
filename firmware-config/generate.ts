import { createHash } from 'node:crypto';
import { cEscape, jsonEscape, renderTemplate } from './render.js';
import { readTemplate } from './templates.js';

export const TARGETS = ['azure-sphere', 'embedded-c', 'microchip'] as const;
export type FirmwareTarget = (typeof TARGETS)[number];

export const MQTT_PORT = 8883;

export interface FirmwareConfigInput {
  target: FirmwareTarget;
  thingName: string;
  /** The iot:Data-ATS endpoint host. */
  endpoint: string;
  /** azure-sphere: the tenant GUID (DeviceAuthentication). */
  tenantId?: string;
  /** embedded-c: where the device finds the root CA, its certificate and key. */
  rootCaPath?: string;
  clientCertPath?: string;
  clientKeyPath?: string;
}

export interface GeneratedFile {
  name: string;
  content: string;
}

export class FirmwareConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FirmwareConfigError';
  }
}

const HOST = /^(?=.{1,253}$)[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const THING = /^[a-zA-Z0-9:_-]{1,128}$/;

/** The files for one device and target, from the templates. Pure apart from reading the template files. */
export function generateFirmwareConfig(input: FirmwareConfigInput): GeneratedFile[] {
  if (!HOST.test(input.endpoint)) {
    throw new FirmwareConfigError('INVALID_ENDPOINT', `"${input.endpoint}" is not a host name`);
  }
  if (!THING.test(input.thingName)) {
    throw new FirmwareConfigError(
      'INVALID_THING_NAME',
      `"${input.thingName}" is not a thing name [a-zA-Z0-9:_-]{1,128}`,
    );
  }
  switch (input.target) {
    case 'azure-sphere':
      return [azureSphere(input)];
    case 'embedded-c':
      return [embeddedC(input)];
    case 'microchip':
      return [microchip(input)];
  }
}

function azureSphere(input: FirmwareConfigInput): GeneratedFile {
  const tenantId = input.tenantId?.toLowerCase();
  if (!tenantId || !GUID.test(tenantId)) {
    throw new FirmwareConfigError('TENANT_ID_REQUIRED', 'azure-sphere needs the tenant GUID (--tenant-id)');
  }
  const values = {
    appName: 'jitr-device',
    componentId: stableGuid(`jitr:${input.endpoint}:${tenantId}`),
    endpoint: input.endpoint,
    port: String(MQTT_PORT),
    tenantId,
  };
  return { name: 'app_manifest.json', content: renderTemplate(readTemplate('app_manifest.json'), values, jsonEscape) };
}

function embeddedC(input: FirmwareConfigInput): GeneratedFile {
  const values = {
    endpoint: input.endpoint,
    thingName: input.thingName,
    rootCaPath: input.rootCaPath ?? 'certificates/AmazonRootCA1.crt',
    clientCertPath: input.clientCertPath ?? 'certificates/device.crt',
    clientKeyPath: input.clientKeyPath ?? 'certificates/device.key',
  };
  return { name: 'demo_config.h', content: renderTemplate(readTemplate('demo_config.h'), values, cEscape) };
}

function microchip(input: FirmwareConfigInput): GeneratedFile {
  const thingName = input.thingName.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(thingName)) {
    throw new FirmwareConfigError(
      'INVALID_THING_NAME',
      `microchip thing names are the 40-hex Subject Key Identifier of the device certificate, got "${input.thingName}"`,
    );
  }
  // The template holds the port as a JSON number (8883, MQTT over TLS), so the template itself stays valid JSON.
  const values = { endpoint: input.endpoint, thingName };
  return {
    name: 'cloud-config.json',
    content: renderTemplate(readTemplate('microchip-cloud-config.json'), values, jsonEscape),
  };
}

/** A GUID that depends only on its seed, so regenerating a manifest gives the same ComponentId. */
function stableGuid(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
