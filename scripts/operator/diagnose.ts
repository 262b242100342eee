import { FLEET_CONFIG_MAX_CHARACTERS } from '../../functions/fleet-config.js';
import { policyProblems } from './policy.js';
import { lambdaTargets, registeredEventsSql } from './rule.js';
import type { CaSurvey, Survey } from './survey.js';

export type Severity = 'error' | 'warning';

/** One reason devices may not onboard, with what to do about it. */
export interface Finding {
  code: string;
  severity: Severity;
  /** What it is about: a CA id, a rule, a policy, the parameter or the queue. */
  subject: string;
  message: string;
  /** A command that fixes it, for the stage and region the survey was made for. */
  fix: string;
  /** The stage and region `fix` was computed for. */
  stage: string;
  region: string;
}

type Preconfigure = (ca: string, extra?: string, profile?: string) => string;

const DAY_MS = 86_400_000;
/** Three quarters of what the fleet configuration's parameter holds: 2,048 characters of room, ~15 Azure Sphere device ids. */
export const FLEET_CONFIG_WARNING_CHARACTERS = Math.floor(FLEET_CONFIG_MAX_CHARACTERS * 0.75);
export const CA_EXPIRY_WARNING_DAYS = 90;

/** Finds why devices would not onboard, from a survey. Pure: the same survey always gives the same findings. */
export function diagnose(survey: Survey): Finding[] {
  const findings: Omit<Finding, 'stage' | 'region'>[] = [];
  const { deployment } = survey;
  const { stage, region } = deployment;
  const parameter = deployment.fleetConfigParameter;
  const preconfigure: Preconfigure = (ca, extra = '', profile = '<profile>') =>
    `jitr preconfigure --ca-cert <CA file for ${ca}> --profile ${profile} --stage ${stage} --region ${region}${extra}`;

  if (survey.fleetConfig.state === 'missing') {
    findings.push({
      code: 'FLEET_CONFIG_MISSING',
      severity: 'error',
      subject: parameter,
      message: `the fleet configuration ${parameter} does not exist: the Lambda trusts no CA`,
      fix: `jitr preconfigure --ca-cert <CA file> (--ca-key FILE | --verification-cert FILE | --sni-only) --profile <profile> --stage ${stage} --region ${region}`,
    });
  } else if (survey.fleetConfig.state === 'invalid') {
    findings.push({
      code: 'FLEET_CONFIG_INVALID',
      severity: 'error',
      subject: parameter,
      message: `${survey.fleetConfig.message}: the Lambda processes no event while it is broken`,
      fix: `fix the JSON in SSM (aws ssm get-parameter --name ${parameter} --region ${region}), or delete it and run jitr preconfigure --stage ${stage} --region ${region} for each CA`,
    });
  } else if (survey.fleetConfig.config.trustedCas.length === 0) {
    findings.push({
      code: 'NO_TRUSTED_CA',
      severity: 'error',
      subject: parameter,
      message: 'the fleet configuration lists no trusted CA',
      fix: preconfigure('your fleet CA'),
    });
  }
  if (survey.fleetConfig.state === 'valid') {
    const size = JSON.stringify(survey.fleetConfig.config).length;
    if (size > FLEET_CONFIG_WARNING_CHARACTERS) {
      findings.push({
        code: 'FLEET_CONFIG_NEAR_LIMIT',
        severity: 'warning',
        subject: parameter,
        message: `the fleet configuration is ${size} of the ${FLEET_CONFIG_MAX_CHARACTERS} characters an SSM parameter holds: past that, commands that change it fail (FLEET_CONFIG_TOO_LARGE) and jitr revoke skips the deny list`,
        fix: `revoke many devices through their CA's CRL (jitr preconfigure --crl, docs/revocation.md) rather than deny lists`,
      });
    }
  }

  for (const ca of survey.cas) findings.push(...caFindings(ca, survey, preconfigure));

  for (const [name, policy] of Object.entries(survey.policies)) {
    if (!policy) {
      findings.push({
        code: 'POLICY_MISSING',
        severity: 'error',
        subject: name,
        message: `policy ${name} does not exist: onboarding fails at AttachPolicy`,
        fix: `${preconfigure('a CA that uses it')} --policy-name ${name}`,
      });
      continue;
    }
    const problems = policyProblems(policy.defaultDocument);
    if (problems.length > 0) {
      findings.push({
        code: 'POLICY_TOO_BROAD',
        severity: 'error',
        subject: name,
        message: `policy ${name} (version ${policy.defaultVersionId}) grants more than a device needs: ${problems
          .map((problem) => problem.message)
          .join('; ')}`,
        fix: `${preconfigure('a CA that uses it')} --policy-name ${name} (installs the least-privilege version)`,
      });
    }
  }

  findings.push(...lifecycleFindings(survey));
  for (const ca of survey.cas) findings.push(...crlFindings(ca, survey));

  const dlq = survey.deadLetterQueue;
  if (!dlq.url) {
    findings.push({
      code: 'DLQ_MISSING',
      severity: 'warning',
      subject: deployment.deadLetterQueueName,
      message: `the dead-letter queue ${deployment.deadLetterQueueName} does not exist: is stage ${stage} deployed?`,
      fix: `npx serverless deploy --stage ${stage} --region ${region}`,
    });
  } else if (dlq.visible + dlq.inFlight > 0) {
    findings.push({
      code: 'DLQ_NOT_EMPTY',
      severity: 'error',
      subject: deployment.deadLetterQueueName,
      message: `${dlq.visible + dlq.inFlight} failed onboarding event(s) wait in the dead-letter queue`,
      fix: `jitr replay --stage ${stage} --region ${region} (after fixing the cause; see the onboard function's logs)`,
    });
  }
  return findings.map((finding) => ({ ...finding, stage, region }));
}

