import {
  type CrlProblemCode,
  crlDistributionPoints,
  parseCrl,
  type RevocationList,
  verifyCrl,
} from '../../certs/crl.js';
import { revocationOf } from '../../certs/crl-verdict.js';
import { parseCertificate } from '../../certs/parse.js';
import type { TrustedCa } from '../fleet-config.js';
import type { Telemetry } from '../observability.js';
import { CrlFetchError, type CrlReaders, fetchCrl } from './fetch.js';
import { type CrlLocation, describeLocation, parseCrlLocation } from './location.js';

/** What the CA's CRL says about one device certificate. */
export type RevocationStatus =
  | { status: 'good'; crlNumber?: string; nextUpdate: string }
  | { status: 'revoked'; serialNumber: string; reason: string; reasonCode: number; revokedAt: string }
  | { status: 'unknown'; code: CrlUnavailableCode; message: string };

/** Why no current, trusted CRL was at hand: the CA's failClosed decides what that means. */
export type CrlUnavailableCode = CrlProblemCode | 'CRL_UNREACHABLE' | 'CRL_NO_DISTRIBUTION_POINT';

export interface RevocationQuery {
  ca: TrustedCa;
  certificatePem: string;
  caCertificatePem: string;
  /** Use a cached CRL only if it was fetched at or after this instant (the reconciler wants each run's newest CRL). */
  freshSince?: number;
}

export interface RevocationPort {
  check(query: RevocationQuery): Promise<RevocationStatus>;
}

interface Cached {
  crl?: RevocationList;
  problem?: { code: CrlUnavailableCode; message: string };
  fetchedAt: number;
  expiresAt: number;
}

/** A CRL that cannot be had is not asked for again for this long (a storm must not hammer a broken CRL server). */
const FAILURE_TTL_MS = 30_000;
const MAX_ENTRIES = 64;

/**
 * Per-container CRL cache and lookup: a trusted CRL is kept until its nextUpdate (or until a caller asks for a fresher
 * one); a fetched CRL older than the one in hand (a stale replica) does not replace it; concurrent misses share a fetch.
 */
export class CrlRevocationChecker implements RevocationPort {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<Cached>>();

  constructor(
    private readonly readers: CrlReaders,
    private readonly now: () => number,
    private readonly log: Pick<Telemetry, 'warn'>,
  ) {}

  async check(query: RevocationQuery): Promise<RevocationStatus> {
    const source = query.ca.crl?.source;
    if (source === undefined) return { status: 'unknown', code: 'CRL_UNREACHABLE', message: 'the CA names no CRL' };
    const parsed = parseCrlLocation(source);
    if (!parsed.ok) return { status: 'unknown', code: 'CRL_UNREACHABLE', message: parsed.problem };
    const device = parseCertificate(query.certificatePem);
    let location: Exclude<CrlLocation, { kind: 'dp' }>;
    if (parsed.location.kind === 'dp') {
      const [url] = crlDistributionPoints(device.der);
      if (!url) {
        return {
          status: 'unknown',
          code: 'CRL_NO_DISTRIBUTION_POINT',
          message: 'the certificate has no http(s) CRL distribution point',
        };
      }
      location = { kind: 'url', url };
    } else {
      location = parsed.location;
    }
    const entry = await this.current(query, location);
    if (!entry.crl) return { status: 'unknown', ...entry.problem! };
    const revoked = revocationOf(entry.crl, device.der);
    if (revoked) return revoked;
    return {
      status: 'good',
      ...(entry.crl.crlNumber !== undefined ? { crlNumber: entry.crl.crlNumber } : {}),
      nextUpdate: entry.crl.nextUpdate!.toISOString(),
    };
  }

  private async current(query: RevocationQuery, location: Exclude<CrlLocation, { kind: 'dp' }>): Promise<Cached> {
    const key = `${query.ca.certificateId} ${describeLocation(location)}`;
    const now = this.now();
    const cached = this.cache.get(key);
    const freshEnough = (entry: Cached) => query.freshSince === undefined || entry.fetchedAt >= query.freshSince;
    if (cached && cached.expiresAt > now && freshEnough(cached)) return cached;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.load(query, location, cached).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const loaded = await pending;
    if (this.cache.size >= MAX_ENTRIES && !this.cache.has(key)) this.cache.clear();
    this.cache.set(key, loaded);
    return loaded;
  }

  private async load(
    query: RevocationQuery,
    location: Exclude<CrlLocation, { kind: 'dp' }>,
    previous: Cached | undefined,
  ): Promise<Cached> {
    const fetchedAt = this.now();
    const failed = (code: CrlUnavailableCode, message: string): Cached => {
      this.log.warn(`CRL not usable: ${message}`, {
        code,
        caCertificateId: query.ca.certificateId,
        crlSource: describeLocation(location),
        failClosed: query.ca.crl?.failClosed ?? true,
      });
      // A CRL still current from an earlier fetch stays in use when a refresh fails.
      if (previous?.crl && previous.expiresAt > fetchedAt) return { ...previous, fetchedAt };
      return { problem: { code, message }, fetchedAt, expiresAt: fetchedAt + FAILURE_TTL_MS };
    };
    let crl: RevocationList;
    try {
      crl = parseCrl(await fetchCrl(location, this.readers));
    } catch (error) {
      const code = error instanceof CrlFetchError ? 'CRL_UNREACHABLE' : 'CRL_MALFORMED';
      return failed(code, (error as Error).message);
    }
    const verdict = verifyCrl(crl, parseCertificate(query.caCertificatePem).der, new Date(fetchedAt));
    if (!verdict.trusted) return failed(verdict.code, `${describeLocation(location)}: ${verdict.message}`);
    if (previous?.crl && previous.expiresAt > fetchedAt && previous.crl.thisUpdate > crl.thisUpdate) {
      return { ...previous, fetchedAt };
    }
    return { crl, fetchedAt, expiresAt: crl.nextUpdate!.getTime() };
  }
}
