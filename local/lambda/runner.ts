import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleFunction, splitHandler } from './bundle.js';
import { CANCELLED, ContainerPool, type ContainerSpec, type FunctionError, type InvocationOutcome } from './pool.js';
import type { LocalFunction, LocalService } from './service.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface LambdaRunnerOptions {
  service: LocalService;
  /** The container bootstrap goes here, and the bundles unless `bundleCacheDir` is given (under `.jitr/`). */
  cacheDir: string;
  /** Bundles, reused across runs while their inputs are unchanged (default: `cacheDir`). */
  bundleCacheDir?: string;
  /** The control plane URL handlers reach through AWS_ENDPOINT_URL. */
  endpoint: string;
  /** Bound on invocations running at once (`--concurrency`, default 10). */
  concurrency?: number;
  /** Waits before the two retries of a failed asynchronous invocation (AWS: about 1 and 2 minutes). */
  retryDelaysMs?: number[];
  /** Delivers an on-failure record to a local SQS queue; false when the queue does not exist. */
  sendToQueue: (queueName: string, body: string) => boolean;
  /** Called once before the first invocation (creates the service's queues locally). */
  prepare?: () => void;
  /** Handler console output (CloudWatch Logs in AWS). */
  logs?: Writable;
  /** The credentials of the function's execution role, as Lambda hands them to its containers (IAM in the emulator). */
  credentialsFor?: (fn: LocalFunction) => { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  log?: (line: { event: string; code?: string; [field: string]: unknown }) => void;
}

export interface InvocationRecord {
  functionName: string;
  requestId: string;
  attempt: number;
  ok: boolean;
  errorType?: string;
  errorMessage?: string;
}

export type AsyncInvokeResult = { accepted: true; requestId: string } | { accepted: false; code: 'FUNCTION_NOT_FOUND' };

const ARN = /^arn:aws:lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;

/**
 * Runs serverless.yml's handlers locally the way Lambda does: bundled, in warm containers with the function's
 * environment pointed at the emulator; asynchronous invocations retried after function errors and then sent to the
 * on-failure destination.
 */
export class LambdaRunner {
  private readonly pool: ContainerPool;
  private readonly bundles = new Map<string, Promise<string>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly history: InvocationRecord[] = [];
  private readonly options: Required<
    Omit<LambdaRunnerOptions, 'log' | 'prepare' | 'bundleCacheDir' | 'credentialsFor'>
  > &
    Pick<LambdaRunnerOptions, 'log' | 'prepare' | 'bundleCacheDir' | 'credentialsFor'>;
  private prepared = false;
  /** Set by stop(): queued invocations and pending retries are dropped, never run, retried or dead-lettered. */
  private readonly stopping = new AbortController();
  private dropped = 0;
  /** The last start failure reported per function, so each cause is reported once. */
  private readonly startFailures = new Map<string, string>();

  constructor(options: LambdaRunnerOptions) {
    this.options = {
      concurrency: 10,
      retryDelaysMs: [1000, 2000],
      logs: process.stderr,
      ...options,
      // Absolute, whatever the caller gave (e.g. under `--state .jitr/x`): a Worker takes a relative path only with a
      // `./` prefix (ERR_WORKER_PATH), and esbuild writes relative to the service directory, not the working directory.
      cacheDir: resolve(options.cacheDir),
      ...(options.bundleCacheDir !== undefined ? { bundleCacheDir: resolve(options.bundleCacheDir) } : {}),
    };
    mkdirSync(this.options.cacheDir, { recursive: true });
    const bootstrap = join(this.options.cacheDir, 'bootstrap.cjs');
    writeFileSync(bootstrap, WORKER_SOURCE);
    this.pool = new ContainerPool(this.options.concurrency, bootstrap, this.options.logs);
  }

  /** The serverless.yml function an ARN (or bare name) designates, if it is one of this service's. */
  resolve(reference: string): LocalFunction | undefined {
    const match = ARN.exec(reference);
    if (match) {
      const [, region, accountId, name] = match;
      if (region !== this.options.service.region || accountId !== this.options.service.accountId) return undefined;
      return this.options.service.functions.get(name ?? '');
    }
    return this.options.service.functions.get(reference);
  }

