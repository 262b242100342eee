import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmulatorConfigError } from '../errors.js';
import type { NamedPolicy } from './evaluate.js';

/**
 * The operator's policy is the shipped documentation file, docs/operator-policy.json (docs/deploy-iam.md), so what the
 * emulator enforces for the `jitr` commands is exactly what operators are told to grant. Found from the source tree
 * (local/iam/) and from the compiled one (dist/local/iam/).
 */
const CANDIDATES = ['../../docs/operator-policy.json', '../../../docs/operator-policy.json'];

export function operatorPolicies(): NamedPolicy[] {
  const path = CANDIDATES.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))).find((candidate) =>
    existsSync(candidate),
  );
  if (!path) throw new EmulatorConfigError('IAM_OPERATOR_POLICY_MISSING', 'docs/operator-policy.json was not found');
  try {
    const document = JSON.parse(readFileSync(path, 'utf8')) as NamedPolicy['document'];
    return [{ name: 'jitr-operator', document }];
  } catch (error) {
    throw new EmulatorConfigError('IAM_OPERATOR_POLICY_INVALID', `${path} is not JSON`, { cause: error });
  }
}
