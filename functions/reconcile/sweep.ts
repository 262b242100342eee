import type { FleetConfig, TrustedCa } from '../fleet-config.js';
import type { CertificateFacts } from '../onboard/model.js';
import type { CertificateSummary } from '../onboard/port.js';
import { CallMeter, type Outcome, onboardCertificate, runStages, type WorkflowDeps } from '../onboard/workflow.js';
import { type Cursor, decodeCursor, encodeCursor } from './cursor.js';
import { planMaintenance } from './maintain.js';

export interface SweepOptions {
  /** Upper bound of certificates examined in one run. */
  maxCertificates: number;
  /** Pending certificates younger than this are left to their own event (default 2 minutes). */
  pendingAgeMs: number;
  pageToken?: string;
}

export interface SweepReport {
  examined: number;
  onboarding: Outcome[];
  retired: string[];
  thingsChecked: number;
  errors: { certificateId: string; error: string }[];
  /** Where the next run resumes; absent when the sweep reached the end of the last CA. */
  pageToken?: string;
}

const HOUR_MS = 3_600_000;

/**
 * One bounded reconcile run over the trusted CAs, resuming at `pageToken`:
 * - PENDING_ACTIVATION certificates older than `pendingAgeMs` (their event was lost, dropped as malformed, or its
 *   invocation ended in the DLQ) go through the onboarding workflow;
 * - the Things of ACTIVE certificates older than the grace window get their superseded certificates retired.
 * A failure on one certificate is reported and the sweep goes on; the next full sweep sees that certificate again.
 */
export async function sweep(config: FleetConfig, deps: WorkflowDeps, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { examined: 0, onboarding: [], retired: [], thingsChecked: 0, errors: [] };
  const cas = config.trustedCas;
  if (cas.length === 0) return report;
  const cursor = decodeCursor(options.pageToken);
  const startIndex = Math.max(0, cursor ? cas.findIndex((ca) => ca.certificateId === cursor.caCertificateId) : 0);
  const checkedThings = new Set<string>();

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
          await examine(summary, ca, config, deps, options, report, checkedThings);
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
  checkedThings: Set<string>,
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
  if (summary.status !== 'ACTIVE' || age < ca.rotationGraceHours * HOUR_MS) return;
  await maintainThingOf(summary, ca, deps, report, checkedThings);
}

/** Retires the superseded certificates of the Thing an old ACTIVE certificate belongs to (once per Thing per run). */
async function maintainThingOf(
  summary: CertificateSummary,
  ca: TrustedCa,
  deps: WorkflowDeps,
  report: SweepReport,
  checkedThings: Set<string>,
): Promise<void> {
  const { iot } = deps;
  const certificate = await iot.describeCertificate(summary.certificateId);
  const caFacts = (await deps.caCache.get(ca.certificateId, () => iot.describeCaCertificate(ca.certificateId))).value;
  if (!certificate || !caFacts) return;
  const now = deps.now();
  // Only the identity matters here: an expired certificate still names its Thing.
  const { thingName } = deps.validate({
    certificatePem: certificate.certificatePem,
    caCertificatePem: caFacts.certificatePem,
    ca,
    at: new Date(now),
  });
  if (!thingName || checkedThings.has(thingName)) return;
  checkedThings.add(thingName);
  const thing = await iot.describeThing(thingName);
  if (!thing) return;
  report.thingsChecked++;
  const principals = (await iot.listThingPrincipals(thingName)).filter((arn) => arn.includes(':cert/'));
  const attached = await Promise.all(
    principals.map((arn) => iot.describeCertificate(arn.slice(arn.lastIndexOf('/') + 1))),
  );
  const actions = planMaintenance(
    thing,
    attached.filter((facts): facts is CertificateFacts => facts !== null),
    ca,
    now,
  );
  if (actions.length === 0) return;
  const log = { retired: [] as string[], deleteDeferred: [] as string[] };
  await runStages([actions], iot, new CallMeter(), log);
  report.retired.push(...log.retired);
}
