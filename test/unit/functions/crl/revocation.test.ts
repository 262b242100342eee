import { beforeAll, describe, expect, it } from 'vitest';
import { issueCrl } from '../../../../certs/crl-issue.js';
import { fieldsOf } from '../../../../certs/fields.js';
import { createRootCa, type IssuedCa, issueDeviceCertificate } from '../../../../certs/issue.js';
import { parseCertificate } from '../../../../certs/parse.js';
import { CrlFetchError } from '../../../../functions/crl/fetch.js';
import { CrlRevocationChecker } from '../../../../functions/crl/revocation.js';
import { parseFleetConfig, type TrustedCa } from '../../../../functions/fleet-config.js';
import { capturedTelemetry } from '../../../helpers/telemetry.js';

// The per-container CRL cache, with a fake clock and an in-memory source (no sockets): what is fetched, and when.
const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;

let ca: IssuedCa;
let devicePem: string;
let serial: string;

beforeAll(async () => {
  ca = await createRootCa({ commonName: 'Cache CA', notBefore: new Date(T0 - 24 * HOUR) });
  const device = await issueDeviceCertificate(ca, { subject: { commonName: 'dev-1' }, notBefore: new Date(T0 - HOUR) });
  devicePem = device.certificatePem;
  serial = fieldsOf(parseCertificate(devicePem).der).serialNumber;
});

const crl = (listed: boolean, from: number, to: number, crlNumber: bigint) =>
  issueCrl(ca, {
    entries: listed ? [{ serialNumber: serial, revokedAt: new Date(from), reason: 'superseded' }] : [],
    thisUpdate: new Date(from),
    nextUpdate: new Date(to),
    crlNumber,
  });

function harness() {
  let now = T0;
  let published: Uint8Array | Error = new CrlFetchError('nothing published');
  const fetches: number[] = [];
  const { telemetry, lines } = capturedTelemetry('onboard');
  const trusted = parseFleetConfig({
    version: 1,
    trustedCas: [
      {
        certificateId: ca.certificateId,
        profile: 'generic',
        policyName: 'p',
        crl: { source: 'https://crl.example/ca.crl' },
      },
    ],
  }).trustedCas[0] as TrustedCa;
  const checker = new CrlRevocationChecker(
    {
      http: async () => {
        fetches.push(now);
        if (published instanceof Error) throw published;
        return published;
      },
      s3: async () => undefined,
      ssm: async () => undefined,
    },
    () => now,
    telemetry,
  );
  return {
    fetches,
    lines,
    publish: (bytes: Uint8Array | Error) => {
      published = bytes;
    },
    at: (time: number) => {
      now = time;
    },
    check: (freshSince?: number) =>
      checker.check({
        ca: trusted,
        certificatePem: devicePem,
        caCertificatePem: ca.certificatePem,
        ...(freshSince !== undefined ? { freshSince } : {}),
      }),
  };
}

describe('CrlRevocationChecker', () => {
  it('keeps a trusted CRL until its nextUpdate, then reads it again', async () => {
    const h = harness();
    h.publish((await crl(false, T0 - HOUR, T0 + HOUR, 1n)).der);

    const first = await h.check();
    h.at(T0 + HOUR / 2);
    await h.check();
    h.publish((await crl(true, T0 + HOUR, T0 + 2 * HOUR, 2n)).der);
    h.at(T0 + HOUR);
    const after = await h.check();

    expect(first).toMatchObject({ status: 'good', crlNumber: '1' });
    expect(h.fetches).toEqual([T0, T0 + HOUR]);
    expect(after).toMatchObject({ status: 'revoked', reason: 'superseded', serialNumber: serial });
  });

  it('reads afresh for a caller that asks for a CRL fetched since a given instant (the reconciler, once per run)', async () => {
    const h = harness();
    h.publish((await crl(false, T0 - HOUR, T0 + HOUR, 1n)).der);
    await h.check();
    h.publish((await crl(true, T0, T0 + HOUR, 2n)).der);
    h.at(T0 + 60_000);

    const cached = await h.check();
    const fresh = await h.check(T0 + 60_000);

    expect(cached.status).toBe('good');
    expect(fresh.status).toBe('revoked');
    expect(h.fetches).toEqual([T0, T0 + 60_000]);
  });

  it('keeps the newer CRL when a refresh returns an older one (a stale replica)', async () => {
    const h = harness();
    h.publish((await crl(true, T0 - HOUR, T0 + HOUR, 5n)).der);
    await h.check();
    h.publish((await crl(false, T0 - 2 * HOUR, T0 + HOUR, 4n)).der);

    const status = await h.check(T0);

    expect(status.status).toBe('revoked');
  });

  it('answers unknown for a CRL it cannot fetch, logs it once and asks again only after 30 s', async () => {
    const h = harness();

    const first = await h.check();
    h.at(T0 + 29_000);
    await h.check();
    h.at(T0 + 30_000);
    await h.check();

    expect(first).toMatchObject({ status: 'unknown', code: 'CRL_UNREACHABLE' });
    expect(h.fetches).toEqual([T0, T0 + 30_000]);
    expect(h.lines).toHaveLength(2);
    expect(h.lines[0]).toMatchObject({ level: 'WARN', code: 'CRL_UNREACHABLE', caCertificateId: ca.certificateId });
  });

  it('keeps using a CRL still current when a refresh fails', async () => {
    const h = harness();
    h.publish((await crl(true, T0 - HOUR, T0 + HOUR, 1n)).der);
    await h.check();
    h.publish(new CrlFetchError('connection refused'));

    const status = await h.check(T0);

    expect(status.status).toBe('revoked');
  });

  it('answers unknown with the problem code for an expired CRL, and for bytes that are not a CRL', async () => {
    const h = harness();
    h.publish((await crl(false, T0 - 2 * HOUR, T0 - HOUR, 1n)).der);
    const stale = await h.check();
    h.publish(new Uint8Array([1, 2, 3]));
    h.at(T0 + 30_000);
    const garbage = await h.check();

    expect(stale).toMatchObject({ status: 'unknown', code: 'CRL_STALE' });
    expect(garbage).toMatchObject({ status: 'unknown', code: 'CRL_MALFORMED' });
  });
});
