import { childrenOf, contentsOf, decodeOid, expectTlv, TAG } from './der.js';
import { MalformedCertificateError } from './errors.js';
import { type CertificateFields, EXTENSION } from './fields.js';

export const ANY_POLICY = '2.5.29.32.0';

function integerValue(bytes: Uint8Array): number {
  if (bytes.length > 4 || (bytes[0] ?? 0) & 0x80) throw new MalformedCertificateError('policy count is out of range');
  return bytes.reduce((value, byte) => value * 256 + byte, 0);
}

/** The policy OIDs of certificatePolicies, or undefined without the extension. */
function policiesOf(fields: CertificateFields): string[] | undefined {
  const extension = fields.extensions.get(EXTENSION.certificatePolicies);
  if (!extension) return undefined;
  const der = extension.value;
  return childrenOf(der, expectTlv(der, 0, TAG.sequence)).map((information) => {
    const [oid] = childrenOf(der, information);
    if (!oid || oid.tag !== TAG.oid) throw new MalformedCertificateError('PolicyInformation has no policy OID');
    return decodeOid(contentsOf(der, oid));
  });
}

function mappingsOf(fields: CertificateFields): [issuer: string, subject: string][] {
  const extension = fields.extensions.get(EXTENSION.policyMappings);
  if (!extension) return [];
  const der = extension.value;
  return childrenOf(der, expectTlv(der, 0, TAG.sequence)).map((pair) => {
    const [from, to] = childrenOf(der, pair);
    if (from?.tag !== TAG.oid || to?.tag !== TAG.oid)
      throw new MalformedCertificateError('policyMappings is malformed');
    return [decodeOid(contentsOf(der, from)), decodeOid(contentsOf(der, to))];
  });
}

function constraintsOf(fields: CertificateFields): { requireExplicit?: number; inhibitMapping?: number } {
  const extension = fields.extensions.get(EXTENSION.policyConstraints);
  if (!extension) return {};
  const der = extension.value;
  const result: { requireExplicit?: number; inhibitMapping?: number } = {};
  for (const part of childrenOf(der, expectTlv(der, 0, TAG.sequence))) {
    if (part.tag === 0x80) result.requireExplicit = integerValue(contentsOf(der, part));
    else if (part.tag === 0x81) result.inhibitMapping = integerValue(contentsOf(der, part));
  }
  return result;
}

function inhibitAnyPolicyOf(fields: CertificateFields): number | undefined {
  const extension = fields.extensions.get(EXTENSION.inhibitAnyPolicy);
  return extension ? integerValue(contentsOf(extension.value, expectTlv(extension.value, 0, TAG.integer))) : undefined;
}

/** A node of RFC 5280's valid_policy_tree (qualifiers are not kept: nothing here reads them). */
interface PolicyNode {
  policy: string;
  expected: Set<string>;
  parent?: PolicyNode;
}

export interface PolicyCertificate {
  fields: CertificateFields;
  /** issuer name = subject name: such intermediates do not count against the skip counters. */
  selfIssued: boolean;
}

/** Drops the nodes above `depth` that no longer have children (RFC 5280 6.1.3 (d)(3)). */
function prune(levels: PolicyNode[][], depth: number): void {
  for (let level = depth - 1; level >= 0; level--) {
    const parents = new Set(levels[level + 1]!.map((node) => node.parent));
    levels[level] = levels[level]!.filter((node) => parents.has(node));
  }
}

/**
 * RFC 5280 6.1 certificate policy processing with the defaults of a relying party that asks for no policy in
 * particular (user-initial-policy-set anyPolicy, no initial explicit policy, mapping or anyPolicy inhibition).
 * `path` runs from the certificate the trust anchor signed down to the device. Returns why the path fails the
 * policy constraints its certificates set, or undefined when it meets them (or none are set).
 */
