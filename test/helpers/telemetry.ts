import { powertoolsTelemetry, type ServiceName, type Telemetry } from '../../functions/observability.js';

/** What the Lambdas' Powertools Logger and Metrics printed, parsed: log lines apart from EMF documents. */
export interface CapturedTelemetry {
  telemetry: Telemetry;
  /** Logger's JSON lines (decisions, failures, warnings), oldest first. */
  lines: Record<string, unknown>[];
  /** Metrics' Embedded Metric Format documents (they carry `_aws`), oldest first. */
  metrics: Record<string, unknown>[];
}

/**
 * The real telemetry the handlers build (powertoolsTelemetry), with what it writes kept off the test output and parsed.
 * Logger and Metrics write synchronously to process.stdout / process.stderr, so each call is captured by diverting the
 * two streams for its duration only; nothing else written meanwhile can land in between.
 */
export function capturedTelemetry(service: ServiceName, namespace = 'Jitr'): CapturedTelemetry {
  const real = powertoolsTelemetry(service, namespace);
  const lines: Record<string, unknown>[] = [];
  const metrics: Record<string, unknown>[] = [];
  const capture = (call: () => void) => {
    const chunks: string[] = [];
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write);
    for (const stream of streams) {
      stream.write = ((chunk: unknown) => {
        chunks.push(String(chunk));
        return true;
      }) as typeof stream.write;
    }
    try {
      call();
    } finally {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    }
    for (const line of chunks.join('').split('\n')) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      (record._aws ? metrics : lines).push(record);
    }
  };
  const telemetry: Telemetry = {
    decision: (record) => capture(() => real.decision(record)),
    failure: (error, fields) => capture(() => real.failure(error, fields)),
    warn: (message, fields) => capture(() => real.warn(message, fields)),
    info: (message, fields) => capture(() => real.info(message, fields)),
  };
  return { telemetry, lines, metrics };
}
