import { verify } from 'node:crypto';
import { childrenOf, contentsOf, decodeOid, decodeTime, expectTlv, hex, TAG, type Tlv } from './der.js';
import { normaliseSerialNumber } from './deny.js';
import { CertificateError } from './errors.js';
import { EXTENSION, fieldsOf } from './fields.js';
import { publicKeyFromSpki } from './signature.js';

/**
 * Certificate revocation lists (RFC 5280 section 5): parse, verify against the issuing CA, look a serial number up.
 * Pure: no I/O, the clock is an argument. Read with the project's DER reader and verified with node:crypto, the
 * onboarding Lambda's own fast path: pkijs, which reads CRLs correctly too, costs 430 KB of the minified Lambda bundle
 * (362 KB -> 834 KB measured), over its 400 KB budget; the tests check every CRL against pkijs and openssl instead
 * (test/unit/certs/crl.test.ts). `certs/crl-issue.ts` signs CRLs with pkijs (the CLI only, never the Lambda).
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
  /** DER of the issuer Name, compared byte for byte with the CA's subject. */
  issuerDer: Uint8Array;
  /** The signed bytes (TBSCertList) and the signature over them. */
  tbs: Uint8Array;
  signature: Uint8Array;
  /** Whether the outer and the signed signatureAlgorithm are the same (5.1.1.2). */
  signatureAlgorithmsAgree: boolean;
  /** CRL extensions by OID, with their criticality. */
  extensions: ReadonlyMap<string, { critical: boolean; value: Uint8Array }>;
  /** OIDs of the entry extensions seen, and whether any was critical. */
  entryExtensions: ReadonlyMap<string, boolean>;
}

export type CrlCheck = { trusted: true } | { trusted: false; code: CrlProblemCode; message: string };

const OID = {
  authorityKeyIdentifier: '2.5.29.35',
  crlNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  crlDistributionPoints: '2.5.29.31',
} as const;

/** SHA-256/384/512 with RSA or ECDSA: what AWS IoT accepts for certificates, and so for the CRLs that revoke them. */
const ALLOWED_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
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

class Malformed extends Error {}

function need(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new Malformed(`${what} is missing or malformed`);
  return tlv;
}

