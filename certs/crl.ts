import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { normaliseSerialNumber } from './deny.js';
import { CertificateError } from './errors.js';

/**
 * Certificate revocation lists (RFC 5280 section 5): parse, verify against the issuing CA, look a serial number up.
 * Pure: no I/O, the clock is an argument. pkijs does the ASN.1 and the signature (WebCrypto), because a CRL is easy to
 * get subtly wrong by hand; this module adds the checks pkijs leaves to its caller (the time window, the signature
 * algorithm allow-list, the CA's cRLSign right, the CRL kinds we do not process).
 */

/** CRLReason (RFC 5280 5.3.1), indexed by its ENUMERATED value; 7 is not used. */
export const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused7',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type CrlReason = (typeof CRL_REASONS)[number];

/** Why a CRL is not trusted. Stable codes: the Lambda logs and counts them, `jitr doctor` reports them. */
export type CrlProblemCode =
  | 'CRL_MALFORMED'
  | 'CRL_SIGNATURE_INVALID'
  | 'CRL_ISSUER_MISMATCH'
  | 'CRL_WEAK_SIGNATURE'
  | 'CRL_NOT_YET_VALID'
  | 'CRL_STALE'
  | 'CRL_UNSUPPORTED'
  | 'CA_NOT_CRL_SIGNER';

export interface CrlEntry {
  /** Lowercase hex, no leading zeros (as `normaliseSerialNumber`). */
  serialNumber: string;
  revokedAt: Date;
  reason: CrlReason;
  /** The CRLReason ENUMERATED value; 0 (unspecified) when the entry carries no reason code. */
  reasonCode: number;
}

export interface RevocationList {
  der: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** The cRLNumber extension as lowercase hex, when present. */
  crlNumber?: string;
  signatureAlgorithm: string;
  entries: ReadonlyMap<string, CrlEntry>;
  /** pkijs's view, for verification. */
  readonly parsed: pkijs.CertificateRevocationList;
}

export type CrlCheck = { trusted: true } | { trusted: false; code: CrlProblemCode; message: string };

const OID = {
  crlNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  keyUsage: '2.5.29.15',
} as const;

/** SHA-256/384/512 with RSA or ECDSA: what AWS IoT accepts for certificates, and so for the CRLs that revoke them. */
const ALLOWED_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
};

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/;

