import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteCertificateCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { OperatorClients } from '../aws/clients.js';
import { asCliError, aws, awsErrorName, OperatorInputError } from './errors.js';
import { type CertificateState, describeThing, thingCertificates, thingPrincipals } from './thing-reads.js';

export type CertificateAction = 'revoke' | 'detach-policy' | 'detach-thing' | 'delete';

export interface CertificatePlan {
  certificateId: string;
  previousStatus: string;
  actions: { action: CertificateAction; target?: string }[];
}

export interface DeprovisionResult {
  thingName: string;
  dryRun: boolean;
  keepCertificates: boolean;
  certificates: CertificatePlan[];
  /** Principals other than certificates (detached only). */
  otherPrincipals: string[];
  thingDeleted: boolean;
}

/**
 * The steps for one certificate, in the order that shuts the device out first: revoke (connections stop at once),
 * then detach policies and the thing (DeleteCertificate requires both), then delete. Pure.
 */
export function planCertificate(
  thingName: string,
  certificate: CertificateState,
  keepCertificates: boolean,
): CertificatePlan {
  const actions: CertificatePlan['actions'] = [];
  if (certificate.status !== 'REVOKED') actions.push({ action: 'revoke' });
  for (const policy of certificate.policies) actions.push({ action: 'detach-policy', target: policy });
  actions.push({ action: 'detach-thing', target: thingName });
  if (!keepCertificates) actions.push({ action: 'delete' });
  return { certificateId: certificate.certificateId, previousStatus: certificate.status, actions };
}

export async function deprovision(
  clients: OperatorClients,
  options: { thingName: string; keepCertificates?: boolean; dryRun?: boolean; progress?: (message: string) => void },
): Promise<DeprovisionResult> {
  const { iot } = clients;
  const progress = options.progress ?? (() => {});
  const thingName = options.thingName;
  if (!(await describeThing(iot, thingName))) {
    throw new OperatorInputError('THING_NOT_FOUND', `thing ${thingName} does not exist (already deprovisioned?)`);
  }
  const certificates = await thingCertificates(iot, thingName);
  const certificateArns = new Set(certificates.map((certificate) => certificate.certificateArn));
  const otherPrincipals = (await thingPrincipals(iot, thingName)).filter((arn) => !certificateArns.has(arn));
  const plans = certificates.map((certificate) =>
    planCertificate(thingName, certificate, options.keepCertificates === true),
  );
  if (!options.dryRun) {
    for (const [index, plan] of plans.entries()) {
      const certificate = certificates[index] as CertificateState;
      progress(`certificate ${plan.certificateId}: ${plan.actions.map((a) => a.action).join(', ')}`);
      await runCertificatePlan(clients, certificate, plan);
    }
    for (const principal of otherPrincipals) {
      await aws(`DetachThingPrincipal ${thingName}`, () =>
        iot.send(new DetachThingPrincipalCommand({ thingName, principal })),
      );
    }
    progress(`deleting thing ${thingName}`);
    await aws(`DeleteThing ${thingName}`, () => iot.send(new DeleteThingCommand({ thingName })));
  }
  return {
    thingName,
    dryRun: options.dryRun === true,
    keepCertificates: options.keepCertificates === true,
    certificates: plans,
    otherPrincipals,
    thingDeleted: !options.dryRun,
  };
}

export async function runCertificatePlan(
  clients: OperatorClients,
  certificate: CertificateState,
  plan: CertificatePlan,
): Promise<void> {
  const { iot } = clients;
  const { certificateId, certificateArn } = certificate;
  for (const step of plan.actions) {
    switch (step.action) {
      case 'revoke':
        await aws(`UpdateCertificate ${certificateId} REVOKED`, () =>
          iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' })),
        );
        break;
      case 'detach-policy':
        await aws(`DetachPolicy ${step.target}`, () =>
          iot.send(new DetachPolicyCommand({ policyName: step.target, target: certificateArn })),
        );
        break;
      case 'detach-thing':
        await aws(`DetachThingPrincipal ${step.target}`, () =>
          iot.send(new DetachThingPrincipalCommand({ thingName: step.target, principal: certificateArn })),
        );
        break;
      case 'delete':
        await deleteCertificate(clients, certificateId);
        break;
    }
  }
}

/** Detachment is eventually consistent on AWS: DeleteCertificate may see the old attachment for a few seconds. */
async function deleteCertificate(clients: OperatorClients, certificateId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await clients.iot.send(new DeleteCertificateCommand({ certificateId }));
      return;
    } catch (error) {
      const name = awsErrorName(error);
      if (name === 'ResourceNotFoundException') return;
      if (name !== 'DeleteConflictException' || attempt >= 5) {
        throw asCliError(error, `DeleteCertificate ${certificateId}`);
      }
      await sleep(250 * 2 ** attempt);
    }
  }
}
