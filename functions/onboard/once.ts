import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';

/**
 * One handling per registration across every container: Powertools Idempotency with its DynamoDB persistence layer.
 * The first invocation for a key writes an INPROGRESS record (conditional PutItem), does the work and stores its
 * result as COMPLETED; every other invocation for that key is told so without running the work, whichever container
 * it lands in. A failed run deletes its record (Powertools does), so Lambda's retry runs it again; a container that
 * dies mid-run leaves an INPROGRESS record that expires with the invocation's deadline (registerLambdaContext).
 */
export type GuardedRun<R> = { ran: true; result: R } | { ran: false; state: 'in-progress' | 'completed' };

/** What the guard needs from the Lambda context (the remaining time bounds an in-progress record). */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface RegistrationGuard {
  /** Runs `work` unless another invocation has the key or finished it; results `remember` refuses are not stored. */
  run<R>(
    key: string,
    work: () => Promise<R>,
    remember: (result: R) => boolean,
    context?: InvocationContext,
  ): Promise<GuardedRun<R>>;
}

/** Carries a result that must not be remembered out of the idempotent function (Powertools deletes the record). */
class NotRemembered extends Error {
  constructor(readonly result: unknown) {
    super('result not remembered');
    this.name = 'NotRemembered';
  }
}

interface Call {
  ran: boolean;
  work: () => Promise<unknown>;
  remember: (result: unknown) => boolean;
}

/**
 * Kept for 6 hours, the onboard function's maximumEventAge: Lambda drops an older event before it runs, so a record
 * never needs to outlive that.
 */
export const REGISTRATION_RECORD_TTL_S = 6 * 3600;

/** serverless.yml's `provider.timeout` (30 s): how long an invocation without a Lambda context may hold a key. */
const FUNCTION_TIMEOUT_MS = 30_000;

function untimedInvocation(): InvocationContext {
  const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
  return { getRemainingTimeInMillis: () => Math.max(1, deadline - Date.now()) };
}

export function registrationGuard(options: {
  tableName: string;
  client: DynamoDBClient;
  expiresAfterSeconds?: number;
}): RegistrationGuard {
  const config = new IdempotencyConfig({
    expiresAfterSeconds: options.expiresAfterSeconds ?? REGISTRATION_RECORD_TTL_S,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  });
  const once = makeIdempotent(
    async (_key: { registration: string }, call: Call) => {
      call.ran = true;
      const result = await call.work();
      if (!call.remember(result)) throw new NotRemembered(result);
      return result;
    },
    { persistenceStore, config },
  );
  return {
    async run<R>(
      key: string,
      work: () => Promise<R>,
      remember: (result: R) => boolean,
      context?: InvocationContext,
    ): Promise<GuardedRun<R>> {
      // Without a Lambda context (a test or tool calling the handler directly) the in-progress record is bounded by the
      // function's timeout, as Lambda would bound it; Powertools would otherwise warn and leave it unbounded.
      config.registerLambdaContext((context ?? untimedInvocation()) as never);
      const call: Call = { ran: false, work, remember: remember as (result: unknown) => boolean };
      try {
        const result = (await once({ registration: key }, call)) as R;
        return call.ran ? { ran: true, result } : { ran: false, state: 'completed' };
      } catch (error) {
        if (error instanceof NotRemembered) return { ran: true, result: error.result as R };
        if ((error as Error)?.name === 'IdempotencyAlreadyInProgressError') return { ran: false, state: 'in-progress' };
        throw error;
      }
    },
  };
}
