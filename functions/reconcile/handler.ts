import { ssmClient, ssmCursorStore } from '../aws/clients.js';
import { MissingEnvironmentError } from '../errors.js';
import { fleetWorkflowDeps } from '../fleet-workflow-deps.js';
import { lambdaEntry } from '../lambda-entry.js';
import type { Telemetry } from '../observability.js';
import { type ReconcileDeps, reconcile } from './run.js';

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * Dependencies built once per container: the onboarding workflow's, plus the sweep's cursor and bounds. The cursor
 * parameter is required: an in-memory cursor would restart every cold start from the beginning, and with more
 * certificates than one run examines the newest pending ones would never be reached.
 */
function containerDeps(telemetry: Telemetry): ReconcileDeps {
  const cursorParameter = process.env.JITR_RECONCILE_CURSOR_PARAMETER;
  if (!cursorParameter) throw new MissingEnvironmentError('JITR_RECONCILE_CURSOR_PARAMETER');
  return {
    ...fleetWorkflowDeps(telemetry),
    cursor: ssmCursorStore(ssmClient(), cursorParameter),
    maxCertificates: positiveInteger(process.env.JITR_RECONCILE_MAX_CERTIFICATES, 500),
    pendingAgeMs: positiveInteger(process.env.JITR_RECONCILE_PENDING_AGE_SECONDS, 120) * 1000,
  };
}

/** Lambda entry point, scheduled every 15 minutes. `{ "pageToken": "..." }` resumes a sweep by hand. */
export const handler = lambdaEntry('reconcile', containerDeps, reconcile);
