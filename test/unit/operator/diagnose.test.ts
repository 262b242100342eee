import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../functions/fleet-config.js';
import { deploymentFor } from '../../../scripts/operator/deployment.js';
import { diagnose } from '../../../scripts/operator/diagnose.js';
import { devicePolicyDocument } from '../../../scripts/operator/policy.js';
import { desiredRule } from '../../../scripts/operator/rule.js';
import type { Survey } from '../../../scripts/operator/survey.js';

const caId = 'd'.repeat(64);
const at = Date.parse('2027-01-01T00:00:00Z');
const DAY = 86_400_000;
const deployment = deploymentFor({ stage: 'prod', region: 'us-east-1', accountId: '123456789012' });
const config = parseFleetConfig({
  version: 1,
  trustedCas: [{ certificateId: caId, profile: 'generic', policyName: 'jitr-device' }],
});

/** A survey of a setup exactly as preconfigure leaves it; `change` breaks one thing. */
function survey(change: (healthy: Survey) => void = () => {}): Survey {
  const rule = desiredRule(deployment, caId, deployment.deadLetterQueueUrl);
  const healthy: Survey = {
    deployment,
    at,
    fleetConfig: { state: 'valid', config },
    cas: [
      {
        trusted: config.trustedCas[0] as Survey['cas'][number]['trusted'],
        ca: {
          certificateId: caId,
          status: 'ACTIVE',
          autoRegistrationStatus: 'ENABLE',
          validity: { notBefore: new Date(at - 365 * DAY), notAfter: new Date(at + 365 * DAY) },
        },
        ruleName: `jitr_prod_${caId}`,
        rule: { ...rule, ruleName: `jitr_prod_${caId}` },
        certificatesByStatus: { ACTIVE: 3 },
        stuckPending: [],
        pending: [],
        things: 3,
      },
    ],
    policies: {
      'jitr-device': {
        defaultDocument: JSON.stringify(devicePolicyDocument(deployment)),
        defaultVersionId: '1',
        versions: [],
      },
    },
    deadLetterQueue: { url: deployment.deadLetterQueueUrl, visible: 0, inFlight: 0 },
    deniedActive: [],
    bindingConflicts: [],
  };
  change(healthy);
  return healthy;
}
const codes = (s: Survey) => diagnose(s).map((finding) => `${finding.severity}:${finding.code}`);
const firstCa = (s: Survey) => s.cas[0] as Survey['cas'][number];

describe('diagnose', () => {
  it('finds nothing in a setup as preconfigure leaves it', () => {
    expect(diagnose(survey())).toEqual([]);
  });

  it('warns 89 days before the CA expires and calls an expired CA an error', () => {
    const expiring = survey((s) => {
      const ca = firstCa(s).ca;
      if (ca?.validity) ca.validity.notAfter = new Date(at + 89 * DAY);
    });
    const expired = survey((s) => {
      const ca = firstCa(s).ca;
      if (ca?.validity) ca.validity.notAfter = new Date(at - DAY);
    });
    const later = survey((s) => {
      const ca = firstCa(s).ca;
      if (ca?.validity) ca.validity.notAfter = new Date(at + 91 * DAY);
    });

    expect(codes(expiring)).toEqual(['warning:CA_EXPIRING']);
    expect(diagnose(expiring)[0]?.message).toContain('expires in 89 day(s)');
    expect(codes(expired)).toEqual(['error:CA_EXPIRED']);
    expect(codes(later)).toEqual([]);
  });

  it('names a rule that selects another topic and one without an error action', () => {
    const wrongTopic = survey((s) => {
      const rule = firstCa(s).rule;
      if (rule) rule.sql = "SELECT * FROM 'devices/#'";
    });
    const noErrorAction = survey((s) => {
      const rule = firstCa(s).rule;
      if (rule) rule.errorAction = undefined;
    });

    expect(codes(wrongTopic)).toEqual(['error:RULE_WRONG_TOPIC']);
    expect(codes(noErrorAction)).toEqual(['warning:RULE_NO_ERROR_ACTION']);
  });

  it('tells apart a missing DLQ (stage not deployed) from a non-empty one', () => {
    const missing = survey((s) => {
      s.deadLetterQueue = { visible: 0, inFlight: 0 };
    });
    const inFlight = survey((s) => {
      s.deadLetterQueue = { url: 'x', visible: 0, inFlight: 2 };
    });

    expect(codes(missing)).toEqual(['warning:DLQ_MISSING']);
    expect(codes(inFlight)).toEqual(['error:DLQ_NOT_EMPTY']);
    expect(diagnose(inFlight)[0]?.fix).toBe(
      "jitr replay --stage prod --region us-east-1 (after fixing the cause; see the onboard function's logs)",
    );
  });

  it('reports an empty fleet configuration', () => {
    const empty = survey((s) => {
      s.fleetConfig = { state: 'valid', config: { version: 1, trustedCas: [] } };
      s.cas = [];
      s.policies = {};
    });

    expect(codes(empty)).toEqual(['error:NO_TRUSTED_CA']);
  });

  it('calls an ACTIVE certificate the deny list names, and a device two trusted CAs claim, errors with their fix', () => {
    const broken = survey((s) => {
      s.deniedActive.push({ caCertificateId: caId, certificateId: 'a'.repeat(64), entry: 'device-1' });
      s.bindingConflicts.push({
        caCertificateId: caId,
        certificateId: 'b'.repeat(64),
        thingName: 'device-2',
        boundCa: 'c'.repeat(64),
      });
    });

    const findings = diagnose(broken);

    expect(codes(broken)).toEqual(['error:DENIED_CERTIFICATE_ACTIVE', 'error:BINDING_CONFLICT']);
    expect(findings[0]?.fix).toContain(`jitr revoke --certificate-id ${'a'.repeat(64)}`);
    expect(findings[1]?.fix).toContain(`--rollover-from ${'c'.repeat(64)}`);
  });

  it('gives fixes for the stage and region it surveyed, never the defaults', () => {
    const broken = survey((s) => {
      s.fleetConfig = { state: 'missing' };
      const ca = firstCa(s);
      ca.ca = { ...ca.ca, certificateId: caId, status: 'INACTIVE', autoRegistrationStatus: 'DISABLE' };
      ca.rule = { ...ca.rule, ruleDisabled: true };
      ca.stuckPending = [{ certificateId: 'e'.repeat(64), registeredAt: at - DAY }];
      s.deadLetterQueue = { visible: 0, inFlight: 0 };
      s.deniedActive.push({ caCertificateId: caId, certificateId: 'a'.repeat(64), entry: 'device-1' });
      s.bindingConflicts.push({
        caCertificateId: caId,
        certificateId: 'b'.repeat(64),
        thingName: 't',
        boundCa: 'c'.repeat(64),
      });
    });

    const findings = diagnose(broken);

    expect(findings.length).toBeGreaterThan(6);
    for (const finding of findings) {
      expect(finding, finding.code).toMatchObject({ stage: 'prod', region: 'us-east-1' });
      expect(finding.fix, finding.code).toMatch(/--region us-east-1/);
      if (/\b(jitr|serverless)\b/.test(finding.fix)) expect(finding.fix, finding.code).toMatch(/--stage prod/);
    }
    const missing = findings.find((finding) => finding.code === 'FLEET_CONFIG_MISSING');
    expect(missing?.fix).toMatch(/--sni-only/);
    expect(findings.find((finding) => finding.code === 'CA_INACTIVE')?.fix).toMatch(/--profile generic/);
  });
});
