import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../../functions/fleet-config.js';
import { bindingAttributes } from '../../../../functions/onboard/decide.js';
import type { CaFacts, CertificateFacts, ThingFacts } from '../../../../functions/onboard/model.js';
import type { IotPort } from '../../../../functions/onboard/port.js';
import { onboardCertificate } from '../../../../functions/onboard/workflow.js';
import { TtlCache } from '../../../../functions/ttl-cache.js';

const CA = 'a'.repeat(64);
const RIVAL = 'b'.repeat(64);
const CERT = 'c'.repeat(64);
const NOW = Date.parse('2026-03-01T12:00:00Z');
const config = parseFleetConfig({
  version: 1,
  trustedCas: [
    { certificateId: CA, profile: 'generic', policyName: 'p' },
    { certificateId: RIVAL, profile: 'generic', policyName: 'p' },
  ],
});

/** An in-memory IotPort recording the mutations; `createThing` loses a race to the rival CA when told to. */
function fakeIot(options: { loseRace: boolean }) {
  const calls: string[] = [];
  const certificate: CertificateFacts = {
    certificateId: CERT,
    certificateArn: `arn:aws:iot:us-east-1:000000000000:cert/${CERT}`,
    status: 'PENDING_ACTIVATION',
    caCertificateId: CA,
    certificatePem: 'PEM',
    notBefore: NOW - 1000,
    notAfter: NOW + 86_400_000,
    registeredAt: NOW,
  };
  let thing: ThingFacts | null = null;
  const record =
    (name: string) =>
    async (..._args: unknown[]): Promise<void> => {
      calls.push(name);
    };
  const port: IotPort = {
    describeCertificate: async () => {
      calls.push('describeCertificate');
      return certificate;
    },
    describeCaCertificate: async (): Promise<CaFacts> => ({
      certificateId: CA,
      status: 'ACTIVE',
      certificatePem: 'CA',
    }),
    describeThing: async () => {
      calls.push('describeThing');
      return thing;
    },
    listThingPrincipals: async () => [],
    createThing: async (input) => {
      calls.push('createThing');
      if (options.loseRace) {
        thing = { thingName: input.thingName, attributes: bindingAttributes(config.trustedCas[1]!) };
        return 'conflict';
      }
      thing = { thingName: input.thingName, attributes: input.attributes };
      return 'created';
    },
    addThingToThingGroup: record('addThingToThingGroup'),
    attachPolicy: record('attachPolicy'),
    attachThingPrincipal: record('attachThingPrincipal'),
    updateCertificateStatus: async (_id, status) => {
      calls.push(`updateCertificateStatus:${status}`);
    },
    detachPolicy: record('detachPolicy'),
    detachThingPrincipal: record('detachThingPrincipal'),
    deleteCertificate: async () => 'deleted',
    listCertificatesByCa: async () => ({ certificates: [] }),
  };
  return { port, calls };
}

const deps = (iot: IotPort) => ({
  iot,
  caCache: new TtlCache<CaFacts | null>(60_000, () => NOW),
  validate: () => ({ verdict: 'accept' as const, reasons: [], deviceId: 'dev-1', thingName: 'dev-1' }),
  now: () => NOW,
});

describe('onboardCertificate', () => {
  it('counts the calls and the sequential depth of a new device', async () => {
    const { port, calls } = fakeIot({ loseRace: false });

    const outcome = await onboardCertificate(
      { certificateId: CERT, caCertificateId: CA, certificateStatus: 'x' },
      config,
      deps(port),
    );

    expect(outcome).toMatchObject({ decision: 'onboarded', apiCalls: 7, apiDepth: 6 });
    expect(calls.slice(-2)).toEqual(['attachThingPrincipal', 'updateCertificateStatus:ACTIVE']);
  });

  it('re-reads the Thing when CreateThing loses a race to another CA of the fleet, then holds the certificate pending and detaches the policy it attached', async () => {
    const { port, calls } = fakeIot({ loseRace: true });

    const outcome = await onboardCertificate(
      { certificateId: CERT, caCertificateId: CA, certificateStatus: 'x' },
      config,
      deps(port),
    );

    // Both CAs are this fleet's, for the same (no) tenant: an operator decides (REVOKED would be final).
    expect(outcome).toMatchObject({ decision: 'deferred', reasons: ['THING_BOUND_TO_TRUSTED_CA'], security: true });
    expect(calls).not.toContain('attachThingPrincipal');
    expect(calls.filter((call) => call.startsWith('updateCertificateStatus'))).toEqual([]);
    expect(calls.filter((call) => call === 'describeThing')).toHaveLength(2);
    expect(calls.at(-1)).toBe('detachPolicy');
  });
});
