import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, type IssuedCa, type IssuedDevice, issueDeviceCertificate } from '../../../../certs/issue.js';
import type { CaCertificateRecord, CertificateStatus } from '../../../../local/state/model.js';
import { defaultPolicyVersion, RegistryStore } from '../../../../local/state/store.js';

const scope = { region: 'eu-west-1', accountId: '123456789012' };
const NOW = Date.parse('2026-01-01T00:00:00Z');
let ca: IssuedCa;
let device: IssuedDevice;

function caRecord(store: RegistryStore, issued: IssuedCa): CaCertificateRecord {
  return {
    certificateId: issued.certificateId,
    certificateArn: store.caArn(issued.certificateId),
    certificatePem: issued.certificatePem,
    status: 'ACTIVE',
    autoRegistrationStatus: 'ENABLE',
    certificateMode: 'DEFAULT',
    ownedBy: scope.accountId,
    creationDate: NOW,
    lastModifiedDate: NOW,
    customerVersion: 1,
    generationId: 'g',
    validity: { notBefore: NOW, notAfter: NOW + 1 },
  };
}

function populated(): RegistryStore {
  const store = new RegistryStore(scope);
  store.putCa(caRecord(store, ca));
  const certificate = store.autoRegisterCertificate({
    certificatePem: device.certificatePem,
    caCertificateId: ca.certificateId,
    now: NOW,
  });
  store.putThing({
    thingName: 'dev1',
    thingId: 'id',
    thingArn: store.thingArn('dev1'),
    attributes: {},
    version: 1,
    creationDate: NOW,
  });
  store.attachThingPrincipal('dev1', certificate.certificateArn, true);
  store.putPolicy({
    policyName: 'p',
    policyArn: store.policyArn('p'),
    versions: [{ versionId: '1', document: '{"Version":"2012-10-17"}', isDefaultVersion: true, createDate: NOW }],
    nextVersionId: 2,
    creationDate: NOW,
    lastModifiedDate: NOW,
  });
  store.attachPolicy('p', certificate.certificateArn);
  return store;
}

beforeAll(async () => {
  ca = await createRootCa({ commonName: 'Store Test CA' });
  device = await issueDeviceCertificate(ca, { subject: { commonName: 'dev1' } });
});

describe('RegistryStore', () => {
  it('auto-registers an unknown device certificate as PENDING_ACTIVATION under its CA', () => {
    const store = populated();
    const record = store.getCertificate(device.certificateId);
    expect(record?.status).toBe('PENDING_ACTIVATION');
    expect(record?.caCertificateId).toBe(ca.certificateId);
    expect(record?.certificateArn).toBe(`arn:aws:iot:eu-west-1:123456789012:cert/${device.certificateId}`);
  });

  it('returns the existing record when a known certificate is auto-registered again', () => {
    const store = populated();
    store.setCertificateStatus(device.certificateId, 'ACTIVE', NOW + 5);
    const again = store.autoRegisterCertificate({
      certificatePem: device.certificatePem,
      caCertificateId: ca.certificateId,
      now: NOW + 9,
    });
    expect(again.status).toBe('ACTIVE');
  });

  it('finds the CA of a device certificate by the device issuer', () => {
    const store = populated();
    const issuer = new X509Certificate(device.certificatePem).issuer;
    expect(store.findCasBySubject(issuer).map((record) => record.certificateId)).toEqual([ca.certificateId]);
    expect(store.findCasBySubject('CN=someone else')).toEqual([]);
  });

  it('indexes thing attachments both ways and forgets them on detach', () => {
    const store = populated();
    const arn = store.certArn(device.certificateId);
    expect(store.thingsForPrincipal(arn)).toEqual(['dev1']);
    expect(store.principalsForThing('dev1')).toEqual([arn]);
    store.detachThingPrincipal('dev1', arn);
    expect(store.thingsForPrincipal(arn)).toEqual([]);
    expect(store.principalsForThing('dev1')).toEqual([]);
  });

  it('gives the policies attached to a principal with their default version', () => {
    const store = populated();
    const [policy] = store.policiesForPrincipal(store.certArn(device.certificateId));
    expect(policy?.policyName).toBe('p');
    expect(policy && defaultPolicyVersion(policy)?.versionId).toBe('1');
  });

  it('tells listeners about certificate status changes with the previous status', () => {
    const store = populated();
    const seen: [string, CertificateStatus][] = [];
    store.events.on('certificate-updated', (record, previous) => seen.push([record.status, previous]));
    store.setCertificateStatus(device.certificateId, 'ACTIVE', NOW + 1);
    expect(seen).toEqual([['ACTIVE', 'PENDING_ACTIVATION']]);
  });

  it('restores everything from its JSON form, including the registration code', () => {
    const store = populated();
    store.queues.create('dlq', {}, NOW);
    store.queues.send('dlq', 'hello', NOW);
    store.parameters.put({ name: '/a', type: 'String', value: 'v', dataType: 'text', lastModifiedDate: NOW });
    store.thingGroups.put({
      thingGroupName: 'g',
      thingGroupId: 'gid',
      thingGroupArn: 'arn:aws:iot:eu-west-1:123456789012:thinggroup/g',
      attributes: {},
      version: 1,
      creationDate: NOW,
    });
    store.thingGroups.add('g', 'dev1');
    const restored = RegistryStore.fromJSON(JSON.parse(JSON.stringify(store)));
    expect(restored.toJSON()).toEqual(store.toJSON());
    expect(restored.getRegistrationCode()).toBe(store.getRegistrationCode());
    expect(restored.policiesForPrincipal(store.certArn(device.certificateId))).toHaveLength(1);
    expect(restored.thingGroups.groupsOf('dev1')).toEqual(['g']);
  });

  it('reads a state file written before thing groups existed', () => {
    const { thingGroups: _absent, ...older } = populated().toJSON();
    expect(RegistryStore.fromJSON(JSON.parse(JSON.stringify(older))).thingGroups.list()).toEqual([]);
  });

  it('refuses a state file of another shape with code BAD_STATE', () => {
    expect(() => RegistryStore.fromJSON({ format: 'something' })).toThrow(
      expect.objectContaining({ code: 'BAD_STATE' }),
    );
  });
});
