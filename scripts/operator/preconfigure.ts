import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateTopicRuleCommand,
  DeletePolicyVersionCommand,
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
  ReplaceTopicRuleCommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { createVerificationCertificate } from '../../certs/issue.js';
import type { OperatorClients } from '../aws/clients.js';
import { caWithKey, checkVerificationCertificate, readCaCertificate, readPrivateKey } from './ca-input.js';
import { deploymentFor, ruleNameFor } from './deployment.js';
import { aws, awsErrorName } from './errors.js';
import { requireFleetConfig, updateFleetConfig } from './fleet-config-store.js';
import { mergeTrustedCa } from './fleet-merge.js';
import { callerScope, describeCa, queueUrlOf, readPolicy, readRule } from './iot-reads.js';
import { devicePolicyDocument } from './policy.js';
import {
  type PreconfigureOptions,
  ProofRequiredError,
  proofAdvice,
  proofCommand,
  resolveOptions,
} from './preconfigure-options.js';
import { type Desired, type PreconfigurePlan, type PreconfigureStep, planPreconfigure } from './preconfigure-plan.js';
import { desiredRule } from './rule.js';
import { checkedPredecessors } from './rollover-check.js';

export type { PreconfigureOptions } from './preconfigure-options.js';
export { ProofRequiredError } from './preconfigure-options.js';

export interface PreconfigureResult {
  dryRun: boolean;
  /** Whether anything was (or, with dryRun, would be) changed. */
  changed: boolean;
  caCertificateId: string;
  stage: string;
  region: string;
  accountId: string;
  policyName: string;
  fleetConfigParameter: string;
  ruleName: string;
  functionArn: string;
  deadLetterQueueUrl: string;
  /** CAs this one succeeds (fleet configuration `rolloverFrom`): their Things take this CA's device certificates. */
  rolloverFrom: string[];
  /** Things to fix that do not stop the setup (a stage not deployed yet). */
  warnings: string[];
  /** A dry run for a CA that needs a proof none was given for: the code, and how to make the proof for the profile. */
  proofRequired?: { registrationCode: string; command: string; advice: string };
  steps: (PreconfigureStep & { result: string })[];
}

/**
 * Sets up (or brings back in line) everything one trusted CA needs: the CA registration, the device policy, the CA's
 * entry in the fleet configuration and its topic rule. Reads and checks everything first, so a bad input changes
 * nothing; then applies in an order that never leaves devices stranded: a new CA is registered with auto-registration
 * off, and auto-registration is switched on last, once the rule and the configuration are in place.
 */
export async function preconfigure(
  clients: OperatorClients,
  options: PreconfigureOptions,
): Promise<PreconfigureResult> {
  const progress = options.progress ?? (() => {});
  const resolved = resolveOptions(options);
  const ca = readCaCertificate(toBytes(options.caCertificate), resolved.caSource);
  const tenantId = resolved.tenantFor(ca);
  const caKey =
    options.caKey !== undefined
      ? caWithKey(ca, readPrivateKey(toBytes(options.caKey), resolved.keySource), resolved.keySource)
      : undefined;

  progress(`reading the account and the current setup of CA ${ca.certificateId}`);
  const scope = await callerScope(clients);
  const deployment = deploymentFor({
    stage: resolved.stage,
    ...scope,
    ...(options.functionArn !== undefined ? { functionArn: options.functionArn } : {}),
    ...(options.errorRoleArn !== undefined ? { errorRoleArn: options.errorRoleArn } : {}),
  });
  const [existingCa, policy, fleetConfig, queueUrl] = await Promise.all([
    describeCa(clients.iot, ca.certificateId),
    readPolicy(clients.iot, resolved.policyName),
    requireFleetConfig(clients.ssm, deployment.fleetConfigParameter, { allowMissing: true }),
    queueUrlOf(clients.sqs, deployment.deadLetterQueueName),
  ]);
  const warnings: string[] = [];
  if (!queueUrl) {
    warnings.push(
      `the dead-letter queue ${deployment.deadLetterQueueName} does not exist yet in ${scope.region}: deploy the stage ` +
        `(npx serverless deploy --stage ${deployment.stage}), or rule errors have nowhere to go`,
    );
  }
  const rolloverFrom = checkedPredecessors(options.rolloverFrom ?? [], fleetConfig, ca.certificateId, {
    profile: resolved.profile,
    tenantId,
  });
  const ruleName = ruleNameFor(deployment.stage, ca.certificateId);
  const rule = await readRule(clients.iot, ruleName);

  let verificationPem: string | undefined;
  let proofRequired: PreconfigureResult['proofRequired'];
  if (!existingCa && !resolved.sniOnly) {
    const { registrationCode } = await aws('GetRegistrationCode', () =>
      clients.iot.send(new GetRegistrationCodeCommand({})),
    );
    const code = registrationCode ?? '';
    if (caKey) verificationPem = (await createVerificationCertificate(caKey, code)).certificatePem;
    else if (options.verificationCertificate !== undefined) {
      verificationPem = checkVerificationCertificate(
        toBytes(options.verificationCertificate),
        resolved.verificationSource,
        ca,
        code,
      );
    } else if (options.dryRun) {
      // A plan needs no proof: show it, and what registering will need.
      proofRequired = {
        registrationCode: code,
        command: proofCommand(resolved.profile, code),
        advice: proofAdvice(resolved.profile, code),
      };
      warnings.push(proofRequired.advice);
    } else throw new ProofRequiredError(code, ca.certificateId, resolved.profile);
  }

  const desired: Desired = {
    caCertificateId: ca.certificateId,
    certificateMode: resolved.sniOnly ? 'SNI_ONLY' : 'DEFAULT',
    policyName: resolved.policyName,
    policyDocument: devicePolicyDocument(deployment),
    fleetConfigParameter: deployment.fleetConfigParameter,
    trustedCa: {
      certificateId: ca.certificateId,
      profile: resolved.profile,
      policyName: resolved.policyName,
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(options.pattern !== undefined ? { pattern: options.pattern } : {}),
      ...(options.label !== undefined ? { label: options.label } : {}),
      ...(rolloverFrom.length > 0 ? { rolloverFrom } : {}),
      ...(resolved.crl !== undefined ? { crl: resolved.crl } : {}),
    },
    ruleName,
    rule: desiredRule(deployment, ca.certificateId, deployment.deadLetterQueueUrl),
  };
  const plan = planPreconfigure(
    {
      ...(existingCa ? { ca: existingCa } : {}),
      ...(policy ? { policy } : {}),
      ...(fleetConfig ? { fleetConfig } : {}),
      ...(rule ? { rule } : {}),
    },
    desired,
  );
  const changed = plan.steps.some((step) => step.action !== 'unchanged');
  if (!options.dryRun && changed) await apply(clients, plan, desired, ca.pem, verificationPem, progress);

  const pastTense = { create: 'created', update: 'updated', unchanged: 'unchanged' } as const;
  const future = { create: 'would create', update: 'would update', unchanged: 'unchanged' } as const;
  return {
    dryRun: options.dryRun === true,
    changed,
    caCertificateId: ca.certificateId,
    stage: deployment.stage,
    region: scope.region,
    accountId: scope.accountId,
    policyName: resolved.policyName,
    fleetConfigParameter: deployment.fleetConfigParameter,
    ruleName,
    functionArn: deployment.onboardFunctionArn,
    deadLetterQueueUrl: deployment.deadLetterQueueUrl,
    rolloverFrom:
      (plan.fleetConfig ?? fleetConfig)?.trustedCas.find((entry) => entry.certificateId === ca.certificateId)
        ?.rolloverFrom ?? [],
    warnings,
    ...(proofRequired ? { proofRequired } : {}),
    steps: plan.steps.map((step) => ({
      ...step,
      result: (options.dryRun ? future : pastTense)[step.action],
    })),
  };
}

