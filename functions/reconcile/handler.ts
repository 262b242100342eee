import { iotClient, ssmClient, ssmCursorStore, ssmParameterReader } from '../aws/clients.js';
import { MissingEnvironmentError } from '../errors.js';
import { FleetConfigSource } from '../fleet-config.js';
import { iotAdapter } from '../onboard/iot-adapter.js';
import { validateWithCerts } from '../onboard/validator.js';
import { errorLine, stdoutEmitter } from '../telemetry.js';
import { TtlCache } from '../ttl-cache.js';
import { memoryCursorStore } from './cursor.js';
import { type ReconcileDeps, type ReconcileResult, reconcile } from './run.js';

const CACHE_TTL_MS = 60_000;
let deps: ReconcileDeps | undefined;

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

function containerDeps(): ReconcileDeps {
  if (deps) return deps;
  const parameter = process.env.JITR_FLEET_CONFIG_PARAMETER;
  if (!parameter) throw new MissingEnvironmentError('JITR_FLEET_CONFIG_PARAMETER');
  const cursorParameter = process.env.JITR_RECONCILE_CURSOR_PARAMETER;
  deps = {
    iot: iotAdapter(iotClient()),
    config: new FleetConfigSource(parameter, ssmParameterReader(ssmClient()), CACHE_TTL_MS),
    caCache: new TtlCache(CACHE_TTL_MS),
    validate: validateWithCerts,
    now: Date.now,
    emit: stdoutEmitter,
    metricsNamespace: process.env.JITR_METRICS_NAMESPACE ?? 'Jitr',
    cursor: cursorParameter ? ssmCursorStore(ssmClient(), cursorParameter) : memoryCursorStore(),
    maxCertificates: positiveInteger(process.env.JITR_RECONCILE_MAX_CERTIFICATES, 500),
    pendingAgeMs: positiveInteger(process.env.JITR_RECONCILE_PENDING_AGE_SECONDS, 120) * 1000,
  };
  return deps;
}

/** Lambda entry point, scheduled every 15 minutes. `{ "pageToken": "..." }` resumes a sweep by hand. */
export const handler = async (event: unknown): Promise<ReconcileResult> => {
  let built: ReconcileDeps;
  try {
    built = containerDeps();
  } catch (error) {
    stdoutEmitter(errorLine('reconcile', error, {}));
    throw error;
  }
  return reconcile(event, built);
};
