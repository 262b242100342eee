import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { parseFleetConfigJson } from '../../functions/fleet-config.js';
import { memoryCursorStore } from '../../functions/reconcile/cursor.js';
import { reconcile } from '../../functions/reconcile/run.js';
import type { Finding } from '../../scripts/operator/diagnose.js';
import { onboardDeps } from '../../scripts/operator/onboard-deps.js';
import { issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import { jitr } from '../integration/operator/cli-harness.js';
import { certificateArn, thingState, withZeroTouch } from './zero-touch-helpers.js';

const PARAMETER = '/jitr/dev/fleet-config';
/** Devices retry fast here: the race is about the pipeline, not about device back-off. */
const QUICK = { timeoutMs: 15_000, backoff: { baseMs: 100, capMs: 1_000 } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A revocation is in force when `jitr revoke` returns, whatever the onboarding Lambda's warm containers have cached
// (their fleet configuration, deny list included, lives 60 s: longer than this whole file runs). Real mqtt.js devices
// over TLS, the Lambda deciding in the emulator; the operator runs the commands of docs/operations.md#revoking-a-device.
describe('zero-touch revocation in force', () => {
  const zt = withZeroTouch(['azure-sphere'], { iam: 'on' });

  async function online(): Promise<SimulatedDevice> {
    const fleet = zt.current.fleets[0];
    if (!fleet) throw new Error('no fleet');
    const device = await issueSimulatedDevice(fleet);
    const report = await zt.current.simulate([device], QUICK);
    if (report.boot.online !== 1) throw new Error(`not onboarded: ${JSON.stringify(report.results)}`);
    return device;
  }

  /** `jitr <argv> --json` against the emulator, as docs/operations.md runs it. */
  async function run(...argv: string[]): Promise<{ code: number; data: Record<string, unknown> }> {
    const result = await jitr(zt.current.emulator, ...argv, '--json');
    return { code: result.code, data: JSON.parse(result.stdout) as Record<string, unknown> };
  }
  const doctorFindings = async () => (await run('doctor', '--stage', 'dev')).data.findings as Finding[];

  const statuses = (ids: string[]) => ids.map((id) => zt.current.emulator.store.getCertificate(id)?.status);

  it('a revoke racing a daily rotation never lets the device back in (5 rounds, revoke started 0-400 ms in)', async () => {
    const { clients } = zt.current;
    for (const offset of [0, 100, 200, 300, 400]) {
      const device = await online();
      const renewed: SimulatedDevice = { identity: await device.reissue!() };

      const [rotation, revoked] = await Promise.all([
        zt.current.simulate([renewed], QUICK),
        sleep(offset).then(() =>
          run('revoke', '--thing', device.identity.thingName, '--reason', 'reported stolen', '--stage', 'dev'),
        ),
      ]);
      await zt.current.logs.decided(renewed.identity.certificateId);
      const later: SimulatedDevice = { identity: await device.reissue!() };
      const retry = await zt.current.simulate([device, renewed, later], QUICK);
      await zt.current.logs.decided(later.identity.certificateId);

      const ids = [device, renewed, later].map((d) => d.identity.certificateId);
      expect(rotation.results).toHaveLength(1);
      expect(revoked.code).toBe(0);
      expect(retry.results.map((result) => result.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(statuses(ids).filter((status) => status === 'ACTIVE')).toEqual([]);
      // Issued after the revoke returned: only the Lambda touched it, and it revoked it (the Thing's mark, or the deny
      // list in a container that loaded it after the revoke).
      expect(statuses([later.identity.certificateId])).toEqual(['REVOKED']);
      expect((await thingState(clients, device.identity.thingName))?.attributes.jitr_ca).toMatch(/^revoked:/);
    }
  }, 120_000);

  it('jitr readmit lets the revoked device back with its next certificate, onto its Thing', async () => {
    const { clients } = zt.current;
    const device = await online();
    await run('revoke', '--thing', device.identity.thingName, '--stage', 'dev');

    const result = await run('readmit', '--thing', device.identity.thingName, '--stage', 'dev');
    const next: SimulatedDevice = { identity: await device.reissue!() };
    const report = await zt.current.simulate([next]);

    expect(result).toMatchObject({ code: 0, data: { thing: 'restored', fleetConfigChanged: true } });
    expect(report.boot.online).toBe(1);
    const thing = await thingState(clients, device.identity.thingName);
    expect(thing?.attributes.jitr_ca).toBe(zt.current.fleets[0]?.certificateId);
    expect(thing?.principals).toContain(certificateArn(zt.current.emulator, next.identity.certificateId));
    expect(statuses([device.identity.certificateId, next.identity.certificateId])).toEqual(['REVOKED', 'ACTIVE']);
  });

  it('an ACTIVE certificate put on the deny list behind the pipeline’s back is reported by doctor and revoked by reconcile', async () => {
    const { clients } = zt.current;
    const device = await online();
    // By hand, as `aws ssm put-parameter` would: no jitr command, so nothing but the deny list knows.
    const current = await clients.ssm.send(new GetParameterCommand({ Name: PARAMETER }));
    const config = parseFleetConfigJson(current.Parameter?.Value ?? '');
    config.trustedCas[0]?.deny.certificateIds.push(device.identity.certificateId);
    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAMETER, Value: JSON.stringify(config), Overwrite: true }),
    );

    const before = await doctorFindings();
    const swept = await reconcile(
      {},
      {
        ...onboardDeps(clients, PARAMETER),
        cursor: memoryCursorStore(),
        maxCertificates: 1_000,
        pendingAgeMs: 120_000,
      },
    );
    const after = await doctorFindings();
    const retry = await zt.current.simulate([device]);

    expect(before.filter((finding) => finding.code === 'DENIED_CERTIFICATE_ACTIVE').map((f) => f.subject)).toEqual([
      device.identity.certificateId,
    ]);
    expect(swept.revokedDenied).toBe(1);
    expect(statuses([device.identity.certificateId])).toEqual(['REVOKED']);
    expect(after.some((finding) => finding.code === 'DENIED_CERTIFICATE_ACTIVE')).toBe(false);
    expect(retry.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
  });
});