/** The DER of a CRL given as DER bytes, PEM text (`X509 CRL`), or base64 of the DER (how an SSM parameter holds one). */
export function crlDer(input: string | Uint8Array): Uint8Array {
  if (typeof input !== 'string' && input[0] === 0x30) return input;
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const pem = PEM_CRL.exec(text);
  const body = (pem ? pem[1]! : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new CertificateError('CRL_MALFORMED', 'the CRL is neither DER, PEM (X509 CRL) nor base64');
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function hexOf(view: Uint8Array): string {
  return normaliseSerialNumber(Buffer.from(view).toString('hex') || '0');
}

function extensionValue(extension: pkijs.Extension): asn1js.AsnType {
  const parsed = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView);
  if (parsed.offset === -1) throw new Error(`extension ${extension.extnID} does not decode`);
  return parsed.result;
}

function entryOf(revoked: pkijs.RevokedCertificate): CrlEntry {
  const reasonExtension = revoked.crlEntryExtensions?.extensions.find((e) => e.extnID === OID.reasonCode);
  let reasonCode = 0;
  if (reasonExtension) {
    const value = extensionValue(reasonExtension);
    if (!(value instanceof asn1js.Enumerated)) throw new Error('reasonCode is not an ENUMERATED');
    reasonCode = value.valueBlock.valueDec;
  }
  const reason = CRL_REASONS[reasonCode];
  if (reason === undefined || reasonCode === 7) throw new Error(`reasonCode ${reasonCode} is not defined`);
  return {
    serialNumber: hexOf(revoked.userCertificate.valueBlock.valueHexView),
    revokedAt: revoked.revocationDate.value,
    reason,
    reasonCode,
  };
}

/** Parses a CRL (DER, PEM or base64). Throws CertificateError CRL_MALFORMED. */
export function parseCrl(input: string | Uint8Array): RevocationList {
  const der = crlDer(input);
  try {
    const parsed = pkijs.CertificateRevocationList.fromBER(der);
    const entries = new Map<string, CrlEntry>();
    for (const revoked of parsed.revokedCertificates ?? []) {
      const entry = entryOf(revoked);
      entries.set(entry.serialNumber, entry);
    }
    const numberExtension = parsed.crlExtensions?.extensions.find((e) => e.extnID === OID.crlNumber);
    const number = numberExtension ? extensionValue(numberExtension) : undefined;
    return {
      der,
      thisUpdate: parsed.thisUpdate.value,
      ...(parsed.nextUpdate ? { nextUpdate: parsed.nextUpdate.value } : {}),
      ...(number instanceof asn1js.Integer ? { crlNumber: hexOf(number.valueBlock.valueHexView) } : {}),
      signatureAlgorithm: parsed.signatureAlgorithm.algorithmId,
      entries,
      parsed,
    };
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw new CertificateError('CRL_MALFORMED', `the CRL does not parse: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const problem = (code: CrlProblemCode, message: string): CrlCheck => ({ trusted: false, code, message });

/** A CRL that covers only part of the CA's certificates, or a delta, would let a revoked device through unseen. */
function unsupportedKind(crl: RevocationList): string | undefined {
  const extensions = crl.parsed.crlExtensions?.extensions ?? [];
  if (extensions.some((e) => e.extnID === OID.deltaCrlIndicator)) return 'it is a delta CRL';
  if (extensions.some((e) => e.extnID === OID.issuingDistributionPoint)) {
    return 'it has an issuingDistributionPoint (a partitioned or indirect CRL)';
  }
  const indirect = (crl.parsed.revokedCertificates ?? []).some((revoked) =>
    revoked.crlEntryExtensions?.extensions.some((e) => e.extnID === OID.certificateIssuer),
  );
  return indirect ? 'an entry names another certificate issuer (an indirect CRL)' : undefined;
}

/** RFC 5280 4.2.1.3: a CA with a keyUsage extension signs CRLs only with the cRLSign bit (bit 6). */
function caMaySignCrls(ca: pkijs.Certificate): boolean {
  const keyUsage = ca.extensions?.find((e) => e.extnID === OID.keyUsage);
  if (!keyUsage) return true;
  const bits = extensionValue(keyUsage);
  if (!(bits instanceof asn1js.BitString)) return false;
  const first = bits.valueBlock.valueHexView[0] ?? 0;
  return (first & 0x02) !== 0;
}

/**
 * Whether the CRL can be trusted at `at` for the CA certificate `caDer`: issued by that CA's name, signed by its key
 * with an allowed algorithm, thisUpdate <= at < nextUpdate (a CRL without nextUpdate is stale: its freshness is unknown),
 * and a complete, direct, non-delta CRL.
 */
export async function verifyCrl(crl: RevocationList, caDer: Uint8Array, at: Date): Promise<CrlCheck> {
  let ca: pkijs.Certificate;
  try {
    ca = pkijs.Certificate.fromBER(caDer);
  } catch (error) {
    return problem('CRL_ISSUER_MISMATCH', `the CA certificate does not parse: ${(error as Error).message}`);
  }
  if (!crl.parsed.issuer.isEqual(ca.subject)) {
    return problem('CRL_ISSUER_MISMATCH', 'the CRL was issued by another name than the CA certificate subject');
  }
  if (!ALLOWED_SIGNATURES[crl.signatureAlgorithm]) {
    return problem(
      'CRL_WEAK_SIGNATURE',
      `the CRL is signed with ${crl.signatureAlgorithm}, not SHA-2 with RSA or ECDSA`,
    );
  }
  if (!caMaySignCrls(ca)) return problem('CA_NOT_CRL_SIGNER', "the CA certificate's keyUsage lacks cRLSign");
  const unsupported = unsupportedKind(crl);
  if (unsupported) return problem('CRL_UNSUPPORTED', `the CRL is not processed: ${unsupported}`);
  let signed = false;
  try {
    signed = await crl.parsed.verify({ issuerCertificate: ca });
  } catch {
    signed = false;
  }
  if (!signed) return problem('CRL_SIGNATURE_INVALID', "the CRL's signature does not verify with the CA's key");
  if (crl.thisUpdate.getTime() > at.getTime()) {
    return problem('CRL_NOT_YET_VALID', `the CRL's thisUpdate ${crl.thisUpdate.toISOString()} is in the future`);
  }
  if (!crl.nextUpdate) return problem('CRL_STALE', 'the CRL has no nextUpdate, so its freshness is unknown');
  if (crl.nextUpdate.getTime() <= at.getTime()) {
    return problem('CRL_STALE', `the CRL's nextUpdate ${crl.nextUpdate.toISOString()} has passed`);
  }
  return { trusted: true };
}

/** The CRL's entry for a serial number (any spelling `normaliseSerialNumber` accepts), or undefined. */
export function lookupSerial(crl: RevocationList, serialNumber: string): CrlEntry | undefined {
  return crl.entries.get(normaliseSerialNumber(serialNumber));
}

/** The http(s) URIs of a certificate's CRL distribution points (RFC 5280 4.2.1.13), in certificate order. */
export function crlDistributionPoints(certificateDer: Uint8Array): string[] {
  const certificate = pkijs.Certificate.fromBER(certificateDer);
  const extension = certificate.extensions?.find((e) => e.extnID === pkijs.id_CRLDistributionPoints);
  const points = extension?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  const uris: string[] = [];
  for (const point of points?.distributionPoints ?? []) {
    const names = Array.isArray(point.distributionPoint) ? point.distributionPoint : [];
    for (const name of names) {
      if (name.type === 6 && typeof name.value === 'string' && /^https?:\/\//i.test(name.value)) uris.push(name.value);
    }
  }
  return uris;
}
