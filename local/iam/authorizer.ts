import { type ErrorFlavour, accessDenied, missingAuthentication, unrecognizedClient } from './errors.js';
import { type EvaluationResult, type NamedPolicy, type PolicyDocument, PolicyEvaluator } from './evaluate.js';
import { type Identity, IdentityRegistry } from './identities.js';
import type { AuthorizationCheck } from './requests/check.js';
import { resourcesFor } from './resources.js';

export type IamMode = 'on' | 'off';

export interface IamLogLine {
  event: 'access-denied';
  code: 'ACCESS_DENIED';
  identity: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** What would have allowed it (or the explicit deny that stopped it). */
  missing: string;
  [field: string]: unknown;
}

export interface LocalIamOptions {
  mode: IamMode;
  region: string;
  accountId: string;
  log?: (line: IamLogLine) => void;
}

/** A role services can assume (IAM CreateRole's result, for the emulator): serverless.yml's roles, or a test's. */
export interface RoleDefinition {
  name: string;
  arn: string;
  policies: NamedPolicy[];
  /** Service principals its trust policy lets assume it (`iot.amazonaws.com`...). */
  trustedServices: string[];
}

/** A decision for an internal caller (the rules engine acting as a role, a Lambda destination). */
export interface Verdict {
  allowed: boolean;
  action: string;
  resource: string;
  explicit: boolean;
}

/**
 * The emulator's IAM: identifies the caller from the SigV4 access key and authorizes each request before it is served,
 * as AWS does. `mode: 'off'` serves everything, as the emulator did before IAM (`jitr local start --iam off`).
 */
export class LocalIam {
  readonly identities: IdentityRegistry;
  private readonly evaluator = new PolicyEvaluator();
  private readonly recorded: IamLogLine[] = [];
  private readonly roles = new Map<string, RoleDefinition>();

  constructor(private readonly options: LocalIamOptions) {
    this.identities = new IdentityRegistry(options.accountId);
  }

  get enabled(): boolean {
    return this.options.mode === 'on';
  }

  /** Makes a role exist (by ARN), as deploying serverless.yml or IAM CreateRole would; replaces one of the same ARN. */
  defineRole(role: RoleDefinition): void {
    this.roles.set(role.arn, role);
  }

  role(arn: string): RoleDefinition | undefined {
    return this.roles.get(arn);
  }

  /** The latest denials (at most 1000), as logged. */
  denials(): readonly IamLogLine[] {
    return this.recorded;
  }

  /** The caller of a request, from its Authorization header; undefined when IAM is off and the key is unknown. */
  identify(authorization: string | undefined, flavour: ErrorFlavour): Identity | undefined {
    const accessKeyId = accessKeyIdOf(authorization);
    const identity = accessKeyId === undefined ? undefined : this.identities.find(accessKeyId);
    if (identity || !this.enabled) return identity;
    throw accessKeyId === undefined ? missingAuthentication(flavour) : unrecognizedClient(flavour);
  }

  /** Throws the AWS error for the first check the caller is not allowed. */
  async authorize(identity: Identity | undefined, checks: readonly AuthorizationCheck[], flavour: ErrorFlavour) {
    if (!this.enabled || !identity) return;
    for (const check of checks) {
      const verdict = await this.decide(identity.arn, identity, check);
      if (!verdict.allowed) {
        throw accessDenied(flavour, identity.arn, verdict.action, verdict.resource, verdict.explicit);
      }
    }
  }

  /**
   * Whether `principal` (a role session, or a service principal such as `iot.amazonaws.com` with a resource policy) may
   * do one thing. Always allowed when IAM is off.
   */
  async decide(
    principal: string,
    identity: Pick<Identity, 'policies' | 'policiesKey' | 'label' | 'context'> | undefined,
    check: AuthorizationCheck,
    resourcePolicy?: PolicyDocument,
  ): Promise<Verdict> {
    const skip = !this.enabled || (identity !== undefined && identity.policies === undefined);
    if (skip) return { allowed: true, action: check.action, resource: check.resource ?? '*', explicit: false };
    const [service = '', actionName = ''] = check.action.split(':');
    const resources =
      check.resource !== undefined
        ? [check.resource]
        : await resourcesFor(service, actionName, check.identifiers ?? {}, {
            partition: 'aws',
            region: this.options.region,
            accountId: this.options.accountId,
          });
    if (resources.length === 0) resources.push('*');
    for (const resource of resources) {
      const result = await this.evaluator.evaluate(
        {
          principal,
          action: check.action,
          resource,
          accountId: this.options.accountId,
          context: { ...identity?.context, ...check.context },
          identityPolicies: identity?.policies ?? [],
          ...(resourcePolicy ? { resourcePolicy } : {}),
        },
        `${identity?.policiesKey ?? ''}\n${resourcePolicy ? JSON.stringify(resourcePolicy) : ''}`,
      );
      if (result.decision !== 'Allowed') {
        this.logDenied(identity?.label ?? principal, principal, check, resource, result);
        return { allowed: false, action: check.action, resource, explicit: result.decision === 'ExplicitlyDenied' };
      }
    }
    return { allowed: true, action: check.action, resource: resources[0] ?? '*', explicit: false };
  }

  private logDenied(
    who: string,
    principal: string,
    check: AuthorizationCheck,
    resource: string,
    result: EvaluationResult,
  ): void {
    const context = check.context && Object.keys(check.context).length > 0 ? check.context : undefined;
    const condition = context ? ` when ${JSON.stringify(context)}` : '';
    const missing =
      result.decision === 'ExplicitlyDenied'
        ? `an explicit Deny of ${check.action} on ${resource} applies`
        : result.invalid
          ? `IAM refused the request itself (${result.invalid}); ${check.action} is authorized on ${resource}`
          : `a statement allowing ${check.action} on ${resource}${condition}`;
    const line: IamLogLine = {
      event: 'access-denied',
      code: 'ACCESS_DENIED',
      identity: `${who} (${principal})`,
      action: check.action,
      resource,
      ...(context ? { context } : {}),
      missing,
    };
    this.recorded.push(line);
    if (this.recorded.length > 1000) this.recorded.shift();
    this.options.log?.(line);
  }
}

/** The access key id from a SigV4 Authorization header (`Credential=<key>/<date>/<region>/<service>/aws4_request`). */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}
