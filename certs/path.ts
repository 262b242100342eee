import type { KeyObject } from 'node:crypto';
import {
  authorityKeyIdentifier,
  basicConstraints,
  type CertificateFields,
  fieldsOf,
  formatName,
  sameName,
  subjectKeyIdentifier,
} from './fields.js';
import { type GeneralSubtrees, nameConstraintsOf } from './general-names.js';
import { nameConstraintViolation } from './name-constraints.js';
import type { LoadedCertificate } from './parse.js';
import {
  issuerFindings,
  issuerPurposeFinding,
  leafKeyUsageFindings,
  unhandledCriticalExtensions,
} from './path-rules.js';
import { policyViolation } from './policies.js';
import { type Reason, type ReasonCode, reason } from './reasons.js';
import { publicKeyFromSpki, verifyCertificateSignature } from './signature.js';
import { signatureAlgorithmProblem, signingKeyProblem } from './signature-policy.js';

/** A parsed certificate plus what validation derives from it, cached per loaded object (the issuer is reused). */
export interface Prepared {
  loaded: LoadedCertificate;
  fields: CertificateFields;
  publicKey?: KeyObject | null;
  nameConstraints?: GeneralSubtrees | null;
  /** What the rules found about this certificate as an issuer: the trusted CA is reused across validations. */
  asIssuer?: { anchor: boolean; findings: string[]; purpose: string | undefined; keyProblem: string | undefined };
}

const MAX_CHAIN_LENGTH = 8;
const prepared = new WeakMap<LoadedCertificate, Prepared>();

export function prepare(loaded: LoadedCertificate): Prepared {
  let entry = prepared.get(loaded);
  if (!entry) {
    entry = { loaded, fields: fieldsOf(loaded.der) };
    prepared.set(loaded, entry);
  }
  return entry;
}

function publicKeyOf(entry: Prepared): KeyObject | undefined {
  if (entry.publicKey === undefined) entry.publicKey = publicKeyFromSpki(entry.fields.subjectPublicKeyInfo) ?? null;
  return entry.publicKey ?? undefined;
}

function nameConstraintsOfPrepared(entry: Prepared): GeneralSubtrees | undefined {
  if (entry.nameConstraints === undefined) entry.nameConstraints = nameConstraintsOf(entry.fields) ?? null;
  return entry.nameConstraints ?? undefined;
}

export function label(entry: Prepared, role: string): string {
  return `${role} "${formatName(entry.fields.subject)}"`;
}

/**
 * OpenSSL's notion of "issued by": the issuer name matches the parent's subject, and the key identifiers agree if
 * both exist. Without them (Azure Sphere tenant CAs carry no SKI, their devices no AKI) the name and then the
 * signature decide.
 */
function issuedBy(child: Prepared, parent: Prepared): boolean {
  if (!sameName(child.fields, parent.fields)) return false;
  const authorityKeyId = authorityKeyIdentifier(child.fields);
  const parentKeyId = subjectKeyIdentifier(parent.fields);
  return authorityKeyId === undefined || parentKeyId === undefined || authorityKeyId === parentKeyId;
}

function signedBy(child: Prepared, parent: Prepared): boolean {
  const key = publicKeyOf(parent);
  return key !== undefined && verifyCertificateSignature(child.loaded, child.fields, key);
}

function issuerFacts(entry: Prepared, anchor: boolean): NonNullable<Prepared['asIssuer']> {
  if (entry.asIssuer?.anchor !== anchor) {
    entry.asIssuer = {
      anchor,
      findings: issuerFindings(entry.fields, anchor),
      purpose: issuerPurposeFinding(entry.fields),
      keyProblem: signingKeyProblem(entry.fields.subjectPublicKeyInfo),
    };
  }
  return entry.asIssuer;
}

function selfIssued(entry: Prepared): boolean {
  return sameName(entry.fields, entry.fields);
}

/** Finds the path device -> intermediates -> trusted CA, or reports the certificate whose issuer is missing. */
function buildPath(leaf: Prepared, anchor: Prepared, pool: Prepared[], reasons: Reason[]): Prepared[] | undefined {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    if (issuedBy(current, anchor)) return [...path, anchor];
    const candidates = pool.filter((candidate) => !path.includes(candidate) && issuedBy(current, candidate));
    // Names can repeat (a re-keyed CA): the candidate whose key made the signature wins.
    const parent = candidates.find((candidate) => signedBy(current, candidate)) ?? candidates[0];
    if (!parent) {
      const role = current === leaf ? 'certificate' : 'intermediate';
      reasons.push(
        reason(
          'ISSUER_MISMATCH',
          `${label(current, role)} was issued by "${formatName(current.fields.issuer)}", which does not chain to the trusted CA "${formatName(anchor.fields.subject)}"`,
        ),
      );
      return undefined;
    }
    path.push(parent);
    current = parent;
  }
  reasons.push(reason('ISSUER_MISMATCH', `the chain is longer than ${MAX_CHAIN_LENGTH} certificates`));
  return undefined;
}

