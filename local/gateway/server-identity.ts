import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The gateway's TLS identity: a throwaway root (the `serverCa` file clients trust) and a server certificate. */
export interface ServerIdentity {
  caPem: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Where `caPem` was written. */
  caPath: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

async function privatePem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}

/**
 * Generates a root CA at start and a serverAuth certificate for `hostnames` (localhost, the IoT data endpoint host,
 * ...) plus 127.0.0.1. The root's private key never leaves memory; with `persist`, the server certificate and its key
 * are kept (mode 0600) so that a restart from `--state` presents the same root to devices.
 */
export async function createServerIdentity(opts: {
  hostnames: string[];
  directory: string;
  /** Keep the identity in `directory` and reuse it on the next start (with `--state`: devices keep trusting it). */
  persist?: boolean;
}): Promise<ServerIdentity> {
  if (opts.persist) {
    const reused = await reusableIdentity(opts.directory, opts.hostnames);
    if (reused) return reused;
  }
  const identity = await generateIdentity(opts);
  if (opts.persist) {
    const stored = {
      caPem: identity.caPem,
      certificatePem: identity.certificatePem,
      privateKeyPem: identity.privateKeyPem,
      hostnames: opts.hostnames,
    };
    await writeFile(join(opts.directory, IDENTITY_FILE), JSON.stringify(stored), { mode: 0o600 });
  }
  return identity;
}

const IDENTITY_FILE = 'server-identity.json';

/** A stored identity that still covers the host names and stays valid for a day at least; undefined otherwise. */
async function reusableIdentity(directory: string, hostnames: string[]): Promise<ServerIdentity | undefined> {
  try {
    const stored = JSON.parse(await readFile(join(directory, IDENTITY_FILE), 'utf8')) as Omit<
      ServerIdentity,
      'caPath'
    > & {
      hostnames: string[];
    };
    const certificate = new x509.X509Certificate(stored.certificatePem);
    const covered = hostnames.every((name) => stored.hostnames.includes(name));
    if (!covered || certificate.notAfter.getTime() < Date.now() + DAY_MS) return undefined;
    const caPath = join(directory, 'server-ca.pem');
    await writeFile(caPath, stored.caPem);
    return { caPem: stored.caPem, certificatePem: stored.certificatePem, privateKeyPem: stored.privateKeyPem, caPath };
  } catch {
    return undefined;
  }
}

async function generateIdentity(opts: { hostnames: string[]; directory: string }): Promise<ServerIdentity> {
  const now = Date.now() - 60_000;
  const notBefore = new Date(now);
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caName = `CN=jitr local emulator root ${randomBytes(4).toString('hex')}, O=jitr`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore,
    notAfter: new Date(now + 3650 * DAY_MS),
    keys: caKeys as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const serverKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const names = [...new Set(opts.hostnames)];
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? 'localhost'}`,
    issuer: ca.subject,
    notBefore,
    notAfter: new Date(now + 825 * DAY_MS),
    publicKey: serverKeys.publicKey as never,
    signingKey: caKeys.privateKey as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        ...names.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  await mkdir(opts.directory, { recursive: true });
  const caPem = `${ca.toString('pem').trim()}\n`;
  const caPath = join(opts.directory, 'server-ca.pem');
  await writeFile(caPath, caPem);
  return {
    caPem,
    certificatePem: `${server.toString('pem').trim()}\n`,
    privateKeyPem: await privatePem(serverKeys.privateKey),
    caPath,
  };
}
