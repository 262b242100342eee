import { childrenOf, contentsOf, decodeOid, decodeString, decodeTime, expectTlv, hex, TAG, type Tlv } from './der.js';
import { MalformedCertificateError } from './errors.js';

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  oid: string;
  /** 'CN', 'O', ... or the dotted OID when the attribute has no short name. */
  name: string;
  value: string;
}

export interface CertificateExtension {
  critical: boolean;
  /** The extnValue OCTET STRING's contents. */
  value: Uint8Array;
}

/** What the validator reads from a certificate's DER that node:crypto does not expose (or not exactly). */
export interface CertificateFields {
  /** Lowercase hex of the serial number's DER contents, leading zero bytes removed. */
  serialNumber: string;
  issuer: NameAttribute[];
  /** DER of the issuer Name, to compare byte for byte with a CA's subject. */
  issuerDer: Uint8Array;
  subject: NameAttribute[];
  subjectDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyInfo: Uint8Array;
  extensions: Map<string, CertificateExtension>;
  /** The signed bytes (TBSCertificate DER). */
  tbs: Uint8Array;
  /** OID of the outer signatureAlgorithm. */
  signatureAlgorithm: string;
  /** DER of the outer signatureAlgorithm's parameters (RSASSA-PSS names its hash there); empty when absent. */
  signatureAlgorithmParameters: Uint8Array;
  /** Whether the outer and the signed signatureAlgorithm are the same, as RFC 5280 requires. */
  signatureAlgorithmsAgree: boolean;
  /** The signatureValue BIT STRING's bytes. */
  signature: Uint8Array;
}

const NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export const EXTENSION = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The attributes of a DER Name (RDNSequence), flattened in order. */
export function readName(der: Uint8Array, name: Tlv): NameAttribute[] {
  if (name.tag !== TAG.sequence) throw new MalformedCertificateError('certificate name is not a SEQUENCE');
  const attributes: NameAttribute[] = [];
  for (const rdn of childrenOf(der, name)) {
    if (rdn.tag !== TAG.set) throw new MalformedCertificateError('certificate name has an RDN that is not a SET');
    for (const pair of childrenOf(der, rdn)) {
      const [type, value] = childrenOf(der, pair);
      if (!type || type.tag !== TAG.oid || !value)
        throw new MalformedCertificateError('certificate name attribute is malformed');
      const oid = decodeOid(contentsOf(der, type));
      attributes.push({ oid, name: NAMES[oid] ?? oid, value: decodeString(der, value) });
    }
  }
  return attributes;
}

function readExtensions(der: Uint8Array, wrapper: Tlv): Map<string, CertificateExtension> {
  const extensions = new Map<string, CertificateExtension>();
  const [list] = childrenOf(der, wrapper);
  if (!list || list.tag !== TAG.sequence) throw new MalformedCertificateError('certificate extensions are malformed');
  for (const extension of childrenOf(der, list)) {
    const parts = childrenOf(der, extension);
    const oid = parts[0];
    const critical = parts.length === 3 ? parts[1] : undefined;
    const value = parts[parts.length - 1];
    if (!oid || oid.tag !== TAG.oid || !value || value.tag !== TAG.octetString || parts.length > 3) {
      throw new MalformedCertificateError('certificate extension is malformed');
    }
    const id = decodeOid(contentsOf(der, oid));
    if (extensions.has(id)) throw new MalformedCertificateError(`certificate repeats extension ${id}`);
    const isCritical = critical !== undefined && critical.tag === TAG.boolean && contentsOf(der, critical)[0] !== 0;
    extensions.set(id, { critical: isCritical, value: contentsOf(der, value) });
  }
  return extensions;
}