function caFindings(ca: CaSurvey, survey: Survey, preconfigureAny: Preconfigure): Omit<Finding, 'stage' | 'region'>[] {
  const id = ca.trusted.certificateId;
  const findings: Omit<Finding, 'stage' | 'region'>[] = [];
  const { stage, region } = survey.deployment;
  const preconfigure: Preconfigure = (forCa, extra) => preconfigureAny(forCa, extra, ca.trusted.profile);
  if (!ca.ca) {
    findings.push({
      code: 'CA_MISSING',
      severity: 'error',
      subject: id,
      message: `CA ${id} is trusted by the fleet configuration but not registered in AWS IoT`,
      fix: preconfigure(id),
    });
  } else {
    if (ca.ca.status !== 'ACTIVE') {
      findings.push({
        code: 'CA_INACTIVE',
        severity: 'error',
        subject: id,
        message: `CA ${id} is ${ca.ca.status}: its devices cannot register`,
        fix: `aws iot update-ca-certificate --certificate-id ${id} --new-status ACTIVE --region ${region} (or ${preconfigure(id)})`,
      });
    }
    if (ca.ca.autoRegistrationStatus !== 'ENABLE') {
      findings.push({
        code: 'CA_AUTO_REGISTRATION_OFF',
        severity: 'error',
        subject: id,
        message: `CA ${id} has auto-registration ${ca.ca.autoRegistrationStatus ?? 'unset'}: new devices are refused`,
        fix: `aws iot update-ca-certificate --certificate-id ${id} --new-auto-registration-status ENABLE --region ${region}`,
      });
    }
    const notAfter = ca.ca.validity?.notAfter?.getTime();
    if (notAfter !== undefined && notAfter - survey.at < CA_EXPIRY_WARNING_DAYS * DAY_MS) {
      const days = Math.floor((notAfter - survey.at) / DAY_MS);
      findings.push({
        code: notAfter <= survey.at ? 'CA_EXPIRED' : 'CA_EXPIRING',
        severity: notAfter <= survey.at ? 'error' : 'warning',
        subject: id,
        message:
          notAfter <= survey.at
            ? `CA ${id} expired on ${new Date(notAfter).toISOString()}`
            : `CA ${id} expires in ${days} day(s), on ${new Date(notAfter).toISOString()}`,
        fix: `register its successor beside it: ${preconfigure('the renewed CA')} (Azure Sphere: az sphere ca-certificate download)`,
      });
    }
  }
  findings.push(...ruleFindings(ca, survey, preconfigure));
  if (ca.stuckPending.length > 0) {
    const oldest = Math.min(...ca.stuckPending.map((pending) => pending.registeredAt));
    findings.push({
      code: 'CERTIFICATES_STUCK_PENDING',
      severity: 'error',
      subject: id,
      message:
        `${ca.stuckPending.length} certificate(s) of CA ${id} are still PENDING_ACTIVATION, the oldest since ` +
        `${new Date(oldest).toISOString()}: their events were not processed`,
      fix: `check the rule and the onboard function's logs, then jitr replay --stage ${stage} --region ${region}; the reconcile function sweeps them every 15 minutes`,
    });
  }
  return findings;
}

