import { childrenOf, contentsOf, decodeOid, expectTlv, TAG } from './der.js';
import { MalformedCertificateError } from './errors.js';

/** The subjectPublicKey BIT STRING's bits (without the unused-bits byte): what RFC 5280 method 1 hashes for the SKI. */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const outer = expectTlv(spki, 0, TAG.sequence);
  const [, bitString] = childrenOf(spki, outer);
  if (!bitString || bitString.tag !== TAG.bitString)
    throw new MalformedCertificateError('SPKI has no subjectPublicKey');
  return contentsOf(spki, bitString).subarray(1);
}

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSA_PSS = '1.2.840.113549.1.1.10';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

const CURVE_NAMES: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
  '1.3.132.0.10': 'secp256k1',
};

const ALGORITHM_NAMES: Record<string, string> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.1': 'DSA',
};

export interface KeyInfo {
  /** 'EC P-256', 'RSA 2048', 'Ed25519', ... */
  keyType: string;
  /** Meets the key policy: EC P-256 / P-384, or RSA of at least 2048 bits. */
  strong: boolean;
}

function rsaModulusBits(spki: Uint8Array): number {
  const key = subjectPublicKeyBits(spki);
  const sequence = expectTlv(key, 0, TAG.sequence);
  const [modulus] = childrenOf(key, sequence);
  if (!modulus || modulus.tag !== TAG.integer) throw new MalformedCertificateError('RSA key has no modulus');
  const bytes = contentsOf(key, modulus);
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start) * 8 - Math.clz32(bytes[start]!) + 24;
}

/** Classifies a SubjectPublicKeyInfo against the key policy, from the DER alone. */
export function describeKey(spki: Uint8Array): KeyInfo {
  const outer = expectTlv(spki, 0, TAG.sequence);
  const [algorithm] = childrenOf(spki, outer);
  if (!algorithm || algorithm.tag !== TAG.sequence) throw new MalformedCertificateError('SPKI has no algorithm');
  const [oid, parameters] = childrenOf(spki, algorithm);
  if (!oid || oid.tag !== TAG.oid) throw new MalformedCertificateError('SPKI algorithm has no OID');
  const algorithmOid = decodeOid(contentsOf(spki, oid));
  if (algorithmOid === RSA_ENCRYPTION || algorithmOid === RSA_PSS) {
    const bits = rsaModulusBits(spki);
    return { keyType: `RSA ${bits}`, strong: bits >= 2048 };
  }
  if (algorithmOid === EC_PUBLIC_KEY) {
    const curveOid = parameters?.tag === TAG.oid ? decodeOid(contentsOf(spki, parameters)) : 'explicit parameters';
    const curve = CURVE_NAMES[curveOid] ?? curveOid;
    return { keyType: `EC ${curve}`, strong: curve === 'P-256' || curve === 'P-384' };
  }
  return { keyType: ALGORITHM_NAMES[algorithmOid] ?? algorithmOid, strong: false };
}
