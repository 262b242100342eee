import type { CertificateFacts, IssuedCertificate, ThingFacts, VendIotPort } from '../../../../functions/vend/port.js';

interface FakeCertificate extends CertificateFacts {
  policies: Set<string>;
}

/** An in-memory VendIotPort (no sockets) recording every call in order. */
export function fakeIot() {
  const calls: string[] = [];
  const things = new Map<string, ThingFacts>();
  const principals = new Map<string, Set<string>>();
  const certificates = new Map<string, FakeCertificate>();
  let serial = 0;
  let clock = 1_000;
  const arnOf = (id: string) => `arn:aws:iot:us-east-1:000000000000:cert/${id}`;
  const idOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
  const issue = (): IssuedCertificate => {
    const certificateId = (++serial).toString(16).padStart(64, '0');
    const certificate: FakeCertificate = {
      certificateId,
      certificateArn: arnOf(certificateId),
      status: 'INACTIVE',
      certificatePem: `PEM-${serial}`,
      notBefore: 0,
      notAfter: 0,
      registeredAt: clock++,
      policies: new Set(),
    };
    certificates.set(certificateId, certificate);
    return { certificateId, certificateArn: certificate.certificateArn, certificatePem: certificate.certificatePem };
  };
  const port: VendIotPort = {
    async describeThing(name) {
      calls.push('describeThing');
      return things.get(name) ?? null;
    },
    async createThing({ thingName, attributes }) {
      calls.push('createThing');
      if (things.has(thingName)) return 'conflict';
      things.set(thingName, { thingName, attributes: { ...attributes } });
      return 'created';
    },
    async listThingPrincipals(name) {
      calls.push('listThingPrincipals');
      return [...(principals.get(name) ?? [])];
    },
    async describeCertificate(id) {
      calls.push('describeCertificate');
      return certificates.get(id) ?? null;
    },
    async createKeysAndCertificate() {
      calls.push('createKeysAndCertificate');
      return { ...issue(), privateKey: `KEY-${serial}` };
    },
    async createCertificateFromCsr() {
      calls.push('createCertificateFromCsr');
      return issue();
    },
    async attachThingPrincipal(name, arn) {
      calls.push('attachThingPrincipal');
      principals.set(name, new Set([...(principals.get(name) ?? []), arn]));
    },
    async detachThingPrincipal(name, arn) {
      calls.push('detachThingPrincipal');
      principals.get(name)?.delete(arn);
    },
    async attachPolicy(policy, arn) {
      calls.push('attachPolicy');
      certificates.get(idOf(arn))?.policies.add(policy);
    },
    async detachPolicy(policy, arn) {
      calls.push('detachPolicy');
      certificates.get(idOf(arn))?.policies.delete(policy);
    },
    async listAttachedPolicies(arn) {
      calls.push('listAttachedPolicies');
      return [...(certificates.get(idOf(arn))?.policies ?? [])];
    },
    async updateCertificateStatus(id, status) {
      calls.push(`updateCertificateStatus:${status}`);
      const certificate = certificates.get(id);
      if (certificate) certificate.status = status;
    },
    async deleteCertificate(id) {
      calls.push('deleteCertificate');
      const attached = [...principals.values()].some((set) => set.has(arnOf(id)));
      if (attached || (certificates.get(id)?.policies.size ?? 0) > 0) return 'conflict';
      certificates.delete(id);
      return 'deleted';
    },
    async deleteThing(name) {
      calls.push('deleteThing');
      if ((principals.get(name)?.size ?? 0) > 0) return 'conflict';
      things.delete(name);
      return 'deleted';
    },
    async setThingAttribute(name, key, value) {
      calls.push(`setThingAttribute:${value === '' ? 'clear' : 'note'}`);
      const thing = things.get(name);
      if (!thing) return;
      const attributes = { ...thing.attributes, [key]: value };
      if (value === '') delete attributes[key];
      things.set(name, { ...thing, attributes });
    },
  };
  return { port, calls, things, principals, certificates, arnOf };
}
