import {
  type CACertificateDescription,
  type IoTClient,
  ListCertificatesByCACommand,
  type TopicRule,
} from '@aws-sdk/client-iot';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { TrustedCa } from '../../functions/fleet-config.js';
import type { OperatorClients } from '../aws/clients.js';
import { type CrlHealth, crlHealth, operatorCrlReaders } from './crl-audit.js';
import { type Deployment, deploymentFor, ruleNameFor } from './deployment.js';
import { aws, awsOptional } from './errors.js';
import { type FleetConfigState, readFleetConfig } from './fleet-config-store.js';
import {
  callerScope,
  countThingsBoundTo,
  describeCa,
  type PolicyState,
  queueUrlOf,
  readPolicy,
  readRule,
} from './iot-reads.js';
import {
  type BindingConflict,
  bindingConflicts,
  type DeniedActive,
  deniedActiveCertificates,
} from './lifecycle-audit.js';

/** Everything status and doctor look at, read once. Times are epoch ms. */
export interface Survey {
  deployment: Deployment;
  at: number;
  fleetConfig: FleetConfigState;
  cas: CaSurvey[];
  /** By policy name, for every policy the trusted CAs use (undefined: absent). */
  policies: Record<string, PolicyState | undefined>;
  deadLetterQueue: { url?: string; visible: number; inFlight: number };
  /** ACTIVE certificates that a deny list names. */
  deniedActive: DeniedActive[];
  /** Pending certificates held back because two CAs of this fleet claim their Thing. */
  bindingConflicts: BindingConflict[];
}

export interface CaSurvey {
  trusted: TrustedCa;
  ca?: CACertificateDescription;
  ruleName: string;
  rule?: TopicRule;
  certificatesByStatus: Record<string, number>;
  /** PENDING_ACTIVATION certificates older than the threshold: the events that never got processed. */
  stuckPending: { certificateId: string; registeredAt: number }[];
  /** Every PENDING_ACTIVATION certificate of the CA. */
  pending: string[];
  things: number;
  /** The CA's CRL as the Lambdas would read it now (absent: the CA names no CRL). */
  crl?: CrlHealth;
}

export interface SurveyOptions {
  stage: string;
  functionArn?: string;
  /** A certificate PENDING_ACTIVATION for longer than this is stuck (default 30 minutes: two reconcile runs). */
  pendingAfterMs: number;
  progress?: (message: string) => void;
  now?: () => number;
  /** Also look for revocations not in force and held binding conflicts (doctor; a few calls per deny entry). */
  lifecycle?: boolean;
}

export async function surveyDeployment(clients: OperatorClients, options: SurveyOptions): Promise<Survey> {
  const progress = options.progress ?? (() => {});
  const at = (options.now ?? Date.now)();
  const scope = await callerScope(clients);
  const deployment = deploymentFor({
    stage: options.stage,
    ...scope,
    ...(options.functionArn !== undefined ? { functionArn: options.functionArn } : {}),
  });
  const [fleetConfig, deadLetterQueue] = await Promise.all([
    readFleetConfig(clients.ssm, deployment.fleetConfigParameter),
    queueDepth(clients, deployment.deadLetterQueueName),
  ]);
  const trusted = fleetConfig.state === 'valid' ? fleetConfig.config.trustedCas : [];
  const cas: CaSurvey[] = [];
  for (const ca of trusted) {
    progress(`surveying CA ${ca.certificateId}`);
    cas.push(await surveyCa(clients.iot, deployment, ca, at - options.pendingAfterMs, progress));
  }
  const withCrl = cas.filter((survey) => survey.trusted.crl && survey.ca?.certificatePem);
  if (withCrl.length > 0) {
    const readers = await operatorCrlReaders(clients.ssm);
    for (const survey of withCrl) {
      progress(`reading the CRL of CA ${survey.trusted.certificateId}`);
      const health = await crlHealth(readers, survey.trusted, survey.ca!.certificatePem!, at);
      if (health) survey.crl = health;
    }
  }
  const policies: Record<string, PolicyState | undefined> = {};
  for (const name of new Set(trusted.map((ca) => ca.policyName))) policies[name] = await readPolicy(clients.iot, name);
  const deniedActive = options.lifecycle ? await deniedActiveCertificates(clients.iot, trusted) : [];
  const conflicts: BindingConflict[] = [];
  if (options.lifecycle && fleetConfig.state === 'valid') {
    for (const ca of cas) {
      conflicts.push(...(await bindingConflicts(clients.iot, fleetConfig.config, ca.trusted, ca.pending)));
    }
  }
  return {
    deployment,
    at,
    fleetConfig,
    cas,
    policies,
    deadLetterQueue,
    deniedActive,
    bindingConflicts: conflicts,
  };
}

async function surveyCa(
  iot: IoTClient,
  deployment: Deployment,
  trusted: TrustedCa,
  pendingBefore: number,
  progress: (message: string) => void,
): Promise<CaSurvey> {
  const ruleName = ruleNameFor(deployment.stage, trusted.certificateId);
  const [ca, rule, things] = await Promise.all([
    describeCa(iot, trusted.certificateId),
    readRule(iot, ruleName),
    countThingsBoundTo(iot, trusted.certificateId),
  ]);
  const certificatesByStatus: Record<string, number> = {};
  const stuckPending: CaSurvey['stuckPending'] = [];
  const pending: string[] = [];
  if (ca) {
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await aws(`ListCertificatesByCA ${trusted.certificateId}`, () =>
        iot.send(new ListCertificatesByCACommand({ caCertificateId: trusted.certificateId, pageSize: 250, marker })),
      );
      for (const certificate of page.certificates ?? []) {
        const status = certificate.status ?? 'UNKNOWN';
        certificatesByStatus[status] = (certificatesByStatus[status] ?? 0) + 1;
        const registeredAt = certificate.creationDate?.getTime() ?? 0;
        if (status === 'PENDING_ACTIVATION' && certificate.certificateId) pending.push(certificate.certificateId);
        if (status === 'PENDING_ACTIVATION' && registeredAt < pendingBefore && certificate.certificateId) {
          stuckPending.push({ certificateId: certificate.certificateId, registeredAt });
        }
      }
      marker = page.nextMarker;
      if (++pages % 20 === 0) progress(`  ${pages * 250} certificates read`);
    } while (marker);
  }
  return {
    trusted,
    ...(ca ? { ca } : {}),
    ruleName,
    ...(rule ? { rule } : {}),
    certificatesByStatus,
    stuckPending,
    pending,
    things,
  };
}

async function queueDepth(clients: OperatorClients, name: string): Promise<Survey['deadLetterQueue']> {
  const url = await queueUrlOf(clients.sqs, name);
  if (!url) return { visible: 0, inFlight: 0 };
  const response = await awsOptional(`GetQueueAttributes ${name}`, () =>
    clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    ),
  );
  const attributes = response?.Attributes ?? {};
  return {
    url,
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
