import type { FleetConfig, TrustedCa } from '../fleet-config.js';
import type { CertificateFacts, ThingFacts } from '../onboard/model.js';
import type { CertificateSummary } from '../onboard/port.js';
import { CallMeter, type Outcome, onboardCertificate, runStages, type WorkflowDeps } from '../onboard/workflow.js';
import { type CrlRevocation, revokeIfOnCrl } from './crl-pass.js';
import { type Cursor, decodeCursor, encodeCursor } from './cursor.js';
import { namedByDenyList, revokeDenied } from './deny-pass.js';
import { planMaintenance } from './maintain.js';

export interface SweepOptions {
  /** Upper bound of certificates examined in one run. */
  maxCertificates: number;
  /** Pending certificates younger than this are left to their own event (default 2 minutes). */
  pendingAgeMs: number;
  pageToken?: string;
  /** When the run started: CRLs are read afresh once per run (default: the first certificate's clock). */
  startedAt?: number;
}

export interface SweepReport {
  examined: number;
  onboarding: Outcome[];
  retired: string[];
  /** ACTIVE certificates that were missing their Thing attachment, now completed. */
  completed: string[];
  /** ACTIVE certificates the deny list names, revoked by this run (deny-pass.ts). */
  revokedDenied: string[];
  /** ACTIVE certificates revoked because their CA's CRL lists them. */
  revokedByCrl: CrlRevocation[];
  thingsChecked: number;
  errors: { certificateId: string; error: string }[];
  /** Where the next run resumes; absent when the sweep reached the end of the last CA. */
  pageToken?: string;
}

/**
 * One bounded reconcile run over the trusted CAs, resuming at `pageToken`:
 * - PENDING_ACTIVATION certificates older than `pendingAgeMs` (their event was lost, dropped as malformed, or its
 *   invocation ended in the DLQ) go through the onboarding workflow;
 * - ACTIVE certificates are checked against their Thing: one activated without its attachment is completed, and the
 *   Thing's superseded certificates are retired.
 * A failure on one certificate is reported and the sweep goes on; the next full sweep sees that certificate again.
 */
export async function sweep(config: FleetConfig, deps: WorkflowDeps, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = {
    examined: 0,
    onboarding: [],
    retired: [],
    completed: [],
    revokedDenied: [],
    revokedByCrl: [],
    thingsChecked: 0,
    errors: [],
  };
  const startedAt = options.startedAt ?? deps.now();
  const cas = config.trustedCas;
  if (cas.length === 0) return report;
  const cursor = decodeCursor(options.pageToken);
  const startIndex = Math.max(0, cursor ? cas.findIndex((ca) => ca.certificateId === cursor.caCertificateId) : 0);
  const things = new Map<string, ThingView>();

  for (let index = startIndex; index < cas.length; index++) {
    const ca = cas[index] as TrustedCa;
    let marker =
      cursor && index === startIndex && cursor.caCertificateId === ca.certificateId ? cursor.marker : undefined;
    const caFacts = await deps.caCache.get(ca.certificateId, () => deps.iot.describeCaCertificate(ca.certificateId));
    if (caFacts.value?.status !== 'ACTIVE') continue; // nothing to activate under a missing or inactive CA
    do {
      const budget = options.maxCertificates - report.examined;
      if (budget <= 0) return { ...report, pageToken: encodeCursor(resumeAt(ca, marker)) };
      const page = await deps.iot.listCertificatesByCa(ca.certificateId, { marker, pageSize: Math.min(250, budget) });
      for (const summary of page.certificates) {
        report.examined++;
        try {
          await examine(summary, ca, config, deps, { ...options, startedAt }, report, things);
        } catch (error) {
          report.errors.push({
            certificateId: summary.certificateId,
            error: (error as { code?: string; name?: string }).code ?? (error as Error).name ?? 'Error',
          });
        }
      }
      marker = page.nextMarker;
    } while (marker);
  }
  return report;
}

