import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyPolicyProblem } from '../../../certs/key-policy.js';

const spkiOf = (pair: { publicKey: { export(options: { type: 'spki'; format: 'der' }): Buffer } }) =>
  new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));

describe('keyPolicyProblem', () => {
  it.each([
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
    ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })],
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ])('accepts %s', (_label, make) => {
    expect(keyPolicyProblem(spkiOf(make()))).toBeUndefined();
  });

  it.each([
    ['RSA 1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 })],
    ['EC P-521', () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' })],
    ['EC secp256k1', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' })],
    ['Ed25519', () => generateKeyPairSync('ed25519')],
  ])('refuses %s with WEAK_KEY, naming the key', (label, make) => {
    const problem = keyPolicyProblem(spkiOf(make()));

    expect(problem?.code).toBe('WEAK_KEY');
    expect(problem?.message).toContain(label);
  });
});
