import { powertoolsTelemetry, type ServiceName, type Telemetry } from './observability.js';

/** The part of Lambda's context object the handlers use. */
export interface LambdaContext {
  awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/**
 * A Lambda entry point whose dependencies (clients, caches, its Logger and Metrics) are built once per container, on
 * the first invocation. A failure to build them (a missing environment variable) is logged as one error line and
 * thrown, so Lambda retries.
 */
export function lambdaEntry<Deps, Result>(
  service: ServiceName,
  build: (telemetry: Telemetry) => Deps,
  work: (event: unknown, deps: Deps, context?: LambdaContext) => Promise<Result>,
): (event: unknown, context?: LambdaContext) => Promise<Result> {
  let deps: Deps | undefined;
  let telemetry: Telemetry | undefined;
  return async (event, context) => {
    if (deps === undefined) {
      telemetry ??= powertoolsTelemetry(service);
      try {
        deps = build(telemetry);
      } catch (error) {
        telemetry.failure(error);
        throw error;
      }
    }
    return work(event, deps, context);
  };
}
