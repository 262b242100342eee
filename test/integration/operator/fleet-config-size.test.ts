import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetCa } from '../../../certs/fleet.js';
import {
  FLEET_CONFIG_MAX_CHARACTERS,
  type FleetConfig,
  parseFleetConfigJson,
} from '../../../functions/fleet-config.js';
import { writeFleetConfig } from '../../../scripts/operator/fleet-config-store.js';
import { withEmulator } from '../../helpers/aws.js';
import { jitr, json } from './cli-harness.js';
import { deployStage, onboardedDevice, operatorClients, preconfiguredCa } from './operator-fixture.js';

const PARAMETER = '/jitr/dev/fleet-config';

/** The configuration with the CA's deny list grown by `count` made-up device ids. */
function withDeniedDevices(config: FleetConfig, caId: string, count: number): FleetConfig {
  const deviceIds = Array.from({ length: count }, (_, i) => `retired-device-${String(i).padStart(5, '0')}`);
  return {
    ...config,
    trustedCas: config.trustedCas.map((ca) =>
      ca.certificateId === caId ? { ...ca, deny: { ...ca.deny, deviceIds: [...ca.deny.deviceIds, ...deviceIds] } } : ca,
    ),
  };
}

/** The largest deny list that still fits the parameter, and one entry more. */
function fillToLimit(config: FleetConfig, caId: string): { fits: FleetConfig; over: FleetConfig } {
  let count = 0;
  while (JSON.stringify(withDeniedDevices(config, caId, count + 1)).length <= FLEET_CONFIG_MAX_CHARACTERS) count++;
  return { fits: withDeniedDevices(config, caId, count), over: withDeniedDevices(config, caId, count + 1) };
}

// An SSM parameter holds 4 KB in the standard tier and 8 KB in the advanced one
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html); the
// emulator refuses what SSM refuses, so jitr has to stay within 8 KB itself and say so when a change would not.
describe('the fleet configuration within the 8 KB of an SSM parameter', () => {
  const local = withEmulator();
  let ca: FleetCa;
  const stored = () => local.emulator.store.parameters.get(PARAMETER);
  const current = () => parseFleetConfigJson(stored()?.value ?? '');

  beforeAll(async () => {
    await deployStage(local.emulator);
    ca = await preconfiguredCa(local.emulator, 'generic');
  });

  it('is written past the standard tier’s 4 KB (Intelligent-Tiering), and refused past 8 KB with nothing written', async () => {
    const ssm = operatorClients(local.emulator).ssm;
    const { fits, over } = fillToLimit(current(), ca.certificateId);
    expect(JSON.stringify(fits).length).toBeGreaterThan(4096);

    await writeFleetConfig(ssm, PARAMETER, fits);
    expect(stored()).toMatchObject({ tier: 'Advanced' });
    const version = stored()?.version;
    const doctor = json(await jitr(local.emulator, 'doctor', '--json'));
    expect(doctor.findings).toContainEqual(
      expect.objectContaining({ code: 'FLEET_CONFIG_NEAR_LIMIT', severity: 'warning', subject: PARAMETER }),
    );

    await expect(writeFleetConfig(ssm, PARAMETER, over)).rejects.toMatchObject({ code: 'FLEET_CONFIG_TOO_LARGE' });
    expect(stored()?.version).toBe(version);
  });

  it('does not stop jitr revoke: the device is revoked and marked, and the full deny list is reported', async () => {
    const ssm = operatorClients(local.emulator).ssm;
    const device = await onboardedDevice(local.emulator, ca);
    await writeFleetConfig(ssm, PARAMETER, fillToLimit(current(), ca.certificateId).fits);
    const version = stored()?.version;

    const plan = await jitr(local.emulator, 'revoke', '--thing', device.thingName, '--dry-run', '--json');
    const run = await jitr(local.emulator, 'revoke', '--thing', device.thingName, '--reason', 'stolen', '--json');

    expect(json(plan)).toMatchObject({ dryRun: true, warnings: [expect.stringContaining('FLEET_CONFIG_TOO_LARGE')] });

    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      revoked: [{ certificateId: device.certificateId, previousStatus: 'ACTIVE' }],
      fleetConfigChanged: false,
      warnings: [expect.stringContaining('FLEET_CONFIG_TOO_LARGE')],
    });
    expect(local.emulator.store.getCertificate(device.certificateId)?.status).toBe('REVOKED');
    expect(local.emulator.store.getThing(device.thingName)?.attributes.jitr_ca).toBe(`revoked:${ca.certificateId}`);
    expect(stored()?.version).toBe(version);
  });
});
