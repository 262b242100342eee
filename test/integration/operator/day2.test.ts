import { DescribeCertificateCommand } from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FleetCa, issueFleetDevice } from '../../../certs/fleet.js';
import { parseFleetConfigJson } from '../../../functions/fleet-config.js';
import { withEmulator } from '../../helpers/aws.js';
import { jitr, json, scratchDir } from './cli-harness.js';
import { deployStage, onboardedDevice, operatorClients, preconfiguredCa } from './operator-fixture.js';

describe('operator day-2 commands', () => {
  const local = withEmulator();
  let ca: FleetCa;
  let sphere: FleetCa;
  const store = () => local.emulator.store;
  const fleetConfig = () => parseFleetConfigJson(store().parameters.get('/jitr/dev/fleet-config')?.value ?? '');
  const snapshot = () => JSON.stringify(store());

  beforeAll(async () => {
    await deployStage(local.emulator);
    ca = await preconfiguredCa(local.emulator, 'generic');
    sphere = await preconfiguredCa(local.emulator, 'azure-sphere');
  });

  describe('status', () => {
    it('counts certificates by status and things per trusted CA', async () => {
      await onboardedDevice(local.emulator, ca);
      const pending = await issueFleetDevice(ca, {});
      store().autoRegisterCertificate({
        certificatePem: pending.certificatePem,
        caCertificateId: ca.certificateId,
        now: Date.now() - 3 * 3_600_000,
      });

      const run = await jitr(local.emulator, 'status', '--json');
      const human = await jitr(local.emulator, 'status');

      expect(run.code).toBe(0);
      const cas = json(run).cas as { certificateId: string; certificates: Record<string, number>; things: number }[];
      const generic = cas.find((entry) => entry.certificateId === ca.certificateId);
      expect(generic).toMatchObject({
        status: 'ACTIVE',
        autoRegistration: 'ENABLE',
        rule: 'enabled',
        certificates: { ACTIVE: 1, PENDING_ACTIVATION: 1 },
        things: 1,
        pendingTooLong: [expect.objectContaining({ certificateId: pending.certificateId })],
      });
      expect(cas.find((entry) => entry.certificateId === sphere.certificateId)).toMatchObject({ things: 0 });
      expect(human.stdout).toMatch(/CA\s+LABEL\s+STATUS\s+AUTO-REG/);
      expect(human.stderr).toContain('surveying CA');
      store().deleteCertificate(pending.certificateId);
    });
  });

  describe('deprovision', () => {
    it('plans with --dry-run without changing anything', async () => {
      const device = await onboardedDevice(local.emulator, ca);
      const before = snapshot();

      const run = await jitr(local.emulator, 'deprovision', device.thingName, '--dry-run', '--json');

      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ dryRun: true, thingDeleted: false });
      expect(snapshot()).toBe(before);
    });

    it('revokes, detaches and deletes the certificates, then the thing', async () => {
      const device = await onboardedDevice(local.emulator, ca);

      const run = await jitr(local.emulator, 'deprovision', device.thingName, '--json');

      expect(run.code, run.stdout).toBe(0);
      expect(json(run).certificates).toEqual([
        {
          certificateId: device.certificateId,
          previousStatus: 'ACTIVE',
          actions: [
            { action: 'revoke' },
            { action: 'detach-policy', target: 'jitr-device' },
            { action: 'detach-thing', target: device.thingName },
            { action: 'delete' },
          ],
        },
      ]);
      expect(store().getThing(device.thingName)).toBeUndefined();
      expect(store().getCertificate(device.certificateId)).toBeUndefined();
    });

    it('keeps the certificates, revoked and detached, with --keep-certs', async () => {
      const device = await onboardedDevice(local.emulator, ca);

      const run = await jitr(local.emulator, 'deprovision', device.thingName, '--keep-certs');

      expect(run.code).toBe(0);
      expect(store().getThing(device.thingName)).toBeUndefined();
      const certificate = store().getCertificate(device.certificateId);
      expect(certificate?.status).toBe('REVOKED');
      expect(store().policiesForPrincipal(certificate?.certificateArn ?? '')).toEqual([]);
    });

    it('refuses an unknown thing with exit 2 and a clear message', async () => {
      const run = await jitr(local.emulator, 'deprovision', 'no-such-thing', '--json');
      const badName = await jitr(local.emulator, 'deprovision', 'not a thing');

      expect(run.code).toBe(2);
      expect(json(run)).toEqual({
        error: { code: 'THING_NOT_FOUND', message: 'thing no-such-thing does not exist (already deprovisioned?)' },
      });
      expect(badName.code).toBe(2);
    });
  });

  describe('revoke', () => {
    it('revokes a thing’s certificates and denies its device id; a re-run changes nothing', async () => {
      const device = await onboardedDevice(local.emulator, ca);

      const run = await jitr(local.emulator, 'revoke', '--thing', device.thingName, '--reason', 'stolen', '--json');
      const before = snapshot();
      const again = await jitr(local.emulator, 'revoke', '--thing', device.thingName, '--json');

      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ reason: 'stolen', deniedIn: [ca.certificateId], fleetConfigChanged: true });
      expect(store().getCertificate(device.certificateId)?.status).toBe('REVOKED');
      const entry = fleetConfig().trustedCas.find((trusted) => trusted.certificateId === ca.certificateId);
      expect(entry?.deny.deviceIds).toContain(device.thingName);
      expect(json(again)).toMatchObject({
        revoked: [],
        alreadyRevoked: [device.certificateId],
        fleetConfigChanged: false,
      });
      expect(snapshot()).toBe(before);
    });

    it('revokes one certificate and denies it and its device id', async () => {
      const device = await onboardedDevice(local.emulator, ca);

      const run = await jitr(local.emulator, 'revoke', '--certificate-id', device.certificateId, '--json');

      expect(run.code, run.stdout).toBe(0);
      const { certificateDescription } = await operatorClients(local.emulator).iot.send(
        new DescribeCertificateCommand({ certificateId: device.certificateId }),
      );
      expect(certificateDescription?.status).toBe('REVOKED');
      const entry = fleetConfig().trustedCas.find((trusted) => trusted.certificateId === ca.certificateId);
      expect(entry?.deny.certificateIds).toContain(device.certificateId);
      expect(entry?.deny.deviceIds).toContain(device.thingName);
    });

    it('denies a device id that never onboarded, for every CA of the profile', async () => {
      const deviceId = 'AB'.repeat(64);

      const run = await jitr(local.emulator, 'revoke', '--device-id', deviceId, '--profile', 'azure-sphere', '--json');

      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ revoked: [], deniedIn: [sphere.certificateId] });
      const entry = fleetConfig().trustedCas.find((trusted) => trusted.certificateId === sphere.certificateId);
      expect(entry?.deny.deviceIds).toContain(deviceId.toLowerCase());
    });

    it('changes nothing with --dry-run', async () => {
      const device = await onboardedDevice(local.emulator, ca);
      const before = snapshot();

      const run = await jitr(local.emulator, 'revoke', '--thing', device.thingName, '--dry-run', '--json');

      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({
        dryRun: true,
        fleetConfigChanged: true,
        revoked: [{ previousStatus: 'ACTIVE' }],
      });
      expect(snapshot()).toBe(before);
    });

    it.each([
      [['--thing', 'ghost'], 2, 'THING_NOT_FOUND'],
      [['--certificate-id', 'f'.repeat(64)], 2, 'CERTIFICATE_NOT_FOUND'],
      [['--certificate-id', 'xyz'], 2, 'USAGE'],
      [['--device-id', 'abc'], 2, 'USAGE'],
      [['--thing', 'a', '--device-id', 'b', '--profile', 'generic'], 2, 'USAGE'],
    ])('refuses %j with exit %i (%s), changing nothing', async (args, exit, code) => {
      const before = snapshot();

      const run = await jitr(local.emulator, 'revoke', ...args, '--json');

      expect(run.code).toBe(exit);
      expect((json(run).error as { code: string }).code).toBe(code);
      expect(snapshot()).toBe(before);
    });

    it('refuses to work on a malformed fleet configuration, revoking nothing', async () => {
      const device = await onboardedDevice(local.emulator, ca);
      const name = '/jitr/dev/fleet-config';
      const saved = store().parameters.get(name)?.value ?? '';
      const ssm = operatorClients(local.emulator).ssm;
      await ssm.send(new PutParameterCommand({ Name: name, Value: '{"trustedCas": "nope"}', Overwrite: true }));

      const run = await jitr(local.emulator, 'revoke', '--thing', device.thingName, '--json');
      const status = store().getCertificate(device.certificateId)?.status;
      await ssm.send(new PutParameterCommand({ Name: name, Value: saved, Overwrite: true }));

      expect(run.code).toBe(1);
      expect((json(run).error as { code: string }).code).toBe('FLEET_CONFIG_INVALID');
      expect(status).toBe('ACTIVE');
    });
  });

  describe('firmware-config', () => {
    const dir = scratchDir();
    it('takes the endpoint from DescribeEndpoint and the tenant from the fleet configuration', async () => {
      const out = dir.path;

      const run = await jitr(local.emulator, 'firmware-config', 'azure-sphere', '--thing', 'x', '--out', out, '--json');

      expect(run.code, run.stdout).toBe(0);
      expect(json(run)).toMatchObject({ endpoint: local.emulator.iotEndpoint, tenantId: sphere.tenantId });
    });

    it('refuses an unknown target and a Microchip thing that is not a SKI with exit 2', async () => {
      const target = await jitr(local.emulator, 'firmware-config', 'arduino', '--thing', 'x', '--out', dir.path);
      const ski = await jitr(
        local.emulator,
        'firmware-config',
        'microchip',
        '--thing',
        'x',
        '--out',
        '/tmp/x',
        '--json',
      );

      expect(target.code).toBe(2);
      expect(ski.code).toBe(2);
      expect((json(ski).error as { code: string }).code).toBe('INVALID_THING_NAME');
    });
  });
});