function resumeAt(ca: TrustedCa, marker: string | undefined): Cursor {
  return marker ? { caCertificateId: ca.certificateId, marker } : { caCertificateId: ca.certificateId };
}

async function examine(
  summary: CertificateSummary,
  ca: TrustedCa,
  config: FleetConfig,
  deps: WorkflowDeps,
  options: SweepOptions,
  report: SweepReport,
  things: Map<string, ThingView>,
): Promise<void> {
  const now = deps.now();
  const age = now - summary.creationDate;
  if (summary.status === 'PENDING_ACTIVATION' && age >= options.pendingAgeMs) {
    const event = {
      certificateId: summary.certificateId,
      caCertificateId: ca.certificateId,
      certificateStatus: 'PENDING_ACTIVATION',
    };
    report.onboarding.push(await onboardCertificate(event, config, deps));
    return;
  }
  if (summary.status !== 'ACTIVE') return;
  const crl = await revokeIfOnCrl(summary, ca, deps, options.startedAt ?? now);
  if (crl.revoked) {
    report.revokedByCrl.push(crl.revoked);
    return;
  }
  await maintainThingOf(summary, ca, deps, report, things, crl.certificate);
}

/** What one run learnt about a Thing, so each Thing costs its DescribeThing / ListThingPrincipals once per run. */
interface ThingView {
  thing: ThingFacts | null;
  principals: string[];
  retirementChecked: boolean;
}

/**
 * Checks one ACTIVE certificate: attaches it if it was activated without its Thing, and retires its Thing's superseded
 * certificates (once per Thing per run).
 */
async function maintainThingOf(
  summary: CertificateSummary,
  ca: TrustedCa,
  deps: WorkflowDeps,
  report: SweepReport,
  things: Map<string, ThingView>,
  described?: CertificateFacts | null,
): Promise<void> {
  const { iot } = deps;
  const certificate = described !== undefined ? described : await iot.describeCertificate(summary.certificateId);
  const caFacts = (await deps.caCache.get(ca.certificateId, () => iot.describeCaCertificate(ca.certificateId))).value;
  if (certificate?.status !== 'ACTIVE' || !caFacts) return;
  const now = deps.now();
  // Only the identity and the deny list matter here: an expired certificate still names its Thing.
  const verdict = deps.validate({
    certificatePem: certificate.certificatePem,
    caCertificatePem: caFacts.certificatePem,
    ca,
    at: new Date(now),
  });
  if (namedByDenyList(verdict)) {
    await revokeDenied(iot, certificate);
    report.revokedDenied.push(certificate.certificateId);
    return;
  }
  const { thingName } = verdict;
  if (!thingName) return;
  let view = things.get(thingName);
  if (!view) {
    const thing = await iot.describeThing(thingName);
    const principals = thing ? (await iot.listThingPrincipals(thingName)).filter((arn) => arn.includes(':cert/')) : [];
    view = { thing, principals, retirementChecked: false };
    things.set(thingName, view);
    report.thingsChecked++;
  }
  const attached = view.principals.includes(certificate.certificateArn);
  if (attached && view.retirementChecked) return;
  const others = view.retirementChecked
    ? []
    : await Promise.all(
        view.principals
          .filter((arn) => arn !== certificate.certificateArn)
          .map((arn) => iot.describeCertificate(arn.slice(arn.lastIndexOf('/') + 1))),
      );
  const plan = planMaintenance({
    certificate,
    thingName,
    ...(verdict.deviceId !== undefined ? { deviceId: verdict.deviceId } : {}),
    thing: view.thing,
    principals: view.principals,
    others: others.filter((facts): facts is CertificateFacts => facts !== null),
    ca,
    now,
  });
  view.retirementChecked = true;
  if (plan.stages.length === 0) return;
  const log = { retired: [] as string[], deleteDeferred: [] as string[] };
  await runStages(plan.stages, iot, new CallMeter(), log);
  if (plan.completes) {
    report.completed.push(certificate.certificateId);
    view.principals.push(certificate.certificateArn);
  }
  report.retired.push(...log.retired);
}
