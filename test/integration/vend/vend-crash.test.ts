import { createPublicKey } from 'node:crypto';
import {
  DescribeCertificateCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../../certs/keygen.js';
import { certificatePublicKey, csrPublicKey } from '../../../functions/vend/csr.js';
import { vendIotAdapter } from '../../../functions/vend/iot-adapter.js';
import type { VendIotPort } from '../../../functions/vend/port.js';
import { type CredentialSink, responseSink } from '../../../functions/vend/sink.js';
import {
  deprovisionDevice,
  type ProvisionInput,
  provisionDevice,
  type VendWorkflowDeps,
} from '../../../functions/vend/workflow.js';
import { csrForKey } from '../../../scripts/simulator/identities.js';
import { withEmulator } from '../../helpers/aws.js';
import { lambdaIotClient } from '../onboard/fixture.js';
import { localClients, setUpVend, VEND_POLICY } from './fixture.js';

class Crash extends Error {}

/**
 * The vending workflow with the real SDK adapter against the emulator, made to "crash" (the Lambda dies) just before
 * its n-th step: an IoT call or the sink delivery. What every crash leaves behind is then handed to a clean retry.
 */
function crashing(iot: VendIotPort, sink: CredentialSink, crashAt: number) {
  let step = 0;
  const issued: string[] = [];
  const tick = () => {
    if (step++ === crashAt) throw new Crash(`crash before step ${crashAt}`);
  };
  const port = Object.fromEntries(
    Object.entries(iot).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        tick();
        const result = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        if (name.startsWith('create') && result && typeof result === 'object' && 'certificateId' in result) {
          issued.push(String((result as { certificateId: string }).certificateId));
        }
        return result;
      },
    ]),
  ) as unknown as VendIotPort;
  const countedSink: CredentialSink = {
    mode: sink.mode,
    deliver: async (...args) => {
      tick();
      return sink.deliver(...args);
    },
    clear: async (...args) => {
      tick();
      return sink.clear(...args);
    },
  };
  return { port, sink: countedSink, steps: () => step, issued };
}

describe('vend workflow: a retry after a crash at every step completes the job', () => {
  const local = withEmulator();
  const base = (iot: VendIotPort, sink: CredentialSink = responseSink): VendWorkflowDeps => ({
    iot,
    sink,
    policyName: VEND_POLICY,
    endpoint: local.emulator.iotEndpoint,
    rootCaPem: 'test-root',
  });

  async function stateOf(thingName: string) {
    const { iot } = localClients(local.emulator);
    const principals = (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? [];
    const described = await Promise.all(
      principals.map(async (arn) => {
        const id = arn.slice(arn.lastIndexOf('/') + 1);
        const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId: id }));
        const { policies } = await iot.send(new ListAttachedPoliciesCommand({ target: arn }));
        return {
          id,
          status: certificateDescription?.status,
          pem: certificateDescription?.certificatePem ?? '',
          policies,
        };
      }),
    );
    return described;
  }

  async function statusOf(certificateId: string) {
    const { iot } = localClients(local.emulator);
    try {
      return (await iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription?.status;
    } catch (error) {
      return (error as Error).name;
    }
  }

  for (const mode of ['csr', 'keygen'] as const) {
    it(`${mode}: crash before each step, then retry: one ACTIVE certificate, attached with its policy, key usable`, async () => {
      await setUpVend(local.emulator);
      const real = vendIotAdapter(lambdaIotClient(local.emulator));
      const { privateKeyPem } = await generateKey('P-256');
      const csr = await csrForKey(privateKeyPem, 'crash');
      const input = (deviceId: string): ProvisionInput =>
        mode === 'csr' ? { deviceId, csr, csrKey: csrPublicKey(csr), rotate: false } : { deviceId, rotate: false };
      const clean = crashing(real, responseSink, -1);
      await provisionDevice(input(`crash-${mode}-probe`), base(clean.port, clean.sink));
      const steps = clean.steps();
      expect(steps).toBeGreaterThanOrEqual(7);

      for (let crashAt = 0; crashAt < steps; crashAt++) {
        const deviceId = `crash-${mode}-${crashAt}`;
        const broken = crashing(real, responseSink, crashAt);
        await expect(provisionDevice(input(deviceId), base(broken.port, broken.sink))).rejects.toBeInstanceOf(Crash);

        const outcome = await provisionDevice(input(deviceId), base(real));

        const state = await stateOf(deviceId);
        expect(
          state.map((c) => c.id),
          `crash before step ${crashAt}`,
        ).toEqual([outcome.credentials.certificateId]);
        expect(state[0]?.status).toBe('ACTIVE');
        expect(state[0]?.policies?.map((p) => p.policyName)).toEqual([VEND_POLICY]);
        const certificateKey = certificatePublicKey(state[0]?.pem ?? '');
        if (mode === 'csr') {
          expect(certificateKey?.equals(csrPublicKey(csr))).toBe(true);
          expect(outcome.credentials.privateKey).toBeUndefined();
        } else {
          const key = createPublicKey(outcome.credentials.privateKey ?? '').export({ type: 'spki', format: 'der' });
          expect(certificateKey?.equals(key)).toBe(true);
        }
        // Whatever the crashed attempt issued is the final certificate, or can never connect.
        for (const id of broken.issued.filter((issued) => issued !== outcome.credentials.certificateId)) {
          expect(['ResourceNotFoundException', 'INACTIVE', 'REVOKED']).toContain(await statusOf(id));
        }
      }
    }, 60_000);
  }

  it('deprovision: crash before each step, then retry: Thing and every certificate gone', async () => {
    await setUpVend(local.emulator);
    const real = vendIotAdapter(lambdaIotClient(local.emulator));
    await provisionDevice({ deviceId: 'gone-probe', rotate: false }, base(real));
    const clean = crashing(real, responseSink, -1);
    await deprovisionDevice('gone-probe', base(clean.port, clean.sink));
    const steps = clean.steps();

    for (let crashAt = 0; crashAt < steps; crashAt++) {
      const deviceId = `gone-${crashAt}`;
      const made = await provisionDevice({ deviceId, rotate: false }, base(real));
      const broken = crashing(real, responseSink, crashAt);
      await expect(deprovisionDevice(deviceId, base(broken.port, broken.sink))).rejects.toBeInstanceOf(Crash);

      const outcome = await deprovisionDevice(deviceId, base(real));

      expect(outcome.thingDeleted, `crash before step ${crashAt}`).toBe(true);
      expect(await statusOf(made.credentials.certificateId)).toBe('ResourceNotFoundException');
      expect(await real.describeThing(deviceId)).toBeNull();
    }
  }, 60_000);
});
