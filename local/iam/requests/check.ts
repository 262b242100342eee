import type { ArnIdentifiers } from '../resources.js';

/**
 * One authorization a request needs: `action` (`service:Operation`) on the resources the IAM Service Authorization
 * Reference lists for it, filled from `identifiers`, or on an explicit `resource` ARN (iam:PassRole on a role ARN).
 */
export interface AuthorizationCheck {
  action: string;
  identifiers?: ArnIdentifiers;
  resource?: string;
  context?: Record<string, string | string[]>;
}

/** The last path segment of an ARN (`arn:aws:iot:...:cert/<id>` -> `<id>`), when the ARN has the given resource type. */
export function arnResourceId(arn: string | undefined, type: string): string | undefined {
  if (arn === undefined) return undefined;
  const match = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:([^/]+)\/(.+)$/.exec(arn);
  return match && match[1] === type ? match[2] : undefined;
}