/** Reads the TBSCertificate fields the validator needs. Throws MalformedCertificateError on a structure it cannot read. */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const certificate = expectTlv(der, 0, TAG.sequence);
  const [tbs, outerAlgorithm, signature, ...trailing] = childrenOf(der, certificate);
  if (
    tbs?.tag !== TAG.sequence ||
    outerAlgorithm?.tag !== TAG.sequence ||
    signature?.tag !== TAG.bitString ||
    trailing.length > 0
  ) {
    throw new MalformedCertificateError(
      'input is not a Certificate (TBSCertificate, signatureAlgorithm, signatureValue)',
    );
  }
  // A signature is a whole number of bytes: any other unused-bits count is a forged variant of a valid certificate.
  if (der[signature.contentStart] !== 0) throw new MalformedCertificateError('certificate signature has unused bits');
  const [algorithmOid, algorithmParameters] = childrenOf(der, outerAlgorithm);
  if (algorithmOid?.tag !== TAG.oid) throw new MalformedCertificateError('certificate signature algorithm has no OID');
  const parts = childrenOf(der, tbs);
  let index = parts[0]?.tag === 0xa0 ? 1 : 0;
  const next = (tag: number, what: string): Tlv => {
    const part = parts[index++];
    if (!part || part.tag !== tag) throw new MalformedCertificateError(`certificate ${what} is missing or malformed`);
    return part;
  };
  const serial = next(TAG.integer, 'serial number');
  const innerAlgorithm = next(TAG.sequence, 'signature algorithm');
  const issuer = next(TAG.sequence, 'issuer');
  const validity = next(TAG.sequence, 'validity');
  const subject = next(TAG.sequence, 'subject');
  const spki = next(TAG.sequence, 'subject public key info');
  const wrapper = parts.slice(index).find((part) => part.tag === 0xa3);

  const [notBefore, notAfter] = childrenOf(der, validity);
  if (!notBefore || !notAfter) throw new MalformedCertificateError('certificate validity is malformed');
  let serialBytes = contentsOf(der, serial);
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  return {
    serialNumber: hex(serialBytes),
    issuer: readName(der, issuer),
    issuerDer: der.subarray(issuer.start, issuer.end),
    subject: readName(der, subject),
    subjectDer: der.subarray(subject.start, subject.end),
    notBefore: decodeTime(der, notBefore),
    notAfter: decodeTime(der, notAfter),
    subjectPublicKeyInfo: der.subarray(spki.start, spki.end),
    extensions: wrapper ? readExtensions(der, wrapper) : new Map(),
    tbs: der.subarray(tbs.start, tbs.end),
    signatureAlgorithm: decodeOid(contentsOf(der, algorithmOid)),
    signatureAlgorithmParameters: algorithmParameters
      ? der.subarray(algorithmParameters.start, algorithmParameters.end)
      : new Uint8Array(0),
    signatureAlgorithmsAgree: Buffer.from(
      der.buffer,
      der.byteOffset + innerAlgorithm.start,
      innerAlgorithm.end - innerAlgorithm.start,
    ).equals(Buffer.from(der.buffer, der.byteOffset + outerAlgorithm.start, outerAlgorithm.end - outerAlgorithm.start)),
    signature: contentsOf(der, signature).subarray(1),
  };
}

const cache = new WeakMap<Uint8Array, CertificateFields>();

/** `readCertificateFields`, remembered per DER buffer: parsing and validating the same loaded certificate reads it once. */
export function fieldsOf(der: Uint8Array): CertificateFields {
  let fields = cache.get(der);
  if (!fields) {
    fields = readCertificateFields(der);
    cache.set(der, fields);
  }
  return fields;
}

function canonicalName(name: NameAttribute[]): string {
  return name
    .map((attribute) => `${attribute.oid}=${attribute.value.trim().replace(/\s+/g, ' ').toLowerCase()}`)
    .join('\n');
}

/**
 * Whether `child`'s issuer is `parent`'s subject: byte-equal (the usual case, CAs copy their subject), else equal after
 * RFC 5280's normalisation (case and inner whitespace folded), as OpenSSL compares names.
 */
