import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListPrincipalThingsCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../../certs/keygen.js';
import { csrForKey } from '../../../scripts/simulator/identities.js';
import { withEmulator } from '../../helpers/aws.js';
import { setUpVend, tokenFor, VEND_POLICY, type VendReply, vendRequest } from './fixture.js';

const ROUNDS = 12;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// POST and DELETE for the same device sent together, through the HTTP API, each in its own Lambda container: whatever
// the interleaving, no answer is a 500 and no certificate is left attached to nothing.
describe('vend: POST racing DELETE for one device', () => {
  const local = withEmulator();

  it(`never answers 500 and leaves no orphan certificate (${ROUNDS} rounds, both orders, CSR and generated keys)`, async () => {
    const { iot, ssm } = await setUpVend(local.emulator, {
      rateLimit: { requests: 20, windowSeconds: 60, failedAuthPerSource: 1000 },
    });
    const { privateKeyPem } = await generateKey('P-256');
    const csr = await csrForKey(privateKeyPem, 'racer');
    const replies: { round: number; method: string; reply: VendReply }[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const deviceId = `racer-${round}`;
      const token = await tokenFor(ssm, deviceId);
      const provisioned = round % 2 === 1;
      if (provisioned) {
        expect((await vendRequest(local.emulator, 'POST', '/devices', { token, body: { deviceId } })).status).toBe(201);
      }
      // Stagger the DELETE (or the POST) by a few milliseconds so the rounds land in different windows of each other.
      const lead = (round * 7) % 40;
      const body = { deviceId, rotate: provisioned, ...(round % 4 < 2 ? { csr } : {}) };
      const [post, remove] = await Promise.all([
        pause(round % 3 === 0 ? lead : 0).then(() => vendRequest(local.emulator, 'POST', '/devices', { token, body })),
        pause(round % 3 === 0 ? 0 : lead).then(() =>
          vendRequest(local.emulator, 'DELETE', `/devices/${deviceId}`, { token }),
        ),
      ]);
      replies.push({ round, method: 'POST', reply: post }, { round, method: 'DELETE', reply: remove });
    }

    const unexpected = replies.filter(({ method, reply }) =>
      method === 'DELETE' ? reply.status !== 200 : ![200, 201, 401, 409].includes(reply.status),
    );
    expect(
      unexpected.map(({ round, method, reply }) => `${round} ${method} ${reply.status} ${reply.body.error?.code}`),
    ).toEqual([]);
    for (const { reply } of replies.filter((r) => r.reply.status === 409)) {
      expect(reply.body.error?.code).toBe('DEVICE_DEPROVISIONING');
    }

    // Every certificate left in the account is ACTIVE, on a racer Thing, with the vend policy; each Thing has one.
    const certificates = (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? [];
    for (const certificate of certificates) {
      const arn = certificate.certificateArn ?? '';
      const things = (await iot.send(new ListPrincipalThingsCommand({ principal: arn }))).things ?? [];
      const { certificateDescription } = await iot.send(
        new DescribeCertificateCommand({ certificateId: certificate.certificateId }),
      );
      const policies = (await iot.send(new ListAttachedPoliciesCommand({ target: arn }))).policies ?? [];
      expect({ id: certificate.certificateId, things: things.length, status: certificateDescription?.status }).toEqual({
        id: certificate.certificateId,
        things: 1,
        status: 'ACTIVE',
      });
      expect(policies.map((p) => p.policyName)).toEqual([VEND_POLICY]);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const thingName = `racer-${round}`;
      const thing = await iot.send(new DescribeThingCommand({ thingName })).catch(() => undefined);
      if (!thing) continue;
      const principals = (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];
      expect(principals, thingName).toHaveLength(1);
      expect(thing.attributes?.jitr_vend_deprovisioning, thingName).toBeUndefined();
      // A Thing outlives its DELETE only when the POST came second and provisioned afresh.
      expect(replies.find((r) => r.round === round && r.method === 'POST')?.reply.status, thingName).toBe(201);
    }
  }, 60_000);
});
