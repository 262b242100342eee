import {
  DeleteCACertificateCommand,
  DeleteTopicRuleCommand,
  type IoTClient,
  ListCertificatesByCACommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import type { FleetConfig } from '../../functions/fleet-config.js';
import type { OperatorClients } from '../aws/clients.js';
import { ExitCode } from '../cli/errors.js';
import { fleetConfigParameterName, ruleNameFor } from './deployment.js';
import { aws, awsErrorName, awsOptional, OperatorError, OperatorInputError } from './errors.js';
import { requireFleetConfig, updateFleetConfig } from './fleet-config-store.js';
import { countThingsBoundTo, describeCa } from './iot-reads.js';

export interface RetireOptions {
  caCertificateId: string;
  stage: string;
  dryRun?: boolean;
  progress?: (message: string) => void;
}

export interface RetireResult {
  dryRun: boolean;
  caCertificateId: string;
  /** Whether the CA was (or would be) taken out of the fleet configuration. */
  untrusted: boolean;
  /** The CA registration: deleted, kept INACTIVE (AWS refused to delete it), or there was none. */
  registration: 'deleted' | 'inactive' | 'absent';
  ruleDeleted: boolean;
  /** Things still bound to the CA, taken over by its successors (their `rolloverFrom` keeps naming it). */
  boundThings: number;
  successors: string[];
}

/**
 * Retires a CA whose devices have moved to a successor: takes it out of the fleet configuration, deactivates it
 * (auto-registration off), deletes its topic rule and its registration. Refuses with CA_STILL_IN_USE (exit 1, nothing
 * changed) while a device still depends on it: a certificate of it ACTIVE or PENDING_ACTIVATION, or Things bound to it
 * that no other trusted CA succeeds (their devices' next certificates would be refused as THING_BOUND_TO_OTHER_CA).
 */
export async function retireCa(clients: OperatorClients, options: RetireOptions): Promise<RetireResult> {
  const progress = options.progress ?? (() => {});
  const id = options.caCertificateId.toLowerCase();
  const dryRun = options.dryRun === true;
  const parameter = fleetConfigParameterName(options.stage);
  const config = (await requireFleetConfig(clients.ssm, parameter, { allowMissing: false })) as FleetConfig;
  const trusted = config.trustedCas.some((ca) => ca.certificateId === id);
  const registered = await describeCa(clients.iot, id);
  if (!trusted && !registered) {
    throw new OperatorInputError(
      'CA_NOT_FOUND',
      `CA ${id} is neither trusted by stage ${options.stage} nor registered`,
    );
  }
  progress(`checking what still depends on CA ${id}`);
  const live = registered ? await liveCertificates(clients.iot, id) : { active: 0, pending: 0 };
  const successors = config.trustedCas
    .filter((ca) => ca.certificateId !== id && ca.rolloverFrom.includes(id))
    .map((ca) => ca.certificateId);
  const boundThings = await countThingsBoundTo(clients.iot, id);
  const problems: string[] = [];
  if (live.active > 0) problems.push(`${live.active} ACTIVE certificate(s) of it still connect`);
  if (live.pending > 0) problems.push(`${live.pending} certificate(s) of it are PENDING_ACTIVATION`);
  if (boundThings > 0 && successors.length === 0) {
    problems.push(
      `${boundThings} thing(s) are bound to it and no trusted CA succeeds it (preconfigure --rollover-from)`,
    );
  }
  if (problems.length > 0) {
    throw new OperatorError(
      'CA_STILL_IN_USE',
      `CA ${id} is still in use: ${problems.join('; ')}. Nothing changed. Rotated certificates are retired by the ` +
        'onboarding Lambda and the reconciler once their grace window ends (or they expire); revoke devices that will not move',
      ExitCode.failure,
    );
  }
  const result: RetireResult = {
    dryRun,
    caCertificateId: id,
    untrusted: trusted,
    registration: registered ? 'deleted' : 'absent',
    ruleDeleted: true,
    boundThings,
    successors,
  };
  if (dryRun) return result;

  if (trusted) {
    progress(`removing CA ${id} from ${parameter}`);
    await updateFleetConfig(clients.ssm, parameter, (current) =>
      current?.trustedCas.some((ca) => ca.certificateId === id)
        ? { ...current, trustedCas: current.trustedCas.filter((ca) => ca.certificateId !== id) }
        : undefined,
    );
  }
  if (registered) {
    progress(`deactivating CA ${id}`);
    await aws(`UpdateCACertificate ${id}`, () =>
      clients.iot.send(
        new UpdateCACertificateCommand({
          certificateId: id,
          newStatus: 'INACTIVE',
          newAutoRegistrationStatus: 'DISABLE',
        }),
      ),
    );
  }
  const ruleName = ruleNameFor(options.stage, id);
  progress(`deleting topic rule ${ruleName}`);
  result.ruleDeleted =
    (await awsOptional(`DeleteTopicRule ${ruleName}`, () =>
      clients.iot.send(new DeleteTopicRuleCommand({ ruleName })),
    )) !== undefined;
  if (registered) {
    try {
      await clients.iot.send(new DeleteCACertificateCommand({ certificateId: id }));
    } catch (error) {
      if (awsErrorName(error) !== 'CertificateStateException') {
        await aws(`DeleteCACertificate ${id}`, () => Promise.reject(error));
      }
      result.registration = 'inactive';
    }
  }
  return result;
}

async function liveCertificates(iot: IoTClient, caCertificateId: string): Promise<{ active: number; pending: number }> {
  const counts = { active: 0, pending: 0 };
  let marker: string | undefined;
  do {
    const page = await aws(`ListCertificatesByCA ${caCertificateId}`, () =>
      iot.send(new ListCertificatesByCACommand({ caCertificateId, pageSize: 250, marker })),
    );
    for (const certificate of page.certificates ?? []) {
      if (certificate.status === 'ACTIVE') counts.active++;
      if (certificate.status === 'PENDING_ACTIVATION') counts.pending++;
    }
    marker = page.nextMarker;
  } while (marker);
  return counts;
}
