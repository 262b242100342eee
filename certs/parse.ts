import { createHash, X509Certificate } from 'node:crypto';
import { MalformedCertificateError } from './errors.js';

/** One parsed certificate: the DER as AWS hashes it, Node's fast parser view, and the AWS certificateId. */
export interface LoadedCertificate {
  der: Uint8Array;
  x509: X509Certificate;
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
  const body = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

function looksLikePem(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  return head.includes('-----BEGIN ');
}

function loadDer(der: Uint8Array, where: string): LoadedCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (error) {
    throw new MalformedCertificateError(`${where} is not a valid X.509 certificate`, { cause: error });
  }
  // Node accepts trailing bytes after the certificate; AWS hashes exactly the certificate's DER.
  const exact = new Uint8Array(x509.raw);
  return { der: exact, x509, certificateId: certificateId(exact) };
}

/** Splits concatenated DER certificates by reading each outer SEQUENCE's length. */
function splitDer(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0x30) throw new MalformedCertificateError('DER input does not start with an ASN.1 SEQUENCE');
    const first = bytes[offset + 1];
    if (first === undefined) throw new MalformedCertificateError('DER input is truncated');
    let length = first;
    let header = 2;
    if (first & 0x80) {
      const count = first & 0x7f;
      if (count === 0 || count > 4) throw new MalformedCertificateError('DER input has an unsupported length encoding');
      length = 0;
      for (let i = 0; i < count; i++) {
        const byte = bytes[offset + 2 + i];
        if (byte === undefined) throw new MalformedCertificateError('DER input is truncated');
        length = length * 256 + byte;
      }
      header += count;
    }
    const end = offset + header + length;
    if (end > bytes.length) throw new MalformedCertificateError('DER input is truncated');
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
