import type { PolicyVersion } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { deploymentFor } from '../../../scripts/operator/deployment.js';
import { devicePolicyDocument } from '../../../scripts/operator/policy.js';
import { type Desired, oldestDeletableVersion, planPreconfigure } from '../../../scripts/operator/preconfigure-plan.js';
import { desiredRule } from '../../../scripts/operator/rule.js';

const caId = 'c'.repeat(64);
const deployment = deploymentFor({ stage: 'dev', region: 'us-east-1', accountId: '123456789012' });
const desired: Desired = {
  caCertificateId: caId,
  certificateMode: 'DEFAULT',
  policyName: 'jitr-device',
  policyDocument: devicePolicyDocument(deployment),
  fleetConfigParameter: deployment.fleetConfigParameter,
  trustedCa: { certificateId: caId, profile: 'generic', policyName: 'jitr-device' },
  ruleName: `jitr_dev_${caId}`,
  rule: desiredRule(deployment, caId, deployment.deadLetterQueueUrl),
};
const version = (id: string, isDefault: boolean, created: number): PolicyVersion => ({
  versionId: id,
  isDefaultVersion: isDefault,
  createDate: new Date(created),
});

describe('planPreconfigure', () => {
  it('creates everything in an empty account', () => {
    const plan = planPreconfigure({}, desired);

    expect(plan.steps.map((step) => [step.step, step.action])).toEqual([
      ['ca-certificate', 'create'],
      ['device-policy', 'create'],
      ['fleet-config', 'create'],
      ['topic-rule', 'create'],
    ]);
    expect(plan.fleetConfig?.trustedCas).toHaveLength(1);
  });

  it('changes nothing when everything is as wanted', () => {
    const created = planPreconfigure({}, desired);

    const plan = planPreconfigure(
      {
        ca: { status: 'ACTIVE', autoRegistrationStatus: 'ENABLE' },
        policy: {
          defaultDocument: JSON.stringify(desired.policyDocument),
          defaultVersionId: '1',
          versions: [version('1', true, 1)],
        },
        ...(created.fleetConfig ? { fleetConfig: created.fleetConfig } : {}),
        rule: { ...desired.rule, ruleName: desired.ruleName },
      },
      desired,
    );

    expect(plan.steps.every((step) => step.action === 'unchanged')).toBe(true);
    expect(plan.fleetConfig).toBeUndefined();
    expect(plan.policyVersionToDelete).toBeUndefined();
  });

  it('re-enables a CA and replaces a disabled rule', () => {
    const plan = planPreconfigure(
      {
        ca: { status: 'INACTIVE', autoRegistrationStatus: 'DISABLE' },
        rule: { ...desired.rule, ruleDisabled: true },
      },
      desired,
    );

    expect(plan.steps[0]).toMatchObject({
      action: 'update',
      detail: 'status INACTIVE -> ACTIVE, auto-registration DISABLE -> ENABLE',
    });
    expect(plan.steps[3]?.action).toBe('update');
  });
});

describe('oldestDeletableVersion', () => {
  it('leaves room alone below five versions', () => {
    expect(oldestDeletableVersion([version('1', true, 1), version('2', false, 2)])).toBeUndefined();
  });

  it('picks the oldest version that is not the default at the limit', () => {
    const versions = [
      version('3', true, 1),
      version('4', false, 5),
      version('5', false, 3),
      version('6', false, 4),
      version('7', false, 6),
    ];

    expect(oldestDeletableVersion(versions)).toBe('5');
  });
});
