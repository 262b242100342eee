import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The Lambdas' logs and metrics, on Powertools for AWS Lambda (TypeScript). Logger writes one structured JSON line per
 * decision (its level from POWERTOOLS_LOG_LEVEL, else LOG_LEVEL; Logs Insights queries its fields); Metrics writes the
 * decision's counts as CloudWatch Embedded Metric Format documents, which CloudWatch Logs turns into metrics (no
 * PutMetricData call, no extra permission). Both are built once per container; each decision flushes its metrics at
 * once (onboard and vend take one decision per invocation). Callers pass identifiers and reason codes only: no line
 * carries key material, a PEM or a token.
 */
export type ServiceName = 'onboard' | 'reconcile' | 'vend';

/** One decision: the fields of its log line (never certificate material). */
export interface DecisionRecord {
  decision: string;
  reasons: string[];
  certificateId?: string;
  caCertificateId?: string;
  thingName?: string;
  deviceId?: string;
  security?: boolean;
  apiCalls: number;
  apiDepth: number;
  retired?: string[];
  crlProblem?: string;
  durationMs: number;
  [extra: string]: unknown;
}

export interface Telemetry {
  /** One log line (INFO, WARN for a security event) and the decision's metrics (docs/metrics.md). */
  decision(record: DecisionRecord): void;
  /** A failure that makes the invocation throw (Lambda retries, then the DLQ): one ERROR line with its stable code. */
  failure(error: unknown, fields?: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
}

/** The metric each decision counts. */
const METRIC_BY_DECISION: Record<string, string> = {
  onboarded: 'Onboarded',
  rotated: 'Rotated',
  duplicate: 'Duplicate',
  rejected: 'Rejected',
  ignored: 'Ignored',
  deferred: 'Ignored',
  superseded: 'Ignored',
  // reconcile: an ACTIVE certificate its CA's CRL lists
  revoked: 'Revoked',
  malformed: 'Ignored',
  // vend (HTTP provisioning endpoint)
  provisioned: 'Provisioned',
  resumed: 'Provisioned',
  existing: 'Duplicate',
  deprovisioned: 'Deprovisioned',
  refused: 'Refused',
};

export function metricOf(decision: string): string {
  return METRIC_BY_DECISION[decision] ?? 'Ignored';
}

/** JITR_METRICS_NAMESPACE, else Powertools' POWERTOOLS_METRICS_NAMESPACE, else `Jitr`. */
export function metricsNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.JITR_METRICS_NAMESPACE || env.POWERTOOLS_METRICS_NAMESPACE || 'Jitr';
}

/** Builds the container's Logger and Metrics for `service` (once per container: lambdaEntry's dependencies). */
export function powertoolsTelemetry(service: ServiceName, namespace: string = metricsNamespace()): Telemetry {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace, serviceName: service });
  // Powertools names its default dimension `service`; the dimension the dashboards and alarms use is `Service`.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ Service: service });
  return {
    decision(record) {
      const metric = metricOf(record.decision);
      if (record.security) logger.warn('security event: certificate revoked', record);
      else logger.info(`decision: ${record.decision}`, record);
      // Dimension set [Service]: the decision's count, its latency and what it flagged.
      metrics.addMetric(metric, MetricUnit.Count, 1);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, record.durationMs);
      if (record.security) metrics.addMetric('SecurityEvent', MetricUnit.Count, 1);
      if (record.retired && record.retired.length > 0) {
        metrics.addMetric('Retired', MetricUnit.Count, record.retired.length);
      }
      // A decision taken without a current, trusted CRL (deferred when failClosed, onboarded when failOpen).
      if (record.crlProblem) metrics.addMetric('CrlUnavailable', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      // Dimension set [Service, Reason]: the decision's count by its first reason code, in a document of its own so
      // that only that count (not the latency or the flags) is split by reason.
      const reason = record.reasons[0];
      if (reason) {
        metrics.addDimension('Reason', reason);
        metrics.addMetric(metric, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
    },
    failure(error, fields = {}) {
      const err = error instanceof Error ? error : new Error(String(error));
      const code = (err as { code?: unknown }).code;
      logger.error(err.message, { error: err.name, ...(typeof code === 'string' ? { code } : {}), ...fields });
    },
    warn: (message, fields) => logger.warn(message, fields),
    info: (message, fields) => logger.info(message, fields),
  };
}
