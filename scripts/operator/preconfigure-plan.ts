import type { CACertificateDescription, PolicyVersion, TopicRule, TopicRulePayload } from '@aws-sdk/client-iot';
import type { FleetConfig } from '../../functions/fleet-config.js';
import { type MergeAction, mergeTrustedCa, type TrustedCaSettings } from './fleet-merge.js';
import type { PolicyState } from './iot-reads.js';
import { samePolicy } from './policy.js';
import { ruleUpToDate } from './rule.js';

export type StepName = 'ca-certificate' | 'device-policy' | 'fleet-config' | 'topic-rule';
export type StepAction = MergeAction;

export interface PreconfigureStep {
  step: StepName;
  resource: string;
  action: StepAction;
  detail: string;
}

/** What exists now (undefined: absent). */
export interface Observed {
  ca?: Pick<CACertificateDescription, 'status' | 'autoRegistrationStatus'>;
  policy?: PolicyState;
  fleetConfig?: FleetConfig;
  rule?: TopicRule;
}

export interface Desired {
  caCertificateId: string;
  certificateMode: 'DEFAULT' | 'SNI_ONLY';
  policyName: string;
  policyDocument: Record<string, unknown>;
  fleetConfigParameter: string;
  trustedCa: TrustedCaSettings;
  ruleName: string;
  rule: TopicRulePayload;
}

export interface PreconfigurePlan {
  steps: PreconfigureStep[];
  /** Version deleted first to stay within AWS's five versions per policy. */
  policyVersionToDelete?: string;
  /** The fleet configuration to write, when it changes. */
  fleetConfig?: FleetConfig;
}

export const MAX_POLICY_VERSIONS = 5;

/** Decides every step from what exists and what should. Pure: no AWS calls. */
export function planPreconfigure(observed: Observed, desired: Desired): PreconfigurePlan {
  const steps: PreconfigureStep[] = [];
  steps.push(caStep(observed, desired));
  const policy = policyStep(observed.policy, desired);
  steps.push(policy.step);
  const merged = mergeTrustedCa(observed.fleetConfig, desired.trustedCa);
  steps.push({
    step: 'fleet-config',
    resource: desired.fleetConfigParameter,
    action: observed.fleetConfig === undefined ? 'create' : merged.action,
    detail:
      merged.action === 'create'
        ? `trust CA ${short(desired.caCertificateId)} (${desired.trustedCa.profile}) beside ${merged.config.trustedCas.length - 1} other(s)${rolloverNote(merged.config, desired.caCertificateId)}`
        : merged.action === 'update'
          ? `update CA ${short(desired.caCertificateId)} settings${rolloverNote(merged.config, desired.caCertificateId)}`
          : `CA ${short(desired.caCertificateId)} already trusted`,
  });
  steps.push(ruleStep(observed.rule, desired));
  return {
    steps,
    ...(policy.deleteVersion !== undefined ? { policyVersionToDelete: policy.deleteVersion } : {}),
    ...(merged.action !== 'unchanged' || observed.fleetConfig === undefined ? { fleetConfig: merged.config } : {}),
  };
}

function caStep(observed: Observed, desired: Desired): PreconfigureStep {
  const resource = desired.caCertificateId;
  if (!observed.ca) {
    return {
      step: 'ca-certificate',
      resource,
      action: 'create',
      detail: `register (${desired.certificateMode}), ACTIVE, auto-registration ENABLE`,
    };
  }
  const wrong: string[] = [];
  if (observed.ca.status !== 'ACTIVE') wrong.push(`status ${observed.ca.status} -> ACTIVE`);
  if (observed.ca.autoRegistrationStatus !== 'ENABLE') {
    wrong.push(`auto-registration ${observed.ca.autoRegistrationStatus} -> ENABLE`);
  }
  if (wrong.length === 0)
    return { step: 'ca-certificate', resource, action: 'unchanged', detail: 'ACTIVE, auto-registration ENABLE' };
  return { step: 'ca-certificate', resource, action: 'update', detail: wrong.join(', ') };
}

function policyStep(
  current: PolicyState | undefined,
  desired: Desired,
): { step: PreconfigureStep; deleteVersion?: string } {
  const resource = desired.policyName;
  if (!current)
    return { step: { step: 'device-policy', resource, action: 'create', detail: 'least-privilege device policy' } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(current.defaultDocument);
  } catch {
    parsed = undefined;
  }
  if (samePolicy(parsed, desired.policyDocument)) {
    return {
      step: {
        step: 'device-policy',
        resource,
        action: 'unchanged',
        detail: `default version ${current.defaultVersionId}`,
      },
    };
  }
  const deleteVersion = oldestDeletableVersion(current.versions);
  const detail =
    `new default version replaces ${current.defaultVersionId}` +
    (deleteVersion !== undefined ? `; deletes version ${deleteVersion} (AWS keeps ${MAX_POLICY_VERSIONS})` : '');
  return {
    step: { step: 'device-policy', resource, action: 'update', detail },
    ...(deleteVersion !== undefined ? { deleteVersion } : {}),
  };
}

/** At the five-version limit, the oldest version that is not the default; undefined when there is room. */
export function oldestDeletableVersion(versions: PolicyVersion[]): string | undefined {
  if (versions.length < MAX_POLICY_VERSIONS) return undefined;
  const candidates = versions
    .filter((version) => !version.isDefaultVersion && version.versionId !== undefined)
    .sort(
      (a, b) =>
        (a.createDate?.getTime() ?? 0) - (b.createDate?.getTime() ?? 0) || Number(a.versionId) - Number(b.versionId),
    );
  return candidates[0]?.versionId;
}

function ruleStep(current: TopicRule | undefined, desired: Desired): PreconfigureStep {
  const resource = desired.ruleName;
  const target = desired.rule.actions?.[0]?.lambda?.functionArn ?? '';
  if (!current) return { step: 'topic-rule', resource, action: 'create', detail: `events -> ${target}, errors -> DLQ` };
  if (ruleUpToDate(current, desired.rule)) {
    return { step: 'topic-rule', resource, action: 'unchanged', detail: `enabled, events -> ${target}` };
  }
  return {
    step: 'topic-rule',
    resource,
    action: 'update',
    detail: `replace: events -> ${target}, errors -> DLQ, enabled`,
  };
}

const short = (id: string) => id.slice(0, 12);

function rolloverNote(config: FleetConfig, caId: string): string {
  const from = config.trustedCas.find((ca) => ca.certificateId === caId)?.rolloverFrom ?? [];
  return from.length > 0 ? `, succeeding ${from.map(short).join(', ')}` : '';
}
