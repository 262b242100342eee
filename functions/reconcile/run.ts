import type { FleetConfigSource } from '../fleet-config.js';
import { outcomeFields, type WorkflowDeps } from '../onboard/workflow.js';
import type { Telemetry } from '../observability.js';
import type { CursorStore } from './cursor.js';
import { type SweepReport, sweep } from './sweep.js';

export interface ReconcileDeps extends WorkflowDeps {
  config: Pick<FleetConfigSource, 'get'>;
  cursor: CursorStore;
  /** The container's Logger and Metrics (Powertools): a log line and the metrics of each decision. */
  telemetry: Telemetry;
  maxCertificates: number;
  pendingAgeMs: number;
}

export interface ReconcileResult {
  examined: number;
  onboarded: number;
  retired: number;
  completed: number;
  revokedDenied: number;
  revokedByCrl: number;
  errors: number;
  pageToken?: string;
}

/** `{ pageToken }` in the event resumes there (manual runs); otherwise the stored cursor of the last scheduled run. */
function pageTokenOf(event: unknown): string | undefined {
  if (event && typeof event === 'object' && 'pageToken' in event) {
    const token = (event as { pageToken: unknown }).pageToken;
    return typeof token === 'string' ? token : undefined;
  }
  return undefined;
}

/** One scheduled reconcile run: sweep from the cursor, log every decision it made, store where it stopped. */
export async function reconcile(event: unknown, deps: ReconcileDeps): Promise<ReconcileResult> {
  const started = deps.now();
  try {
    const config = await deps.config.get();
    const pageToken = pageTokenOf(event) ?? (await deps.cursor.load());
    const report = await sweep(config, deps, {
      maxCertificates: deps.maxCertificates,
      pendingAgeMs: deps.pendingAgeMs,
      startedAt: started,
      ...(pageToken ? { pageToken } : {}),
    });
    for (const outcome of report.onboarding) {
      deps.telemetry.decision({ ...outcomeFields(outcome), durationMs: 0 });
    }
    for (const revoked of report.revokedByCrl) {
      deps.telemetry.decision({
        decision: 'revoked',
        reasons: ['CERTIFICATE_REVOKED_BY_CA'],
        certificateId: revoked.certificateId,
        caCertificateId: revoked.caCertificateId,
        crlReason: revoked.crlReason,
        revokedAt: revoked.revokedAt,
        apiCalls: 1,
        apiDepth: 1,
        durationMs: 0,
      });
    }
    await deps.cursor.save(report.pageToken);
    const summary = summaryOf(report, deps.now() - started);
    if (report.errors.length > 0 || report.revokedDenied.length > 0) deps.telemetry.warn(RUN_FINISHED, summary);
    else deps.telemetry.info(RUN_FINISHED, summary);
    return {
      examined: report.examined,
      onboarded: report.onboarding.filter((o) => o.decision === 'onboarded' || o.decision === 'rotated').length,
      retired: report.retired.length,
      completed: report.completed.length,
      revokedDenied: report.revokedDenied.length,
      revokedByCrl: report.revokedByCrl.length,
      errors: report.errors.length,
      ...(report.pageToken ? { pageToken: report.pageToken } : {}),
    };
  } catch (error) {
    deps.telemetry.failure(error, { durationMs: deps.now() - started });
    throw error;
  }
}

const RUN_FINISHED = 'reconcile run finished';

function summaryOf(report: SweepReport, durationMs: number): Record<string, unknown> {
  return {
    examined: report.examined,
    onboarding: report.onboarding.length,
    thingsChecked: report.thingsChecked,
    retired: report.retired,
    completed: report.completed,
    revokedDenied: report.revokedDenied,
    revokedByCrl: report.revokedByCrl.map((revoked) => revoked.certificateId),
    errors: report.errors.slice(0, 20),
    complete: report.pageToken === undefined,
    durationMs,
  };
}
