import { createHash, X509Certificate } from 'node:crypto';
import { readTlv } from './der.js';
import { MalformedCertificateError } from './errors.js';
import { fieldsOf } from './fields.js';

/** One parsed certificate: the DER as AWS hashes it, Node's parser view, and the AWS certificateId. */
export interface LoadedCertificate {
  der: Uint8Array;
  /**
   * Node's X509Certificate, built on first access: constructing one costs ~110 us, more than the rest of a validation
   * (see docs/benchmarks.md), and the validator does not need it. Throws MalformedCertificateError if OpenSSL refuses
   * a certificate whose structure parsed.
   */
  readonly x509: X509Certificate;
  /** Lowercase hex SHA-256 of the DER: AWS IoT's certificateId. */
  certificateId: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

/** AWS IoT's certificateId: lowercase hex SHA-256 of the DER encoding. */
export function certificateId(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

export function toPem(der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

function looksLikePem(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  return head.includes('-----BEGIN ');
}

class ParsedCertificate implements LoadedCertificate {
  readonly der: Uint8Array;
  readonly certificateId: string;
  #x509: X509Certificate | undefined;
  readonly #where: string;

  constructor(der: Uint8Array, where: string) {
    this.der = der;
    this.certificateId = certificateId(der);
    this.#where = where;
  }

  get x509(): X509Certificate {
    if (!this.#x509) {
      try {
        this.#x509 = new X509Certificate(this.der);
      } catch (error) {
        throw new MalformedCertificateError(`${this.#where} is not a valid X.509 certificate`, { cause: error });
      }
    }
    return this.#x509;
  }
}

function loadDer(bytes: Uint8Array, where: string): LoadedCertificate {
  let der: Uint8Array;
  try {
    // One certificate, one certificateId: bytes after the outer SEQUENCE would let the same certificate be presented
    // (and registered) in two encodings, so they are refused rather than cut off.
    const { end } = readTlv(bytes, 0);
    if (end !== bytes.length) throw new Error(`${bytes.length - end} byte(s) follow the certificate`);
    der = bytes;
    fieldsOf(der);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new MalformedCertificateError(`${where} is not a valid X.509 certificate${detail}`, { cause: error });
  }
  return new ParsedCertificate(der, where);
}

/** Splits concatenated DER certificates by reading each outer SEQUENCE's length. */
function splitDer(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0x30) throw new MalformedCertificateError('DER input does not start with an ASN.1 SEQUENCE');
    const { end } = readTlv(bytes, offset);
    parts.push(bytes.subarray(offset, end));
    offset = end;
  }
  return parts;
}

/**
 * Parses one certificate or a bundle, PEM or DER. Throws MalformedCertificateError (code MALFORMED_CERTIFICATE)
 * for empty input, truncated PEM, a private key, or anything that is not a certificate.
 */
export function parseCertificates(input: string | Uint8Array): LoadedCertificate[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.length === 0) throw new MalformedCertificateError('input is empty');
  if (!looksLikePem(bytes)) return splitDer(bytes).map((der, i) => loadDer(der, `DER certificate #${i + 1}`));

  const text = Buffer.from(bytes).toString('latin1');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const certificates = blocks.filter((block) => block[1] === 'CERTIFICATE');
  if (certificates.length === 0) {
    const kinds = blocks.map((block) => block[1]).join(', ');
    throw new MalformedCertificateError(
      kinds ? `input holds no certificate (found: ${kinds})` : 'input holds no complete PEM certificate (truncated?)',
    );
  }
  return certificates.map((block, i) => {
    const body = block[2] ?? '';
    if (!BASE64_BODY.test(body)) throw new MalformedCertificateError(`PEM certificate #${i + 1} is not base64`);
    return loadDer(Buffer.from(body, 'base64'), `PEM certificate #${i + 1}`);
  });
}

/** Parses exactly the first certificate of the input (a device certificate, possibly followed by its chain). */
export function parseCertificate(input: string | Uint8Array): LoadedCertificate {
  const [first] = parseCertificates(input);
  if (!first) throw new MalformedCertificateError('input holds no certificate');
  return first;
}