export function sameName(child: CertificateFields, parent: CertificateFields): boolean {
  return (
    Buffer.from(child.issuerDer).equals(parent.subjectDer) ||
    canonicalName(child.issuer) === canonicalName(parent.subject)
  );
}

/** The values of one attribute (e.g. every CN), in order. */
export function attributeValues(name: NameAttribute[], short: string): string[] {
  return name.filter((attribute) => attribute.name === short).map((attribute) => attribute.value);
}

/** `O=Acme, CN=device-1`: certificate order, commas and backslashes in values escaped. */
export function formatName(name: NameAttribute[]): string {
  return name.map((attribute) => `${attribute.name}=${escapeValue(attribute.value)}`).join(', ');
}

/** RFC 4514 escaping; control characters become `\HH` so a hostile subject cannot forge log lines. */
function escapeValue(value: string): string {
  return value
    .replace(/[\\,+="<>;]/g, '\\$&')
    .replace(/\p{Cc}/gu, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Lowercase hex of the Subject Key Identifier extension, or undefined when absent. */
export function subjectKeyIdentifier(fields: CertificateFields): string | undefined {
  const extension = fields.extensions.get(EXTENSION.subjectKeyIdentifier);
  if (!extension) return undefined;
  const keyId = expectTlv(extension.value, 0, TAG.octetString);
  return hex(contentsOf(extension.value, keyId));
}

/** The EKU purposes, or undefined when the certificate has no EKU extension (any use allowed). */
export function extendedKeyUsages(fields: CertificateFields): string[] | undefined {
  const extension = fields.extensions.get(EXTENSION.extendedKeyUsage);
  if (!extension) return undefined;
  const list = expectTlv(extension.value, 0, TAG.sequence);
  return childrenOf(extension.value, list).map((oid) => decodeOid(contentsOf(extension.value, oid)));
}

/** The keyIdentifier of the Authority Key Identifier extension, lowercase hex, or undefined when absent. */
export function authorityKeyIdentifier(fields: CertificateFields): string | undefined {
  const extension = fields.extensions.get(EXTENSION.authorityKeyIdentifier);
  if (!extension) return undefined;
  const sequence = expectTlv(extension.value, 0, TAG.sequence);
  const keyId = childrenOf(extension.value, sequence).find((part) => part.tag === 0x80);
  return keyId ? hex(contentsOf(extension.value, keyId)) : undefined;
}

/** keyUsage bit numbers (RFC 5280 4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** The keyUsage bits that are set (bit 0 = digitalSignature), or undefined without a keyUsage extension. */
export function keyUsageBits(fields: CertificateFields): Set<number> | undefined {
  const extension = fields.extensions.get(EXTENSION.keyUsage);
  if (!extension) return undefined;
  const bytes = contentsOf(extension.value, expectTlv(extension.value, 0, TAG.bitString)).subarray(1);
  const set = new Set<number>();
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) set.add(index * 8 + bit);
  });
  return set;
}

/** Whether the key may sign certificates: true without a keyUsage extension, else its keyCertSign bit. */
export function mayIssueCertificates(fields: CertificateFields): boolean {
  return keyUsageBits(fields)?.has(KEY_USAGE.keyCertSign) ?? true;
}

/** basicConstraints: whether the certificate is a CA, and its path length limit if any. */
export function basicConstraints(fields: CertificateFields): { ca: boolean; pathLength?: number } {
  const extension = fields.extensions.get(EXTENSION.basicConstraints);
  if (!extension) return { ca: false };
  const sequence = expectTlv(extension.value, 0, TAG.sequence);
  let ca = false;
  let pathLength: number | undefined;
  for (const part of childrenOf(extension.value, sequence)) {
    const contents = contentsOf(extension.value, part);
    if (part.tag === TAG.boolean) ca = contents[0] !== 0;
    else if (part.tag === TAG.integer) pathLength = contents.reduce((value, byte) => value * 256 + byte, 0);
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}
