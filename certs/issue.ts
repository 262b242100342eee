import { randomBytes } from 'node:crypto';
import { CertificateError } from './errors.js';
import { generateKey, type KeyAlgorithm, publicSpkiFromPrivatePem, signingKeyFromPem } from './keygen.js';
import { certificateId } from './parse.js';
import { x509 } from './x509-lib.js';

export type { KeyAlgorithm } from './keygen.js';

/** A CA this project issued (or loaded from disk): what it takes to sign with it. */
export interface IssuedCa {
  certificatePem: string;
  privateKeyPem: string;
  certificateId: string;
  /** This CA and its parents up to the root, PEM, leaf-first. */
  chainPem?: string;
}

export interface IssuedDevice {
  certificatePem: string;
  /** Absent when the certificate was issued for a CSR: the key never left the device. */
  privateKeyPem?: string;
  certificateId: string;
  /** The device certificate followed by its issuing CA. */
  chainPem: string;
}

export interface SubjectFields {
  commonName: string;
  organization?: string;
}

const DAY_MS = 86_400_000;
/** Certificates start one minute in the past so a freshly issued one is valid on a machine whose clock lags a little. */
const BACKDATE_MS = 60_000;

/** A random positive 128-bit serial number as hex (the high bit cleared keeps the DER INTEGER positive). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function nameOf(subject: SubjectFields): x509.Name {
  const attributes: x509.JsonNameParams = [];
  if (subject.organization !== undefined) attributes.push({ O: [subject.organization] });
  attributes.push({ CN: [subject.commonName] });
  return new x509.Name(attributes);
}

function validity(opts: { days?: number; notBefore?: Date }, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const days = opts.days ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0)
    throw new CertificateError('INVALID_VALIDITY', `days must be positive, got ${days}`);
  const notBefore = opts.notBefore ?? new Date(Math.floor((Date.now() - BACKDATE_MS) / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

function pemOf(certificate: x509.X509Certificate): string {
  return `${certificate.toString('pem').trim()}\n`;
}

function idOf(certificate: x509.X509Certificate): string {
  return certificateId(new Uint8Array(certificate.rawData));
}

function loadCaCertificate(ca: IssuedCa): x509.X509Certificate {
  try {
    return new x509.X509Certificate(ca.certificatePem);
  } catch (error) {
    throw new CertificateError('MALFORMED_CERTIFICATE', 'the CA certificate is not a readable PEM certificate', {
      cause: error,
    });
  }
}

interface SignRequest {
  issuer: IssuedCa;
  subject: x509.Name;
  publicKeySpki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
  serialNumber?: string;
  subjectKeyIdentifier: boolean;
  /** false: no AKI even when the issuer has an SKI (an Azure Sphere tenant CA carries neither). */
  authorityKeyIdentifier?: boolean;
}

/**
 * Signs a certificate for `publicKeySpki` with the issuer's key; adds the SKI when asked, and the AKI (the issuer's
 * SKI) when the issuer has one: a CA without an SKI gets certificates without an AKI, matched by name and signature.
 */
async function signCertificate(request: SignRequest): Promise<x509.X509Certificate> {
  const issuerCertificate = loadCaCertificate(request.issuer);
  const signing = await signingKeyFromPem(request.issuer.privateKeyPem);
  const publicKey = new x509.PublicKey(request.publicKeySpki);
  const extensions = [...request.extensions];
  if (request.subjectKeyIdentifier) extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  const issuerKeyId = issuerCertificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (issuerKeyId && request.authorityKeyIdentifier !== false) {
    extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: request.serialNumber ?? randomSerialNumber(),
    subject: request.subject,
    issuer: issuerCertificate.subjectName,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.algorithm,
    extensions,
  });
}

function caExtensions(pathLength: number | undefined): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

/** A self-signed root CA (no path length limit). */
export async function createRootCa(opts: {
  commonName: string;
  days?: number;
  notBefore?: Date;
  keyAlgorithm?: KeyAlgorithm;
  organization?: string;
}): Promise<IssuedCa> {
  const key = await generateKey(opts.keyAlgorithm ?? 'P-256');
  const { notBefore, notAfter } = validity(opts, 3650);
  const signing = await signingKeyFromPem(key.privateKeyPem);
  const publicKey = new x509.PublicKey(key.publicKeySpki);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: nameOf(opts),
    issuer: nameOf(opts),
    notBefore,
    notAfter,
    publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.algorithm,
    extensions: [...caExtensions(undefined), await x509.SubjectKeyIdentifierExtension.create(publicKey)],
  });
  const certificatePem = pemOf(certificate);
  return {
    certificatePem,
    privateKeyPem: key.privateKeyPem,
    certificateId: idOf(certificate),
    chainPem: certificatePem,
  };
}