export interface PathChecks {
  /** Adds a reason about the certificate validity dates (shared with the leaf's own check). */
  checkValidity(entry: Prepared, role: string): void;
}

/**
 * RFC 5280 section 6 for the device's path up to the trusted CA: every signature verifies and uses an allowed
 * algorithm and key, every issuer may issue (CA, keyCertSign, path length, purpose), every certificate is within its
 * dates, knows all its critical extensions and meets the name constraints and policy constraints above it.
 */
export function checkPath(
  leaf: Prepared,
  anchor: Prepared,
  pool: Prepared[],
  reasons: Reason[],
  checks: PathChecks,
): void {
  const path = buildPath(leaf, anchor, pool, reasons);
  if (!path) return;
  const roleOf = (entry: Prepared) => (entry === leaf ? 'certificate' : entry === anchor ? 'CA' : 'intermediate');
  const add = (code: ReasonCode, entry: Prepared, finding: string) =>
    reasons.push(reason(code, `${label(entry, roleOf(entry))} ${finding}`));

  let intermediatesBelow = 0;
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i]!;
    const parent = path[i + 1]!;
    if (!signedBy(child, parent)) {
      add(
        'SIGNATURE_INVALID',
        child,
        `has a signature that does not verify with the key of "${formatName(parent.fields.subject)}"`,
      );
    }
    const facts = issuerFacts(parent, parent === anchor);
    const weak = signatureAlgorithmProblem(child.fields) ?? facts.keyProblem;
    if (weak) add('WEAK_SIGNATURE', child, weak);
    if (i > 0 && !selfIssued(child)) intermediatesBelow++;
    for (const finding of facts.findings) add('ISSUER_MISMATCH', parent, finding);
    const { pathLength } = basicConstraints(parent.fields);
    if (pathLength !== undefined && intermediatesBelow > pathLength) {
      add(
        'ISSUER_MISMATCH',
        parent,
        `allows ${pathLength} intermediate(s) below it, the chain has ${intermediatesBelow}`,
      );
    }
    if (facts.purpose) add('EKU_NOT_CLIENT_AUTH', parent, facts.purpose);
    checks.checkValidity(parent, roleOf(parent));
  }
  for (const entry of path) {
    const unknown = unhandledCriticalExtensions(entry.fields);
    if (unknown.length > 0) {
      add(
        'UNHANDLED_CRITICAL_EXTENSION',
        entry,
        `has critical extension(s) ${unknown.join(', ')} that the validator does not process`,
      );
    }
  }
  for (const finding of leafKeyUsageFindings(leaf.fields)) add('KEY_USAGE_INVALID', leaf, finding);
  checkNameConstraints(path, leaf, add);
  const policy = policyViolation(
    path
      .slice(0, -1)
      .reverse()
      .map((entry) => ({ fields: entry.fields, selfIssued: entry !== leaf && selfIssued(entry) })),
  );
  if (policy) add('POLICY_CONSTRAINTS_VIOLATED', leaf, `fails the policy constraints of its path: ${policy}`);
}

/** RFC 5280 6.1.3 (b)/(c): the constraints of every CA above apply to each certificate below (self-issued CAs aside). */
function checkNameConstraints(
  path: Prepared[],
  leaf: Prepared,
  add: (code: ReasonCode, entry: Prepared, finding: string) => void,
): void {
  for (let above = path.length - 1; above > 0; above--) {
    const constraints = nameConstraintsOfPrepared(path[above]!);
    if (!constraints) continue;
    for (let below = above - 1; below >= 0; below--) {
      const entry = path[below]!;
      if (entry !== leaf && selfIssued(entry)) continue;
      const violation = nameConstraintViolation(entry.fields, constraints);
      if (violation) {
        add('NAME_CONSTRAINTS_VIOLATED', entry, `${violation} of "${formatName(path[above]!.fields.subject)}"`);
        return;
      }
    }
  }
}
