import { beforeAll, describe, expect, it } from 'vitest';
import { createFleetCa, type FleetCa, issueFleetDevice } from '../../../certs/fleet.js';
import { parseFleetConfigJson } from '../../../functions/fleet-config.js';
import { withEmulator } from '../../helpers/aws.js';
import { jitr, json, scratchDir } from './cli-harness.js';
import { deployStage, preconfiguredCa } from './operator-fixture.js';

// The lifecycle commands' edges, run as the CLI against the emulator: what revoke does to a device that never onboarded
// (its pending certificate, a Thing to hold the mark), what readmit undoes, and when ca retire and --rollover-from refuse.
describe('operator lifecycle commands', () => {
  // IAM on: the commands run as the operator identity, whose grants are docs/operator-policy.json.
  const local = withEmulator({ iam: 'on' });
  const files = scratchDir();
  const store = () => local.emulator.store;
  const fleetConfig = () => parseFleetConfigJson(store().parameters.get('/jitr/dev/fleet-config')?.value ?? '');
  let ca: FleetCa;

  beforeAll(async () => {
    await deployStage(local.emulator);
    ca = await preconfiguredCa(local.emulator, 'generic');
  });

  it('revoke --device-id revokes a pending certificate of a device that never onboarded and marks a Thing for it; readmit undoes both', async () => {
    const device = await issueFleetDevice(ca, { deviceId: 'never-onboarded' });
    store().autoRegisterCertificate({
      certificatePem: device.certificatePem,
      caCertificateId: ca.certificateId,
      now: Date.now(),
    });

    const revoked = await jitr(
      local.emulator,
      'revoke',
      '--device-id',
      'never-onboarded',
      '--profile',
      'generic',
      '--json',
    );
    const thing = store().getThing('never-onboarded');
    const readmitted = await jitr(
      local.emulator,
      'readmit',
      '--device-id',
      'never-onboarded',
      '--profile',
      'generic',
      '--json',
    );

    expect(revoked.code).toBe(0);
    expect(json(revoked)).toMatchObject({
      thing: 'created',
      revoked: [{ certificateId: device.certificateId, previousStatus: 'PENDING_ACTIVATION' }],
    });
    expect(store().getCertificate(device.certificateId)?.status).toBe('REVOKED');
    expect(thing?.attributes.jitr_ca).toBe('revoked:');
    expect(json(readmitted)).toMatchObject({ thing: 'deleted', removedFrom: [ca.certificateId] });
    expect(store().getThing('never-onboarded')).toBeUndefined();
    expect(fleetConfig().trustedCas[0]?.deny.deviceIds).toEqual([]);
  });

  it('revoke then readmit gives a Thing that had no CA binding (a vended one) its attributes back, and deletes nothing', async () => {
    store().putThing({
      thingName: 'vended-1',
      thingId: 'id-vended-1',
      thingArn: store().thingArn('vended-1'),
      attributes: { jitr_source: 'vend' },
      version: 1,
      creationDate: Date.now(),
    });

    const revoked = await jitr(local.emulator, 'revoke', '--thing', 'vended-1', '--json');
    const marked = store().getThing('vended-1')?.attributes;
    const readmitted = await jitr(local.emulator, 'readmit', '--thing', 'vended-1', '--json');

    expect(json(revoked)).toMatchObject({ thing: 'marked' });
    expect(marked).toEqual({ jitr_source: 'vend', jitr_ca: 'revoked:unbound' });
    expect(json(readmitted)).toMatchObject({ thing: 'restored' });
    expect(store().getThing('vended-1')?.attributes).toEqual({ jitr_source: 'vend' });
  });

  it('ca retire refuses while Things are bound to the CA and no CA succeeds it, then retires it once one does', async () => {
    const old = await preconfiguredCa(local.emulator, 'generic');
    const now = Date.now();
    store().putThing({
      thingName: 'bound-to-old',
      thingId: 'id-bound-to-old',
      thingArn: store().thingArn('bound-to-old'),
      attributes: { jitr_ca: old.certificateId, jitr_profile: 'generic' },
      version: 1,
      creationDate: now,
    });
    const successor = await createFleetCa('generic');
    const oldFile = files.write('old-ca.pem', old.certificatePem);
    const newFile = files.write('new-ca.pem', successor.certificatePem);
    const keyFile = files.write('new-ca.key', successor.privateKeyPem);

    const refused = await jitr(local.emulator, 'ca', 'retire', old.certificateId, '--json');
    const afterRefusal = {
      trusted: fleetConfig().trustedCas.some((entry) => entry.certificateId === old.certificateId),
      status: store().getCa(old.certificateId)?.status,
    };
    await jitr(
      local.emulator,
      'preconfigure',
      '--ca-cert',
      newFile,
      '--ca-key',
      keyFile,
      '--profile',
      'generic',
      '--rollover-from',
      oldFile,
    );
    const retired = await jitr(local.emulator, 'ca', 'retire', oldFile, '--json');

    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ error: { code: 'CA_STILL_IN_USE' } });
    expect(String((json(refused).error as { message: string }).message)).toContain('no trusted CA succeeds it');
    expect(afterRefusal).toEqual({ trusted: true, status: 'ACTIVE' });
    expect(retired.code).toBe(0);
    expect(json(retired)).toMatchObject({
      untrusted: true,
      registration: 'deleted',
      ruleDeleted: true,
      boundThings: 1,
    });
    const trusted = fleetConfig().trustedCas;
    expect(trusted.map((entry) => entry.certificateId)).not.toContain(old.certificateId);
    expect(trusted.find((entry) => entry.certificateId === successor.certificateId)?.rolloverFrom).toEqual([
      old.certificateId,
    ]);
    expect(store().getCa(old.certificateId)).toBeUndefined();
  });

  it('refuses a --rollover-from CA this fleet does not trust, or of another profile, with exit 2 and nothing changed', async () => {
    const stranger = await createFleetCa('generic');
    const sphere = await preconfiguredCa(local.emulator, 'azure-sphere');
    const next = await createFleetCa('generic');
    const certFile = files.write('next-ca.pem', next.certificatePem);
    const keyFile = files.write('next-ca.key', next.privateKeyPem);
    const preconfigure = (from: string) =>
      jitr(
        local.emulator,
        'preconfigure',
        '--ca-cert',
        certFile,
        '--ca-key',
        keyFile,
        '--profile',
        'generic',
        '--rollover-from',
        from,
        '--json',
      );

    const untrusted = await preconfigure(stranger.certificateId);
    const otherProfile = await preconfigure(sphere.certificateId);
    const unknownCa = await jitr(local.emulator, 'ca', 'retire', stranger.certificateId, '--json');

    expect([untrusted.code, otherProfile.code, unknownCa.code]).toEqual([2, 2, 2]);
    expect(json(untrusted)).toMatchObject({ error: { code: 'ROLLOVER_CA_NOT_TRUSTED' } });
    expect(json(otherProfile)).toMatchObject({ error: { code: 'ROLLOVER_PROFILE_MISMATCH' } });
    expect(json(unknownCa)).toMatchObject({ error: { code: 'CA_NOT_FOUND' } });
    expect(store().getCa(next.certificateId)).toBeUndefined();
  });
});