export function policyViolation(path: readonly PolicyCertificate[]): string | undefined {
  // Without policy constraints or mappings nothing can fail: explicit_policy never reaches 0 (the common, fast case).
  const constrained = path.some(
    ({ fields }) =>
      fields.extensions.has(EXTENSION.policyConstraints) || fields.extensions.has(EXTENSION.policyMappings),
  );
  if (!constrained) return undefined;
  const n = path.length;
  let explicitPolicy = n + 1;
  let policyMapping = n + 1;
  let inhibitAnyPolicy = n + 1;
  let levels: PolicyNode[][] | undefined = [[{ policy: ANY_POLICY, expected: new Set([ANY_POLICY]) }]];
  for (let i = 1; i <= n; i++) {
    const { fields, selfIssued } = path[i - 1]!;
    const policies = policiesOf(fields);
    if (levels && policies) {
      const previous = levels[i - 1]!;
      const current: PolicyNode[] = [];
      for (const policy of policies.filter((p) => p !== ANY_POLICY)) {
        const parents = previous.filter((node) => node.expected.has(policy));
        const anchors = parents.length > 0 ? parents : previous.filter((node) => node.policy === ANY_POLICY);
        for (const parent of anchors) current.push({ policy, expected: new Set([policy]), parent });
      }
      if (policies.includes(ANY_POLICY) && (inhibitAnyPolicy > 0 || (i < n && selfIssued))) {
        for (const parent of previous) {
          for (const expected of parent.expected) {
            if (!current.some((node) => node.parent === parent && node.policy === expected)) {
              current.push({ policy: expected, expected: new Set([expected]), parent });
            }
          }
        }
      }
      levels.push(current);
      prune(levels, i);
      if (current.length === 0) levels = undefined;
    } else {
      levels = undefined;
    }
    if (explicitPolicy === 0 && !levels) return `certificate ${i} of ${n} ends every valid policy the path requires`;
    const constraints = constraintsOf(fields);
    if (i === n) {
      if (explicitPolicy > 0) explicitPolicy--;
      if (constraints.requireExplicit === 0) explicitPolicy = 0;
      break;
    }
    const mappings = mappingsOf(fields);
    if (mappings.some(([from, to]) => from === ANY_POLICY || to === ANY_POLICY)) {
      return `certificate ${i} of ${n} maps anyPolicy, which RFC 5280 forbids`;
    }
    if (levels && mappings.length > 0) applyMappings(levels, i, mappings, policyMapping > 0);
    if (levels && levels[i]!.length === 0) levels = undefined;
    if (!selfIssued) {
      if (explicitPolicy > 0) explicitPolicy--;
      if (policyMapping > 0) policyMapping--;
      if (inhibitAnyPolicy > 0) inhibitAnyPolicy--;
    }
    if (constraints.requireExplicit !== undefined)
      explicitPolicy = Math.min(explicitPolicy, constraints.requireExplicit);
    if (constraints.inhibitMapping !== undefined) policyMapping = Math.min(policyMapping, constraints.inhibitMapping);
    const skip = inhibitAnyPolicyOf(fields);
    if (skip !== undefined) inhibitAnyPolicy = Math.min(inhibitAnyPolicy, skip);
  }
  if (explicitPolicy === 0 && !levels)
    return 'the path requires an explicit policy and no policy is valid for all of it';
  return undefined;
}

/** RFC 5280 6.1.4 (b): a mapped policy's node expects the subject-domain policies; without mapping, it is dropped. */
function applyMappings(levels: PolicyNode[][], depth: number, mappings: [string, string][], allowed: boolean): void {
  const bySource = new Map<string, Set<string>>();
  for (const [from, to] of mappings) bySource.set(from, (bySource.get(from) ?? new Set()).add(to));
  const level = levels[depth]!;
  if (!allowed) {
    levels[depth] = level.filter((node) => !bySource.has(node.policy));
    prune(levels, depth);
    return;
  }
  for (const [from, targets] of bySource) {
    const nodes = level.filter((node) => node.policy === from);
    if (nodes.length > 0) {
      for (const node of nodes) node.expected = new Set(targets);
      continue;
    }
    const any = level.find((node) => node.policy === ANY_POLICY);
    if (any) level.push({ policy: from, expected: new Set(targets), ...(any.parent ? { parent: any.parent } : {}) });
  }
}
