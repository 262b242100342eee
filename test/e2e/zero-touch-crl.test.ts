import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCrl, type RevocationInput } from '../../certs/crl-issue.js';
import { fieldsOf } from '../../certs/fields.js';
import { createFleetCa, type FleetCa } from '../../certs/fleet.js';
import { createRootCa } from '../../certs/issue.js';
import { parseCertificate } from '../../certs/parse.js';
import { preconfigure } from '../../scripts/operator/preconfigure.js';
import { issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import { TEST_CREDENTIALS } from '../helpers/aws.js';
import { jitr } from '../integration/operator/cli-harness.js';
import { openssl, scratchDir } from '../helpers/openssl.js';
import { withZeroTouch } from './zero-touch-helpers.js';

const HOUR_MS = 3_600_000;
const BUCKET = 'jitr-dev-crl';

const serialOf = (device: SimulatedDevice) =>
  fieldsOf(parseCertificate(device.identity.certificatePem).der).serialNumber;

function crlOf(ca: FleetCa, entries: RevocationInput[], crlNumber: bigint, window = { from: -60_000, to: HOUR_MS }) {
  const now = Date.now();
  return issueCrl(ca, {
    entries,
    thisUpdate: new Date(now + window.from),
    nextUpdate: new Date(now + window.to),
    crlNumber,
  });
}

// Devices on their CA's CRL are refused end to end: real mqtt.js clients over TLS against the emulator, the onboarding
// and reconcile Lambdas of serverless.yml deciding, CRLs served by the emulator (http distribution point, S3, SSM).
describe('zero-touch revocation by CRL', () => {
  // IAM on: the Lambdas read CRLs with the grants serverless.yml gives their role, the operator with its policy.
  const zt = withZeroTouch([], { iam: 'on' });
  const scratch = scratchDir('jitr-e2e-crl-');
  afterAll(() => scratch.cleanup());
  // One CA per case, all trusted before any device connects (a warm container reads the fleet configuration once a minute).
  const cas: Record<'http' | 'missing' | 'forged' | 'expired' | 'failOpen', FleetCa> = {} as never;
  const devices: Record<'stolen' | 'honest', SimulatedDevice> = {} as never;

  const putCrl = async (name: string, pem: string) => {
    const response = await fetch(`${zt.current.emulator.controlPlane}/crl/${name}`, { method: 'PUT', body: pem });
    expect(response.status).toBe(204);
  };
  const status = (device: SimulatedDevice) =>
    zt.current.emulator.store.getCertificate(device.identity.certificateId)?.status;
  const decisionsOf = (device: SimulatedDevice) => zt.current.logs.history(device.identity.certificateId);
  /** The device's decisive decision: retries in flight are answered as duplicates (REGISTRATION_IN_PROGRESS) meanwhile. */
  const decisionOf = (device: SimulatedDevice, decision: string) =>
    decisionsOf(device).find((line) => line.decision === decision);

  beforeAll(async () => {
    const { emulator, clients } = zt.current;
    const s3 = new S3Client({
      endpoint: emulator.controlPlane,
      region: emulator.region,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    for (const name of ['http', 'missing', 'forged', 'expired', 'failOpen'] as const) {
      cas[name] = await createFleetCa('generic');
    }
    devices.stolen = await issueSimulatedDevice(cas.http);
    devices.honest = await issueSimulatedDevice(cas.http);
    const first = await crlOf(
      cas.http,
      [{ serialNumber: serialOf(devices.stolen), revokedAt: new Date(), reason: 'keyCompromise' }],
      1n,
    );
    await putCrl('factory-a', first.pem);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // Same issuer name, another key: what someone without the CA's key can sign.
    const impostorKey = (await createRootCa({ commonName: 'impostor' })).privateKeyPem;
    const forged = await crlOf({ ...cas.forged, privateKeyPem: impostorKey }, [], 1n);
    await clients.ssm.send(
      new PutParameterCommand({ Name: '/jitr/dev/crl/forged', Value: forged.pem, Type: 'String', Overwrite: true }),
    );
    const stale = await crlOf(cas.expired, [], 1n, { from: -2 * HOUR_MS, to: -HOUR_MS });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'expired.crl', Body: stale.der }));
    s3.destroy();

    const sources: [FleetCa, string, boolean][] = [
      [cas.http, `${emulator.controlPlane}/crl/factory-a`, false],
      [cas.missing, `s3://${BUCKET}/never-published.crl`, false],
      [cas.forged, 'ssm:/jitr/dev/crl/forged', false],
      [cas.expired, `s3://${BUCKET}/expired.crl`, false],
      [cas.failOpen, 'http://127.0.0.1:9/unreachable.crl', true],
    ];
    for (const [ca, crl, crlFailOpen] of sources) {
      await preconfigure(clients, {
        caCertificate: ca.certificatePem,
        caKey: ca.privateKeyPem,
        profile: 'generic',
        crl,
        ...(crlFailOpen ? { crlFailOpen } : {}),
      });
    }
  });

  it('refuses a new device its CA revoked, and revokes an ACTIVE one at the next reconcile once a newer CRL lists it', async () => {
    const { emulator } = zt.current;
    const { stolen, honest } = devices;

    const boot = await zt.current.simulate([stolen, honest]);

    expect(boot.results.find((r) => r.certificateId === stolen.identity.certificateId)).toMatchObject({
      outcome: 'rejected',
      reason: 'CERTIFICATE_REVOKED',
    });
    expect(decisionOf(stolen, 'rejected')).toMatchObject({
      decision: 'rejected',
      reasons: ['CERTIFICATE_REVOKED_BY_CA'],
      crlReason: 'keyCompromise',
    });
    expect(status(honest)).toBe('ACTIVE');

    const second = await crlOf(
      cas.http,
      [
        { serialNumber: serialOf(stolen), revokedAt: new Date(), reason: 'keyCompromise' },
        { serialNumber: serialOf(honest), revokedAt: new Date(), reason: 'cessationOfOperation' },
      ],
      2n,
    );
    // The bytes the Lambdas read are a CRL openssl verifies with the CA and reads the same way.
    const text = openssl([
      'crl',
      '-in',
      scratch.write('second.pem', second.pem),
      '-CAfile',
      scratch.write('ca.pem', cas.http.certificatePem),
      '-noout',
      '-text',
    ]);
    expect(text).toMatch(/Cessation Of Operation/);
    await putCrl('factory-a', second.pem);
    const run = await emulator.lambda!.invoke('jitr-dev-reconcile', {});

    expect(run).toMatchObject({ ok: true, result: { revokedByCrl: 1 } });
    expect(status(honest)).toBe('REVOKED');
    expect(decisionOf(honest, 'revoked')).toMatchObject({
      decision: 'revoked',
      reasons: ['CERTIFICATE_REVOKED_BY_CA'],
      crlReason: 'cessationOfOperation',
    });
    const again = await zt.current.simulate([honest], { timeoutMs: 5_000 });
    expect(again.boot.online).toBe(0);
  });

  it('fail-closed: holds a device back (PENDING_ACTIVATION) while the CRL is missing, forged or expired', async () => {
    const held = [
      await issueSimulatedDevice(cas.missing),
      await issueSimulatedDevice(cas.forged),
      await issueSimulatedDevice(cas.expired),
    ];

    const report = await zt.current.simulate(held, { timeoutMs: 5_000 });
    await zt.current.emulator.lambda!.idle();

    expect(report.boot.online).toBe(0);
    expect(held.map(status)).toEqual(['PENDING_ACTIVATION', 'PENDING_ACTIVATION', 'PENDING_ACTIVATION']);
    expect(held.map((device) => decisionOf(device, 'deferred'))).toMatchObject([
      { decision: 'deferred', reasons: ['CRL_UNREACHABLE'], crlProblem: 'CRL_UNREACHABLE' },
      { decision: 'deferred', reasons: ['CRL_SIGNATURE_INVALID'] },
      { decision: 'deferred', reasons: ['CRL_STALE'] },
    ]);
  });

  it('fail-open: onboards a device while its CA CRL is unreachable, and says so in the decision', async () => {
    const device = await issueSimulatedDevice(cas.failOpen);

    const report = await zt.current.simulate([device]);

    expect(report.boot.online).toBe(1);
    expect(decisionOf(device, 'onboarded')).toMatchObject({ crlProblem: 'CRL_UNREACHABLE' });
  });

  it('jitr doctor reports each CRL the Lambdas cannot use: an error when devices are held back, a warning when fail-open', async () => {
    const run = await jitr(zt.current.emulator, 'doctor', '--json');

    const findings = (JSON.parse(run.stdout) as { findings: { code: string; severity: string; subject: string }[] })
      .findings;
    const about = (ca: FleetCa) =>
      findings
        .filter((f) => f.subject === ca.certificateId && f.code.startsWith('CRL_'))
        .map((f) => [f.code, f.severity]);
    expect(about(cas.missing)).toEqual([['CRL_UNREACHABLE', 'error']]);
    expect(about(cas.forged)).toEqual([['CRL_SIGNATURE_INVALID', 'error']]);
    expect(about(cas.expired)).toEqual([['CRL_STALE', 'error']]);
    expect(about(cas.failOpen)).toEqual([['CRL_UNREACHABLE', 'warning']]);
    expect(about(cas.http)).toEqual([]);
  });
});