async function apply(
  clients: OperatorClients,
  plan: PreconfigurePlan,
  desired: Desired,
  caPem: string,
  verificationPem: string | undefined,
  progress: (message: string) => void,
): Promise<void> {
  const { iot } = clients;
  const step = (name: string) => plan.steps.find((s) => s.step === name)?.action ?? 'unchanged';
  const caId = desired.caCertificateId;

  if (step('ca-certificate') === 'create') {
    progress(`registering CA ${caId}`);
    try {
      await iot.send(
        new RegisterCACertificateCommand({
          caCertificate: caPem,
          certificateMode: desired.certificateMode,
          ...(verificationPem !== undefined ? { verificationCertificate: verificationPem } : {}),
          setAsActive: true,
          // Switched on at the end, when the rule and the configuration are in place.
          allowAutoRegistration: false,
        }),
      );
    } catch (error) {
      if (awsErrorName(error) !== 'ResourceAlreadyExistsException') {
        await aws(`RegisterCACertificate ${caId}`, () => Promise.reject(error));
      }
    }
  }

  const policyAction = step('device-policy');
  const policyName = desired.policyName;
  const policyDocument = JSON.stringify(desired.policyDocument);
  if (policyAction === 'create') {
    progress(`creating policy ${policyName}`);
    await aws(`CreatePolicy ${policyName}`, () => iot.send(new CreatePolicyCommand({ policyName, policyDocument })));
  } else if (policyAction === 'update') {
    const obsolete = plan.policyVersionToDelete;
    if (obsolete !== undefined) {
      progress(`deleting policy ${policyName} version ${obsolete}`);
      await aws(`DeletePolicyVersion ${policyName} ${obsolete}`, () =>
        iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: obsolete })),
      );
    }
    progress(`adding a new default version of policy ${policyName}`);
    await aws(`CreatePolicyVersion ${policyName}`, () =>
      iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument, setAsDefault: true })),
    );
  }

  if (plan.fleetConfig) {
    progress(`writing the fleet configuration ${desired.fleetConfigParameter}`);
    // Merged again against what is there at write time, so a CA another run added meanwhile is kept.
    await updateFleetConfig(clients.ssm, desired.fleetConfigParameter, (current) => {
      const merged = mergeTrustedCa(current, desired.trustedCa);
      return current !== undefined && merged.action === 'unchanged' ? undefined : merged.config;
    });
  }

  const ruleAction = step('topic-rule');
  if (ruleAction !== 'unchanged') {
    progress(`${ruleAction === 'create' ? 'creating' : 'replacing'} topic rule ${desired.ruleName}`);
    const input = { ruleName: desired.ruleName, topicRulePayload: desired.rule };
    await aws(`${ruleAction === 'create' ? 'CreateTopicRule' : 'ReplaceTopicRule'} ${desired.ruleName}`, () =>
      ruleAction === 'create'
        ? iot.send(new CreateTopicRuleCommand(input))
        : iot.send(new ReplaceTopicRuleCommand(input)),
    );
  }

  if (step('ca-certificate') !== 'unchanged') {
    progress(`activating CA ${caId} with auto-registration`);
    await aws(`UpdateCACertificate ${caId}`, () =>
      iot.send(
        new UpdateCACertificateCommand({
          certificateId: caId,
          newStatus: 'ACTIVE',
          newAutoRegistrationStatus: 'ENABLE',
        }),
      ),
    );
  }
}

function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
}