/** An intermediate (signer) CA under `issuer`, path length 0 unless told otherwise. */
export async function createIntermediateCa(
  issuer: IssuedCa,
  opts: {
    commonName: string;
    organization?: string;
    days?: number;
    notBefore?: Date;
    pathLength?: number;
    keyAlgorithm?: KeyAlgorithm;
    /** false: neither SKI nor AKI, as Azure Sphere tenant CAs are made. */
    keyIdentifiers?: boolean;
  },
): Promise<IssuedCa> {
  const key = await generateKey(opts.keyAlgorithm ?? 'P-256');
  const { notBefore, notAfter } = validity(opts, 3650);
  const certificate = await signCertificate({
    issuer,
    subject: nameOf(opts),
    publicKeySpki: key.publicKeySpki,
    notBefore,
    notAfter,
    extensions: caExtensions(opts.pathLength ?? 0),
    subjectKeyIdentifier: opts.keyIdentifiers ?? true,
    authorityKeyIdentifier: opts.keyIdentifiers ?? true,
  });
  const certificatePem = pemOf(certificate);
  return {
    certificatePem,
    privateKeyPem: key.privateKeyPem,
    certificateId: idOf(certificate),
    chainPem: certificatePem + (issuer.chainPem ?? issuer.certificatePem),
  };
}

/**
 * The proof-of-possession certificate AWS IoT's RegisterCACertificate wants: Subject CN = the registration code,
 * signed by the CA's key, with a fresh key of its own.
 */
export async function createVerificationCertificate(
  ca: IssuedCa,
  registrationCode: string,
  opts: { days?: number } = {},
): Promise<{ certificatePem: string; certificateId: string }> {
  if (registrationCode.trim() === '') throw new CertificateError('INVALID_SUBJECT', 'the registration code is empty');
  const key = await generateKey('P-256');
  const { notBefore, notAfter } = validity(opts, 30);
  const certificate = await signCertificate({
    issuer: ca,
    subject: nameOf({ commonName: registrationCode }),
    publicKeySpki: key.publicKeySpki,
    notBefore,
    notAfter,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
    subjectKeyIdentifier: true,
  });
  return { certificatePem: pemOf(certificate), certificateId: idOf(certificate) };
}

/** Reads a PEM CSR and checks its self-signature, so a certificate is never issued for a key nobody holds. */
export async function publicKeyFromCsr(csrPem: string): Promise<Uint8Array> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (error) {
    throw new CertificateError('INVALID_CSR', 'the CSR is not a readable PKCS#10 request', { cause: error });
  }
  let verified = false;
  try {
    verified = await csr.verify();
  } catch (error) {
    throw new CertificateError('INVALID_CSR', 'the CSR uses a key or signature algorithm that cannot be checked', {
      cause: error,
    });
  }
  if (!verified) throw new CertificateError('INVALID_CSR', 'the CSR signature does not verify');
  return new Uint8Array(csr.publicKey.rawData);
}

const EKU: Record<'clientAuth' | 'serverAuth', string> = {
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
};

/**
 * A device certificate signed by `ca`, for a fresh key (`keyAlgorithm`, P-256 by default) or the key of `csrPem`.
 * The knobs beyond subject and dates exist so tests can make every kind of bad certificate.
 */
export async function issueDeviceCertificate(
  ca: IssuedCa,
  opts: {
    subject: SubjectFields;
    days?: number;
    notBefore?: Date;
    csrPem?: string;
    keyAlgorithm?: KeyAlgorithm;
    subjectKeyIdentifier?: boolean;
    extendedKeyUsage?: 'clientAuth' | 'serverAuth' | 'none';
    isCa?: boolean;
    serialNumber?: string;
  },
): Promise<IssuedDevice> {
  let publicKeySpki: Uint8Array;
  let privateKeyPem: string | undefined;
  if (opts.csrPem !== undefined) {
    publicKeySpki = await publicKeyFromCsr(opts.csrPem);
  } else {
    const key = await generateKey(opts.keyAlgorithm ?? 'P-256');
    publicKeySpki = key.publicKeySpki;
    privateKeyPem = key.privateKeyPem;
  }
  const { notBefore, notAfter } = validity(opts, 365);
  const usage = opts.extendedKeyUsage ?? 'clientAuth';
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.isCa === true, undefined, true),
    new x509.KeyUsagesExtension(
      opts.isCa
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
  ];
  if (usage !== 'none') extensions.push(new x509.ExtendedKeyUsageExtension([EKU[usage]], false));
  const certificate = await signCertificate({
    issuer: ca,
    subject: nameOf(opts.subject),
    publicKeySpki,
    notBefore,
    notAfter,
    extensions,
    subjectKeyIdentifier: opts.subjectKeyIdentifier ?? true,
    ...(opts.serialNumber !== undefined ? { serialNumber: opts.serialNumber } : {}),
  });
  const certificatePem = pemOf(certificate);
  return {
    certificatePem,
    ...(privateKeyPem !== undefined ? { privateKeyPem } : {}),
    certificateId: idOf(certificate),
    chainPem: certificatePem + ca.certificatePem,
  };
}

/** Checks that a PEM private key belongs to the CA certificate (a CA directory with mismatched files is unusable). */
export function caKeyMatches(ca: IssuedCa): boolean {
  try {
    const fromKey = Buffer.from(publicSpkiFromPrivatePem(ca.privateKeyPem));
    const fromCertificate = Buffer.from(loadCaCertificate(ca).publicKey.rawData);
    return fromKey.equals(fromCertificate);
  } catch {
    return false;
  }
}
