import { createHash } from 'node:crypto';
import type { NamedPolicy } from './evaluate.js';

/**
 * Who is calling, from the access key of the request's SigV4 signature, as AWS identifies callers
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html). The emulator knows three kinds of keys:
 * the admin key (tests and tools that set up a scenario: allowed everything), the operator key (the `jitr` CLI: the
 * shipped least-privilege policy docs/operator-policy.json), and one session key per Lambda function (its execution role
 * from serverless.yml). Any other key is refused as AWS refuses an unknown one. Secrets are not checked.
 */

/** The admin identity: AdministratorAccess, for test setup and for people poking at the emulator by hand. */
export const LOCAL_ADMIN_CREDENTIALS = {
  accessKeyId: 'AKIAJITRADMIN0000001',
  secretAccessKey: 'jitr-local-admin-secret',
} as const;

/** The operator identity: what the `jitr` commands run as against the emulator (docs/operator-policy.json). */
export const LOCAL_OPERATOR_CREDENTIALS = {
  accessKeyId: 'AKIAJITROPERATOR0001',
  secretAccessKey: 'jitr-local-operator-secret',
} as const;

export interface Identity {
  /** The ARN AWS names the caller by in an AccessDeniedException and GetCallerIdentity. */
  arn: string;
  /** Who this is, for log lines: `admin`, `operator`, or `role <name>`. */
  label: string;
  /** Global condition keys of the caller (aws:PrincipalArn, aws:PrincipalType, aws:username...). */
  context: Record<string, string>;
  /** Undefined for the admin identity (allowed everything without evaluation). */
  policies?: readonly NamedPolicy[];
  /** Stable key of `policies` for the decision cache. */
  policiesKey: string;
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Access key id -> identity. */
export class IdentityRegistry {
  private readonly byKey = new Map<string, Identity>();

  constructor(private readonly accountId: string) {
    this.byKey.set(LOCAL_ADMIN_CREDENTIALS.accessKeyId, {
      arn: `arn:aws:iam::${accountId}:user/jitr-local-admin`,
      label: 'admin',
      context: {},
      policiesKey: 'admin',
    });
  }

  /** The operator user, with the policy documents it is given. */
  setOperator(policies: readonly NamedPolicy[]): void {
    const arn = `arn:aws:iam::${this.accountId}:user/jitr-operator`;
    this.byKey.set(LOCAL_OPERATOR_CREDENTIALS.accessKeyId, {
      arn,
      label: 'operator',
      context: userContext(arn, this.accountId, 'jitr-operator'),
      policies,
      policiesKey: `operator:${JSON.stringify(policies)}`,
    });
  }

  /**
   * Credentials of a role session, as Lambda hands its execution role's to a function
   * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). The key is derived from role and session so a restart gives
   * the same one.
   */
  assumeRole(roleName: string, sessionName: string, policies: readonly NamedPolicy[]): SessionCredentials {
    const digest = createHash('sha256').update(`${roleName}\n${sessionName}`).digest('hex').toUpperCase();
    const accessKeyId = `ASIA${digest.slice(0, 16)}`;
    this.byKey.set(accessKeyId, {
      arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${sessionName}`,
      label: `role ${roleName}`,
      context: {
        'aws:PrincipalArn': `arn:aws:iam::${this.accountId}:role/${roleName}`,
        'aws:PrincipalAccount': this.accountId,
        'aws:PrincipalType': 'AssumedRole',
      },
      policies,
      policiesKey: `role:${roleName}:${JSON.stringify(policies)}`,
    });
    return { accessKeyId, secretAccessKey: `local-${digest.slice(16, 56)}`, sessionToken: `local-session-${roleName}` };
  }

  find(accessKeyId: string): Identity | undefined {
    return this.byKey.get(accessKeyId);
  }
}

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal */
function userContext(arn: string, accountId: string, name: string): Record<string, string> {
  return {
    'aws:PrincipalArn': arn,
    'aws:PrincipalAccount': accountId,
    'aws:PrincipalType': 'User',
    'aws:username': name,
  };
}
