import { errorLine, stdoutEmitter } from './telemetry.js';

/** The part of Lambda's context object the handlers use. */
export interface LambdaContext {
  awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/**
 * A Lambda entry point whose dependencies (clients, caches) are built once per container, on the first invocation.
 * A failure to build them (a missing environment variable) is logged as one error line and thrown, so Lambda retries.
 */
export function lambdaEntry<Deps, Result>(
  service: 'onboard' | 'reconcile' | 'vend',
  build: () => Deps,
  work: (event: unknown, deps: Deps, context?: LambdaContext) => Promise<Result>,
): (event: unknown, context?: LambdaContext) => Promise<Result> {
  let deps: Deps | undefined;
  return async (event, context) => {
    if (deps === undefined) {
      try {
        deps = build();
      } catch (error) {
        stdoutEmitter(errorLine(service, error, {}));
        throw error;
      }
    }
    return work(event, deps, context);
  };
}
