import { describe, expect, it } from 'vitest';
import type { CredentialSink } from '../../../../functions/vend/sink.js';
import {
  deprovisionDevice,
  provisionDevice,
  RETIRING_ATTRIBUTE,
  type VendWorkflowDeps,
} from '../../../../functions/vend/workflow.js';
import { fakeIot } from './fake-iot.js';

function setUp() {
  const iot = fakeIot();
  const delivered: string[] = [];
  const sink: CredentialSink = {
    mode: 'response',
    deliver: async (deviceId) => {
      iot.calls.push('deliver');
      delivered.push(deviceId);
    },
    clear: async () => {
      iot.calls.push('clear');
    },
  };
  const deps: VendWorkflowDeps = { iot: iot.port, sink, policyName: 'p', endpoint: 'e.example', rootCaPem: 'ROOT' };
  return { ...iot, deps, delivered };
}

describe('provisionDevice', () => {
  it('creates the bound Thing, issues INACTIVE, attaches Thing and policy, delivers, and activates last', async () => {
    const { deps, calls, things } = setUp();

    const outcome = await provisionDevice({ deviceId: 'Dev-1', rotate: false }, deps);

    expect(outcome.decision).toBe('provisioned');
    expect(outcome.credentials).toMatchObject({ thingName: 'dev-1', privateKey: 'KEY-1', endpoint: 'e.example' });
    expect(things.get('dev-1')?.attributes).toEqual({ jitr_source: 'vend' });
    const mutations = calls.filter((c) => !/^(describe|list)/.test(c));
    expect(mutations).toEqual([
      'createThing',
      'createKeysAndCertificate',
      'attachThingPrincipal',
      'attachPolicy',
      'deliver',
      'updateCertificateStatus:ACTIVE',
    ]);
  });

  it('returns the ACTIVE certificate again, without a key and without issuing, when not asked to rotate', async () => {
    const { deps, calls } = setUp();
    const first = await provisionDevice({ deviceId: 'd', rotate: false }, deps);
    calls.length = 0;

    const again = await provisionDevice({ deviceId: 'd', rotate: false }, deps);

    expect(again.decision).toBe('existing');
    expect(again.credentials.certificateId).toBe(first.credentials.certificateId);
    expect(again.credentials.privateKey).toBeUndefined();
    expect(calls.filter((c) => c.startsWith('create') || c.startsWith('update'))).toEqual([]);
  });

  it('rotates on request: the new certificate is ACTIVE before the old one is revoked and deleted', async () => {
    const { deps, calls, certificates, things } = setUp();
    const first = await provisionDevice({ deviceId: 'd', rotate: false }, deps);
    calls.length = 0;

    const rotated = await provisionDevice({ deviceId: 'd', rotate: true }, deps);

    expect(rotated.decision).toBe('rotated');
    expect(rotated.retired).toEqual([first.credentials.certificateId]);
    expect(certificates.has(first.credentials.certificateId)).toBe(false);
    expect(calls.indexOf('updateCertificateStatus:ACTIVE')).toBeLessThan(
      calls.indexOf('updateCertificateStatus:REVOKED'),
    );
    expect(things.get('d')?.attributes).not.toHaveProperty(RETIRING_ATTRIBUTE);
  });

  it.each([
    ['bound to a JITR CA', { jitr_ca: 'a'.repeat(64) }],
    ['made by hand', {}],
    ['claiming both sources', { jitr_source: 'vend', jitr_ca: 'a'.repeat(64) }],
  ])('refuses a Thing %s (409 THING_FOREIGN) and changes nothing', async (_label, attributes) => {
    const { deps, calls, things } = setUp();
    things.set('d', { thingName: 'd', attributes });

    await expect(provisionDevice({ deviceId: 'd', rotate: false }, deps)).rejects.toMatchObject({
      code: 'THING_FOREIGN',
      status: 409,
    });
    expect(calls).toEqual(['describeThing']);
  });

  it('finishes retiring a certificate the journal names although it is no longer attached', async () => {
    const { deps, certificates, things, principals, arnOf } = setUp();
    const first = await provisionDevice({ deviceId: 'd', rotate: false }, deps);
    const stranded = await deps.iot.createKeysAndCertificate();
    await deps.iot.updateCertificateStatus(stranded.certificateId, 'REVOKED');
    things.set('d', {
      thingName: 'd',
      attributes: { jitr_source: 'vend', [RETIRING_ATTRIBUTE]: stranded.certificateId },
    });

    const again = await provisionDevice({ deviceId: 'd', rotate: false }, deps);

    expect(again.retired).toEqual([stranded.certificateId]);
    expect(certificates.has(stranded.certificateId)).toBe(false);
    expect([...(principals.get('d') ?? [])]).toEqual([arnOf(first.credentials.certificateId)]);
  });
});

