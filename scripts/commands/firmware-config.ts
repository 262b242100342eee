import {
  FirmwareConfigError,
  type FirmwareTarget,
  generateFirmwareConfig,
  TARGETS,
} from '../../firmware-config/generate.js';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/errors.js';
import { checkThingName, optionalString, requiredString } from '../cli/flags.js';
import { withClients } from '../operator/command-support.js';
import { dataAtsEndpoint, soleAzureSphereTenant } from '../operator/firmware.js';
import { stageFlag } from '../operator/stage-flags.js';
import { writeOutputFiles } from './ca-files.js';

export const command: Command = {
  path: ['firmware-config'],
  summary: 'Write device-side configuration: Azure Sphere app_manifest.json, Embedded C demo_config.h, Microchip',
  usage: [
    'Usage: jitr firmware-config <azure-sphere|embedded-c|microchip> --thing NAME --out DIR [--endpoint HOST]',
    '         [--tenant-id GUID] [--root-ca PATH] [--stage S] [--region R] [--json]',
  ].join('\n'),
  aws: true,
  description:
    "Writes the device-side settings for one Thing: Azure Sphere app_manifest.json (AllowedConnections, DeviceAuthentication = the tenant), AWS IoT Device SDK for Embedded C demo_config.h, or Microchip's. The endpoint comes from DescribeEndpoint (iot:Data-ATS) and the tenant from the stage's fleet configuration unless given.",
  flags: {
    thing: 'the Thing name (= MQTT client id) (required)',
    out: 'directory to write into (required)',
    endpoint: 'the device endpoint host (default: DescribeEndpoint iot:Data-ATS)',
    'tenant-id': 'azure-sphere: the tenant (default: the only Azure Sphere tenant of the fleet configuration)',
    'root-ca': "path of the root CA on the device (default: the target's usual path)",
    stage: 'deployment stage whose fleet configuration names the tenant (default: dev)',
  },
  examples: ['jitr firmware-config azure-sphere --thing my-thing --out .jitr/firmware'],
  options: {
    thing: { type: 'string' },
    out: { type: 'string' },
    endpoint: { type: 'string' },
    'tenant-id': { type: 'string' },
    'root-ca': { type: 'string' },
    stage: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(input) {
    const target = input.positionals[0] ?? '';
    if (!(TARGETS as readonly string[]).includes(target)) {
      throw new UsageError(`the target must be one of ${TARGETS.join(', ')}, got "${target}"`);
    }
    const thingName = checkThingName(requiredString(input, 'thing'), '--thing');
    const out = requiredString(input, 'out');
    const stage = stageFlag(input);
    let endpoint = optionalString(input, 'endpoint');
    let tenantId = optionalString(input, 'tenant-id');
    const rootCaPath = optionalString(input, 'root-ca');
    if (endpoint === undefined || (target === 'azure-sphere' && tenantId === undefined)) {
      await withClients(input, async (clients) => {
        endpoint ??= await dataAtsEndpoint(clients);
        if (target === 'azure-sphere') tenantId ??= await soleAzureSphereTenant(clients, stage);
      });
    }
    let files: ReturnType<typeof generateFirmwareConfig>;
    try {
      files = generateFirmwareConfig({
        target: target as FirmwareTarget,
        thingName,
        endpoint: endpoint as string,
        ...(tenantId !== undefined ? { tenantId } : {}),
        ...(rootCaPath !== undefined ? { rootCaPath } : {}),
      });
    } catch (error) {
      if (error instanceof FirmwareConfigError) throw new InputError(error.code, error.message, { cause: error });
      throw error;
    }
    const written = writeOutputFiles(out, files);
    const paths = Object.values(written);
    return {
      data: { target, thingName, endpoint, ...(tenantId !== undefined ? { tenantId } : {}), files: paths },
      human: `Wrote ${target} configuration for ${thingName} (endpoint ${endpoint}):\n${paths.map((p) => `  ${p}`).join('\n')}`,
    };
  },
};
