import { RegisterCertificateWithoutCACommand } from '@aws-sdk/client-iot';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueFleetDevice } from '../../certs/fleet.js';
import { handleRegisteredEvent } from '../../functions/onboard/run.js';
import { type BadCase, badCorpus } from '../helpers/bad-certificates.js';
import { withPipeline } from './pipeline-fixture.js';

const TENANT_A = '1a2b3c4d-0000-4000-8000-00000000000a';
const TENANT_B = '1a2b3c4d-0000-4000-8000-00000000000b';

interface Verdict {
  name: string;
  expected: string;
  /** The code the pipeline answered with: the AWS error name at the door, or the workflow's reason codes. */
  got: string[];
  decision?: string;
}

// A corpus of bad certificates and events, each driven through the pipeline a device's registration takes: the control
// plane registers it (as JITR would), the event reaches the onboarding workflow (the Lambda's code, in-process, over the
// real SDK against the emulator). Every one must be refused with its own code, and nothing may come of it.
describe('a corpus of bad certificates and events', () => {
  const pipeline = withPipeline([
    { profile: 'azure-sphere', tenantId: TENANT_A },
    { profile: 'azure-sphere', tenantId: TENANT_B },
  ]);
  let cases: BadCase[];
  let caId: string;
  let verdicts: Verdict[];
  let pendingGood: { certificateId: string; thingName: string };

  async function drive(badCase: BadCase): Promise<Verdict> {
    const { clients } = pipeline.current;
    const verdict: Verdict = {
      name: badCase.name,
      expected: badCase.expect,
      got: [],
    };
    let certificateId = pendingGood.certificateId;
    if (badCase.certificatePem !== undefined) {
      try {
        const registered = await clients.iot.send(
          new RegisterCertificateWithoutCACommand({
            certificatePem: badCase.certificatePem,
            status: 'PENDING_ACTIVATION',
          }),
        );
        certificateId = registered.certificateId ?? '';
      } catch (error) {
        verdict.got = [(error as Error).name];
        return verdict;
      }
    }
    const event =
      badCase.stage === 'event'
        ? JSON.parse(
            JSON.stringify(badCase.event)
              .replaceAll('$certificateId', certificateId)
              .replaceAll('$caCertificateId', caId),
          )
        : {
            certificateId,
            caCertificateId: caId,
            timestamp: Date.now(),
            certificateStatus: 'PENDING_ACTIVATION',
            awsAccountId: pipeline.current.emulator.accountId,
            certificateRegistrationTimestamp: String(Date.now()),
          };
    const { deps } = pipeline.current.deps();
    const offset = badCase.checkAtOffsetMs ?? 0;
    const result = await handleRegisteredEvent(event, {
      ...deps,
      now: () => Date.now() + offset,
    });
    verdict.decision = result.decision;
    verdict.got = result.reasons;
    return verdict;
  }

  beforeAll(async () => {
    const [fleet, otherTenant] = pipeline.current.fleets;
    if (!fleet || !otherTenant) throw new Error('no fleets');
    caId = fleet.certificateId;
    cases = await badCorpus(fleet, otherTenant);
    // A good certificate, registered and pending: malformed events point at it, and it must stay pending.
    const good = await issueFleetDevice(fleet);
    const registered = await pipeline.current.clients.iot.send(
      new RegisterCertificateWithoutCACommand({
        certificatePem: good.certificatePem,
        status: 'PENDING_ACTIVATION',
      }),
    );
    pendingGood = {
      certificateId: registered.certificateId ?? '',
      thingName: good.thingName,
    };
    verdicts = [];
    for (const badCase of cases) verdicts.push(await drive(badCase));
  }, 120_000);

  it('holds at least 40 cases across the three stages', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.stage))).toEqual(new Set(['api', 'lambda', 'event']));
  });

  it('refuses every case with the code it is about', () => {
    const wrong = verdicts.filter((v) => !v.got.includes(v.expected));
    expect(wrong).toEqual([]);
  });

  it('never accepts one: no decision is onboarded, rotated or duplicate', () => {
    const accepted = verdicts.filter((v) => ['onboarded', 'rotated', 'duplicate'].includes(v.decision ?? ''));
    expect(accepted).toEqual([]);
  });

  it('creates no Thing and activates no certificate', () => {
    const { store } = pipeline.current.emulator;
    expect(store.listThings()).toEqual([]);
    expect(store.listCertificates().filter((c) => c.status === 'ACTIVE')).toEqual([]);
    expect(store.getCertificate(pendingGood.certificateId)?.status).toBe('PENDING_ACTIVATION');
    expect(store.getThing(pendingGood.thingName)).toBeUndefined();
  });

  it('revokes every registered bad certificate the workflow rejected (REVOKED is final)', () => {
    const { store } = pipeline.current.emulator;
    const rejected = verdicts.filter((v) => v.decision === 'rejected');
    const revoked = store.listCertificates().filter((c) => c.status === 'REVOKED');
    expect(revoked.length).toBe(rejected.length);
  });
});