describe('deprovisionDevice', () => {
  it('revokes, detaches and deletes every certificate, clears the sink, then deletes the Thing', async () => {
    const { deps, calls, certificates, things } = setUp();
    await provisionDevice({ deviceId: 'd', rotate: false }, deps);
    calls.length = 0;

    const outcome = await deprovisionDevice('d', deps);

    expect(outcome).toMatchObject({ thingName: 'd', thingDeleted: true });
    expect(certificates.size).toBe(0);
    expect(things.has('d')).toBe(false);
    expect(calls.indexOf('clear')).toBeLessThan(calls.indexOf('deleteThing'));
    expect(calls.indexOf('updateCertificateStatus:REVOKED')).toBeLessThan(calls.indexOf('deleteCertificate'));
  });

  it('still clears the sink when there is no Thing (a repeated DELETE)', async () => {
    const { deps, calls } = setUp();

    const outcome = await deprovisionDevice('d', deps);

    expect(outcome).toEqual({ thingName: 'd', thingDeleted: false, retired: [] });
    expect(calls).toEqual(['describeThing', 'clear']);
  });
});

describe('provisionDevice racing deprovisionDevice', () => {
  it('withdraws a certificate it attached after a DELETE listed the Thing, and answers 409 DEVICE_DEPROVISIONING', async () => {
    const { deps, certificates, things, principals } = setUp();
    await provisionDevice({ deviceId: 'd', rotate: false }, deps);
    const attach = deps.iot.attachThingPrincipal;
    // The DELETE runs to just before DeleteThing while the POST is between issuing and attaching.
    let deleting: Promise<unknown> | undefined;
    deps.iot.attachThingPrincipal = async (name, arn) => {
      deleting = deprovisionDevice('d', { ...deps, iot: { ...deps.iot, attachThingPrincipal: attach } });
      await new Promise((resolve) => setTimeout(resolve, 0));
      await attach(name, arn);
    };

    const racing = provisionDevice({ deviceId: 'd', rotate: true }, deps);

    await expect(racing).rejects.toMatchObject({ code: 'DEVICE_DEPROVISIONING', status: 409 });
    await deleting;
    expect(certificates.size).toBe(0);
    expect(things.has('d')).toBe(false);
    expect(principals.get('d')?.size ?? 0).toBe(0);
  });

  it('refuses to provision on a Thing a DELETE has marked (409), leaving it for the DELETE to finish', async () => {
    const { deps, calls } = setUp();
    await provisionDevice({ deviceId: 'd', rotate: false }, deps);
    await deps.iot.setThingAttribute('d', 'jitr_vend_deprovisioning', 'true');
    calls.length = 0;

    await expect(provisionDevice({ deviceId: 'd', rotate: true }, deps)).rejects.toMatchObject({
      code: 'DEVICE_DEPROVISIONING',
    });
    expect(calls.filter((c) => c.startsWith('create'))).toEqual([]);
    expect((await deprovisionDevice('d', deps)).thingDeleted).toBe(true);
  });

  it('deletes a certificate it issued for a Thing that a DELETE removed meanwhile (no orphan)', async () => {
    const { deps, certificates } = setUp();
    const create = deps.iot.createKeysAndCertificate;
    deps.iot.createKeysAndCertificate = async () => {
      await deprovisionDevice('d', deps);
      return create();
    };
    deps.iot.attachThingPrincipal = async () => {
      throw Object.assign(new Error('no such thing'), { name: 'ResourceNotFoundException' });
    };

    await expect(provisionDevice({ deviceId: 'd', rotate: false }, deps)).rejects.toMatchObject({
      code: 'DEVICE_DEPROVISIONING',
    });
    expect(certificates.size).toBe(0);
  });
});