function ruleFindings(ca: CaSurvey, survey: Survey, preconfigure: Preconfigure): Omit<Finding, 'stage' | 'region'>[] {
  const id = ca.trusted.certificateId;
  const rule = ca.rule;
  const name = ca.ruleName;
  if (!rule) {
    return [
      {
        code: 'RULE_MISSING',
        severity: 'error',
        subject: name,
        message: `topic rule ${name} does not exist: registration events of CA ${id} reach no one`,
        fix: preconfigure(id),
      },
    ];
  }
  const findings: Omit<Finding, 'stage' | 'region'>[] = [];
  const { region } = survey.deployment;
  if (rule.ruleDisabled) {
    findings.push({
      code: 'RULE_DISABLED',
      severity: 'error',
      subject: name,
      message: `topic rule ${name} is disabled`,
      fix: `aws iot enable-topic-rule --rule-name ${name} --region ${region}`,
    });
  }
  if (rule.sql?.replace(/\s+/g, ' ').trim() !== registeredEventsSql(id)) {
    findings.push({
      code: 'RULE_WRONG_TOPIC',
      severity: 'error',
      subject: name,
      message: `topic rule ${name} does not select the registration events of CA ${id} (${rule.sql})`,
      fix: preconfigure(id),
    });
  }
  const expected = survey.deployment.onboardFunctionArn;
  const targets = lambdaTargets(rule);
  if (!targets.includes(expected)) {
    findings.push({
      code: 'RULE_WRONG_FUNCTION',
      severity: 'error',
      subject: name,
      message: `topic rule ${name} invokes ${targets.join(', ') || 'no Lambda function'} instead of ${expected}`,
      fix: preconfigure(id),
    });
  }
  if (!rule.errorAction?.sqs) {
    findings.push({
      code: 'RULE_NO_ERROR_ACTION',
      severity: 'warning',
      subject: name,
      message: `topic rule ${name} has no errorAction to the dead-letter queue: failed invocations are lost`,
      fix: preconfigure(id),
    });
  }
  return findings;
}

/** Revocations not in force, and devices two CAs of the fleet claim (docs/operations.md). */
function lifecycleFindings(survey: Survey): Omit<Finding, 'stage' | 'region'>[] {
  const { stage, region } = survey.deployment;
  const findings: Omit<Finding, 'stage' | 'region'>[] = survey.deniedActive.map((denied) => ({
    code: 'DENIED_CERTIFICATE_ACTIVE',
    severity: 'error',
    subject: denied.certificateId,
    message: `certificate ${denied.certificateId} of CA ${denied.caCertificateId} is ACTIVE although the deny list names ${denied.entry}`,
    fix: `jitr revoke --certificate-id ${denied.certificateId} --stage ${stage} --region ${region} (the reconcile function also revokes it on its next run)`,
  }));
  for (const conflict of survey.bindingConflicts) {
    findings.push({
      code: 'BINDING_CONFLICT',
      severity: 'error',
      subject: conflict.certificateId,
      message:
        `certificate ${conflict.certificateId} of CA ${conflict.caCertificateId} is held PENDING_ACTIVATION: its thing ` +
        `${conflict.thingName} is bound to CA ${conflict.boundCa}, which this fleet also trusts`,
      fix:
        `if CA ${conflict.caCertificateId} succeeds ${conflict.boundCa}: jitr preconfigure --ca-cert <new CA file> ` +
        `--rollover-from ${conflict.boundCa} --stage ${stage} --region ${region}; otherwise jitr revoke --certificate-id ` +
        `${conflict.certificateId} --stage ${stage} --region ${region}`,
    });
  }
  return findings;
}

/** A CA's CRL the Lambdas cannot use: devices are held back (failClosed) or admitted unchecked (failOpen). */
function crlFindings(ca: CaSurvey, survey: Survey): Omit<Finding, 'stage' | 'region'>[] {
  const crl = ca.crl;
  if (crl?.state !== 'problem') return [];
  const { stage, region } = survey.deployment;
  const id = ca.trusted.certificateId;
  const effect = crl.failClosed
    ? 'new devices of this CA are held PENDING_ACTIVATION until a current CRL can be read'
    : 'new devices of this CA are onboarded without a revocation check (failOpen)';
  return [
    {
      code: crl.code,
      severity: crl.failClosed ? 'error' : 'warning',
      subject: id,
      message: `the CRL of CA ${id} at ${crl.source} cannot be used: ${crl.message}; ${effect}`,
      fix:
        `publish a current CRL signed by the CA at ${crl.source} (a CA directory of jitr: jitr ca crl --ca DIR), or ` +
        `point the CA elsewhere: jitr preconfigure --ca-cert <CA file for ${id}> --profile ${ca.trusted.profile} ` +
        `--crl <source> --stage ${stage} --region ${region} (docs/revocation.md)`,
    },
  ];
}