  /** Synchronous (RequestResponse) invocation: no retries. */
  async invoke(reference: string, event: unknown): Promise<InvocationOutcome> {
    const fn = this.resolve(reference);
    if (!fn) {
      return {
        ok: false,
        requestId: randomUUID(),
        error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${reference}`, trace: [] },
      };
    }
    return this.attempt(fn, event, 1, randomUUID());
  }

  /** Event (asynchronous) invocation: accepted at once, retried, then dead-lettered to the on-failure destination. */
  invokeAsync(reference: string, event: unknown): AsyncInvokeResult {
    const fn = this.resolve(reference);
    if (!fn) return { accepted: false, code: 'FUNCTION_NOT_FOUND' };
    const requestId = randomUUID();
    const run = this.runAsync(fn, event, requestId).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return { accepted: true, requestId };
  }

  /** Resolves when every accepted asynchronous invocation has finished (retries and destinations included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  invocations(): readonly InvocationRecord[] {
    return this.history;
  }

  warmContainers(): number {
    return this.pool.size();
  }

  /** Invocations that ran in a container and their summed duration, per function (retries count as invocations). */
  usage(): Record<string, { invocations: number; durationMs: number }> {
    return this.pool.usage();
  }

  /**
   * Stops the containers and drops every asynchronous invocation not finished yet (queued, running, or waiting for a
   * retry): nothing more runs, retries or reaches a destination. Resolves with how many it dropped.
   */
  async stop(): Promise<{ dropped: number }> {
    if (!this.stopping.signal.aborted) {
      this.stopping.abort();
      await this.pool.close();
      await Promise.allSettled([...this.inFlight]);
      this.options.log?.({ event: 'lambda-stopped', code: 'INVOCATIONS_DROPPED', dropped: this.dropped });
    }
    return { dropped: this.dropped };
  }

  private async runAsync(fn: LocalFunction, event: unknown, requestId: string): Promise<void> {
    const attempts = 1 + fn.maximumRetryAttempts;
    let last: InvocationOutcome | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        const delay = this.options.retryDelaysMs[attempt - 2] ?? this.options.retryDelaysMs.at(-1) ?? 0;
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => {});
      }
      if (this.stopping.signal.aborted) {
        this.dropped++;
        return;
      }
      last = await this.attempt(fn, event, attempt, requestId);
      if (last.ok) return;
      if (last.error.errorType === CANCELLED) {
        this.dropped++;
        return;
      }
    }
    if (!last || last.ok) return;
    this.options.log?.({
      event: 'lambda-retries-exhausted',
      code: 'RETRIES_EXHAUSTED',
      functionName: fn.name,
      requestId,
    });
    if (!fn.onFailureQueue) return;
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `${fn.arn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: last.error,
    };
    if (!this.options.sendToQueue(fn.onFailureQueue, JSON.stringify(record))) {
      this.options.log?.({
        event: 'lambda-destination-missing',
        code: 'DESTINATION_NOT_FOUND',
        queue: fn.onFailureQueue,
      });
    }
  }

  /** One run in a container; retries of an asynchronous invocation keep its request id, as in Lambda. */
  private async attempt(
    fn: LocalFunction,
    event: unknown,
    attempt: number,
    requestId: string,
  ): Promise<InvocationOutcome> {
    let outcome: InvocationOutcome;
    if (!this.prepared) {
      this.prepared = true;
      this.options.prepare?.();
    }
    try {
      const spec = await this.spec(fn);
      outcome = await this.pool.invoke(spec, event, requestId);
    } catch (error) {
      // No container: the bundle failed to build, or the worker could not be made (e.g. ERR_WORKER_PATH).
      const e = error as Error & { code?: string };
      outcome = {
        ok: false,
        requestId,
        error: { errorType: e.code ?? 'Runtime.Error', errorMessage: e.message, trace: [], phase: 'init' },
      };
    }
    // A dropped invocation never ran: no record, no error line (stop() reports how many).
    if (!outcome.ok && outcome.error.errorType === CANCELLED) return outcome;
    const record: InvocationRecord = { functionName: fn.name, requestId: outcome.requestId, attempt, ok: outcome.ok };
    if (!outcome.ok) {
      if (outcome.error.phase === 'init') this.reportStartFailure(fn, outcome.error);
      record.errorType = outcome.error.errorType;
      record.errorMessage = outcome.error.errorMessage;
      this.options.log?.({ event: 'lambda-error', code: outcome.error.errorType, functionName: fn.name, attempt });
    }
    this.history.push(record);
    if (this.history.length > 1000) this.history.shift();
    return outcome;
  }

  /**
   * A function that cannot start fails every invocation the same way: say so, with the cause, on its first failure
   * (and again only when the cause changes), rather than leave a retry loop of bare `lambda-error` lines.
   */
  private reportStartFailure(fn: LocalFunction, error: FunctionError): void {
    const cause = `${error.errorType}: ${error.errorMessage}`;
    if (this.startFailures.get(fn.name) === cause) return;
    this.startFailures.set(fn.name, cause);
    this.options.log?.({
      event: 'lambda-start-failed',
      code: error.errorType,
      functionName: fn.name,
      message: `the Lambda ${fn.name} cannot start: ${error.errorMessage}`,
    });
  }

  private async spec(fn: LocalFunction): Promise<ContainerSpec> {
    let bundle = this.bundles.get(fn.name);
    if (!bundle) {
      bundle = bundleFunction(this.options.service, fn, this.options.bundleCacheDir ?? this.options.cacheDir);
      this.bundles.set(fn.name, bundle);
      // A failed build is retried on the next invocation (the source may have been fixed).
      bundle.catch(() => this.bundles.delete(fn.name));
    }
    const { service, endpoint } = this.options;
    // Without IAM, the emulator accepts any key; these keep the SDK's chain from looking elsewhere.
    const credentials = this.options.credentialsFor?.(fn) ?? {
      accessKeyId: 'AKIALOCALEMULATOR',
      secretAccessKey: 'local-emulator-secret',
      sessionToken: 'local',
    };
    return {
      functionName: fn.name,
      functionArn: fn.arn,
      bundle: await bundle,
      exportName: splitHandler(fn.handler).exportName,
      timeoutMs: fn.timeoutSeconds * 1000,
      memorySize: fn.memorySize,
      env: {
        ...fn.environment,
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        AWS_REGION: service.region,
        AWS_DEFAULT_REGION: service.region,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: service.directory,
      },
    };
  }
}