function integerHex(der: Uint8Array, tlv: Tlv): string {
  const bytes = contentsOf(der, tlv);
  if (bytes.length === 0) throw new Malformed('an INTEGER is empty');
  if ((bytes[0] ?? 0) & 0x80) throw new Malformed('a serial or CRL number is negative');
  return normaliseSerialNumber(hex(bytes));
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function readExtensions(der: Uint8Array, list: Tlv): Map<string, { critical: boolean; value: Uint8Array }> {
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  for (const extension of childrenOf(der, need(list, TAG.sequence, 'extensions'))) {
    const parts = childrenOf(der, extension);
    const id = decodeOid(contentsOf(der, need(parts[0], TAG.oid, 'an extension OID')));
    const critical = parts.length === 3 && parts[1]?.tag === TAG.boolean && contentsOf(der, parts[1])[0] !== 0;
    const value = need(parts[parts.length - 1], TAG.octetString, `extension ${id}'s value`);
    if (parts.length > 3 || extensions.has(id)) throw new Malformed(`extension ${id} is malformed or repeated`);
    extensions.set(id, { critical, value: contentsOf(der, value) });
  }
  return extensions;
}

function reasonOf(value: Uint8Array): number {
  const tlv = expectTlv(value, 0, 0x0a); // ENUMERATED
  const bytes = contentsOf(value, tlv);
  if (bytes.length !== 1) throw new Malformed('reasonCode is not a one-byte ENUMERATED');
  return bytes[0]!;
}

function readEntry(der: Uint8Array, entry: Tlv, seen: Map<string, boolean>): CrlEntry {
  const [serial, date, extensionList] = childrenOf(der, need(entry, TAG.sequence, 'a revoked certificate entry'));
  const serialNumber = integerHex(der, need(serial, TAG.integer, "an entry's serial number"));
  if (!date || (date.tag !== TAG.utcTime && date.tag !== TAG.generalizedTime)) throw new Malformed('revocationDate');
  let reasonCode = 0;
  if (extensionList) {
    const extensions = readExtensions(der, extensionList);
    if (extensions.size === 0) throw new Malformed('an entry has an empty crlEntryExtensions');
    for (const [id, extension] of extensions) seen.set(id, (seen.get(id) ?? false) || extension.critical);
    const reason = extensions.get(OID.reasonCode);
    if (reason) reasonCode = reasonOf(reason.value);
  }
  const reason = CRL_REASONS[reasonCode];
  if (reason === undefined || reasonCode === 7) throw new Malformed(`reasonCode ${reasonCode} is not defined`);
  return { serialNumber, revokedAt: decodeTime(der, date), reason, reasonCode };
}

function readCrl(der: Uint8Array): RevocationList {
  const list = expectTlv(der, 0, TAG.sequence);
  if (list.end !== der.length) throw new Malformed('bytes follow the CRL');
  const [tbs, outerAlgorithm, signature, ...rest] = childrenOf(der, list);
  need(tbs, TAG.sequence, 'tbsCertList');
  need(outerAlgorithm, TAG.sequence, 'signatureAlgorithm');
  need(signature, TAG.bitString, 'signatureValue');
  if (rest.length > 0 || der[signature!.contentStart] !== 0) throw new Malformed('the CRL structure is malformed');
  const parts = childrenOf(der, tbs!);
  let index = parts[0]?.tag === TAG.integer ? 1 : 0;
  if (index === 1 && contentsOf(der, parts[0]!)[0] !== 1) throw new Malformed('only version 2 CRLs are read');
  const innerAlgorithm = need(parts[index++], TAG.sequence, 'the signature algorithm');
  const issuer = need(parts[index++], TAG.sequence, 'the issuer');
  const times: Date[] = [];
  while (times.length < 2 && (parts[index]?.tag === TAG.utcTime || parts[index]?.tag === TAG.generalizedTime)) {
    times.push(decodeTime(der, parts[index++]!));
  }
  if (times.length === 0) throw new Malformed('thisUpdate is missing');
  const entries = new Map<string, CrlEntry>();
  const entryExtensions = new Map<string, boolean>();
  if (parts[index]?.tag === TAG.sequence) {
    for (const entry of childrenOf(der, parts[index++]!)) {
      const read = readEntry(der, entry, entryExtensions);
      entries.set(read.serialNumber, read);
    }
  }
  let extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  if (parts[index]?.tag === 0xa0)
    extensions = readExtensions(der, need(childrenOf(der, parts[index++]!)[0], TAG.sequence, 'crlExtensions'));
  if (index !== parts.length) throw new Malformed('tbsCertList has unexpected fields');
  const number = extensions.get(OID.crlNumber);
  const [algorithmOid] = childrenOf(der, outerAlgorithm!);
  const bytesOf = (tlv: Tlv) => Buffer.from(der.subarray(tlv.start, tlv.end));
  return {
    der,
    thisUpdate: times[0]!,
    ...(times[1] ? { nextUpdate: times[1] } : {}),
    ...(number ? { crlNumber: integerHex(number.value, expectTlv(number.value, 0, TAG.integer)) } : {}),
    signatureAlgorithm: decodeOid(contentsOf(der, need(algorithmOid, TAG.oid, 'the signature algorithm OID'))),
    entries,
    issuerDer: der.subarray(issuer.start, issuer.end),
    tbs: der.subarray(tbs!.start, tbs!.end),
    signature: contentsOf(der, signature!).subarray(1),
    signatureAlgorithmsAgree: bytesOf(innerAlgorithm).equals(bytesOf(outerAlgorithm!)),
    extensions,
    entryExtensions,
  };
}

/** Parses a CRL (DER, PEM or base64). Throws CertificateError CRL_MALFORMED. */
export function parseCrl(input: string | Uint8Array): RevocationList {
  const der = crlDer(input);
  try {
    return readCrl(der);
  } catch (error) {
    if (error instanceof CertificateError && error.code === 'CRL_MALFORMED') throw error;
    throw new CertificateError('CRL_MALFORMED', `the CRL does not parse: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const problem = (code: CrlProblemCode, message: string): CrlCheck => ({ trusted: false, code, message });

/** CRL extensions this module processes (5.2); any other critical one makes the CRL unusable (5.2: MUST). */
const KNOWN_CRL_EXTENSIONS = new Set<string>([OID.authorityKeyIdentifier, OID.crlNumber]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([OID.reasonCode, OID.invalidityDate]);

/** A CRL that covers only part of the CA's certificates, or a delta, would let a revoked device through unseen. */
function unsupportedKind(crl: RevocationList): string | undefined {
  if (crl.extensions.has(OID.deltaCrlIndicator)) return 'it is a delta CRL';
  if (crl.extensions.has(OID.issuingDistributionPoint)) {
    return 'it has an issuingDistributionPoint (a partitioned or indirect CRL)';
  }
  if (crl.entryExtensions.has(OID.certificateIssuer))
    return 'an entry names another certificate issuer (an indirect CRL)';
  for (const [id, extension] of crl.extensions) {
    if (extension.critical && !KNOWN_CRL_EXTENSIONS.has(id)) return `it has the unknown critical extension ${id}`;
  }
  for (const [id, critical] of crl.entryExtensions) {
    if (critical && !KNOWN_ENTRY_EXTENSIONS.has(id)) return `an entry has the unknown critical extension ${id}`;
  }
  return undefined;
}

/** RFC 5280 4.2.1.3: a CA with a keyUsage extension signs CRLs only with the cRLSign bit (bit 6). */
function caMaySignCrls(keyUsage: Uint8Array | undefined): boolean {
  if (!keyUsage) return true;
  const bits = expectTlv(keyUsage, 0, TAG.bitString);
  const first = contentsOf(keyUsage, bits)[1] ?? 0;
  return (first & 0x02) !== 0;
}

/**
 * Whether the CRL can be trusted at `at` for the CA certificate `caDer`: issued by that CA's name, signed by its key
 * with an allowed algorithm, thisUpdate <= at < nextUpdate (a CRL without nextUpdate is stale: its freshness is unknown),
 * and a complete, direct, non-delta CRL without critical extensions this module does not process.
 */
export function verifyCrl(crl: RevocationList, caDer: Uint8Array, at: Date): CrlCheck {
  let ca: ReturnType<typeof fieldsOf>;
  try {
    ca = fieldsOf(caDer);
  } catch (error) {
    return problem('CRL_ISSUER_MISMATCH', `the CA certificate does not parse: ${(error as Error).message}`);
  }
  if (!Buffer.from(crl.issuerDer).equals(Buffer.from(ca.subjectDer))) {
    return problem('CRL_ISSUER_MISMATCH', 'the CRL was issued by another name than the CA certificate subject');
  }
  const digest = ALLOWED_SIGNATURES[crl.signatureAlgorithm];
  if (!digest) {
    return problem(
      'CRL_WEAK_SIGNATURE',
      `the CRL is signed with ${crl.signatureAlgorithm}, not SHA-2 with RSA or ECDSA`,
    );
  }
  let keyUsageOk: boolean;
  try {
    keyUsageOk = caMaySignCrls(ca.extensions.get(EXTENSION.keyUsage)?.value);
  } catch {
    keyUsageOk = false;
  }
  if (!keyUsageOk) return problem('CA_NOT_CRL_SIGNER', "the CA certificate's keyUsage lacks cRLSign");
  const unsupported = unsupportedKind(crl);
  if (unsupported) return problem('CRL_UNSUPPORTED', `the CRL is not processed: ${unsupported}`);
  const key = publicKeyFromSpki(ca.subjectPublicKeyInfo);
  let signed = false;
  try {
    signed = key !== undefined && crl.signatureAlgorithmsAgree && verify(digest, crl.tbs, key, crl.signature);
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

/**
 * The http(s) URIs of a certificate's CRL distribution points (RFC 5280 4.2.1.13), in certificate order:
 * DistributionPoint.distributionPoint [0] -> fullName [0] -> uniformResourceIdentifier [6] IA5String.
 */
export function crlDistributionPoints(certificateDer: Uint8Array): string[] {
  const extension = fieldsOf(certificateDer).extensions.get(OID.crlDistributionPoints);
  if (!extension) return [];
  const der = extension.value;
  const uris: string[] = [];
  try {
    for (const point of childrenOf(der, expectTlv(der, 0, TAG.sequence))) {
      const name = childrenOf(der, point).find((part) => part.tag === 0xa0);
      const fullName = name ? childrenOf(der, name).find((part) => part.tag === 0xa0) : undefined;
      for (const general of fullName ? childrenOf(der, fullName) : []) {
        const uri = Buffer.from(contentsOf(der, general)).toString('latin1');
        if (general.tag === 0x86 && /^https?:\/\//i.test(uri)) uris.push(uri);
      }
    }
  } catch {
    return uris;
  }
  return uris;
}
