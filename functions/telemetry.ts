/**
 * One JSON line per decision, which is at once the structured log record and a CloudWatch Embedded Metric Format (EMF)
 * document: CloudWatch Logs extracts the metrics, Logs Insights queries the same line. Written with process.stdout so
 * the Lambda runtime does not prefix it (a prefixed line is not EMF). Never holds key material or a PEM.
 */
export type Emit = (line: Record<string, unknown>) => void;

export const stdoutEmitter: Emit = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

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

export interface DecisionRecord {
  service: 'onboard' | 'reconcile' | 'vend';
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
  durationMs: number;
  [extra: string]: unknown;
}

export function decisionLine(record: DecisionRecord, namespace: string, timestamp: number): Record<string, unknown> {
  const metric = METRIC_BY_DECISION[record.decision] ?? 'Ignored';
  const primaryReason = record.reasons[0];
  const metrics: Record<string, number> = { [metric]: 1, Latency: record.durationMs };
  if (record.security) metrics.SecurityEvent = 1;
  if (record.retired && record.retired.length > 0) metrics.Retired = record.retired.length;
  // A decision taken without a current, trusted CRL (deferred when failClosed, onboarded when failOpen).
  if (record.crlProblem) metrics.CrlUnavailable = 1;
  const directives: unknown[] = [
    {
      Namespace: namespace,
      Dimensions: [['Service']],
      Metrics: Object.keys(metrics).map((name) => ({
        Name: name,
        Unit: name === 'Latency' ? 'Milliseconds' : 'Count',
      })),
    },
  ];
  if (primaryReason) {
    // Rejected / Ignored by reason: the first reason code is the dimension; the line lists all of them.
    directives.push({
      Namespace: namespace,
      Dimensions: [['Service', 'Reason']],
      Metrics: [{ Name: metric, Unit: 'Count' }],
    });
  }
  return {
    level: record.security ? 'WARN' : 'INFO',
    message: record.security ? 'security event: certificate revoked' : `decision: ${record.decision}`,
    timestamp: new Date(timestamp).toISOString(),
    ...record,
    _aws: { Timestamp: timestamp, CloudWatchMetrics: directives },
    Service: record.service,
    ...(primaryReason ? { Reason: primaryReason } : {}),
    ...metrics,
  };
}

/** A failure that makes the invocation throw (Lambda then retries, then the DLQ): logged once, with its stable code. */
export function errorLine(service: string, error: unknown, context: Record<string, unknown>): Record<string, unknown> {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as { code?: unknown }).code;
  return {
    level: 'ERROR',
    message: err.message,
    service,
    error: err.name,
    ...(typeof code === 'string' ? { code } : {}),
    ...context,
  };
}
