import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';

/** The outcome of one invocation, shaped like Lambda's: a result, or a function error with type and message. */
export type InvocationOutcome =
  { ok: true; result: unknown; requestId: string } | { ok: false; requestId: string; error: FunctionError };

/** `phase: 'init'`: the function never started (its module failed to load, or its container could not be made). */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace: string[];
  phase?: 'init';
}

export interface ContainerSpec {
  functionName: string;
  bundle: string;
  exportName: string;
  env: Record<string, string>;
  timeoutMs: number;
  memorySize: number;
  functionArn: string;
}

/** The error type of an invocation the pool dropped because it was closing (queued, or running when it closed). */
export const CANCELLED = 'Runtime.Cancelled';

const cancelled = (requestId: string): InvocationOutcome => ({
  ok: false,
  requestId,
  error: { errorType: CANCELLED, errorMessage: 'the Lambda runner stopped before this invocation ran', trace: [] },
});

interface Container {
  worker: Worker;
  /** Set once an invocation got an answer from the loaded module: a crash before that is a failure to start. */
  served?: boolean;
  pending?: { id: string; settle: (outcome: InvocationOutcome) => void };
}

/**
 * Warm "containers" (worker_threads Workers with their own env) per function, and a semaphore bounding how many
 * invocations run at once across all functions, like an account's reserved concurrency.
 */
export class ContainerPool {
  private readonly idle = new Map<string, Container[]>();
  private readonly all = new Set<Container>();
  /** Per function: invocations that ran in a container, and their summed duration (what Lambda bills). */
  private readonly ran = new Map<string, { invocations: number; durationMs: number }>();
  private running = 0;
  private readonly waiting: ((admitted: boolean) => void)[] = [];
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly bootstrapPath: string,
    private readonly logs: Writable,
  ) {}

  async invoke(spec: ContainerSpec, event: unknown, requestId: string = randomUUID()): Promise<InvocationOutcome> {
    if (this.closed || !(await this.acquire())) return cancelled(requestId);
    try {
      if (this.closed) return cancelled(requestId);
      return await this.runIn(this.container(spec), spec, event, requestId);
    } finally {
      this.release();
    }
  }

  /** Invocations run so far and their total duration, per function name. */
  usage(): Record<string, { invocations: number; durationMs: number }> {
    return Object.fromEntries([...this.ran].map(([name, usage]) => [name, { ...usage }]));
  }

  /** Containers alive now (warm or busy). */
  size(): number {
    return this.all.size;
  }

  /**
   * Stops every container and answers every queued invocation as cancelled (never started); an invocation running
   * when its container is stopped is answered as cancelled too. Resolves with how many were queued.
   */
  async close(): Promise<number> {
    this.closed = true;
    const queued = this.waiting.splice(0);
    for (const admit of queued) admit(false);
    await Promise.all([...this.all].map((container) => container.worker.terminate()));
    this.all.clear();
    this.idle.clear();
    return queued.length;
  }

  private acquire(): Promise<boolean> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) next(true);
    else this.running--;
  }

  private container(spec: ContainerSpec): Container {
    const warm = this.idle.get(spec.functionName)?.pop();
    if (warm) return warm;
    const worker = new Worker(this.bootstrapPath, {
      workerData: { bundle: spec.bundle, exportName: spec.exportName },
      env: spec.env,
      // A Lambda container starts a bare Node: none of the emulator's own loader flags (tsx's `--import` when it runs from
      // source), which would otherwise hook every require() of the bundle in every container.
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    const prefix = `[${spec.functionName}] `;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.logs.write(`${prefix}${line}\n`);
    };
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    const container: Container = { worker };
    worker.on('message', (message: { id: string } & Record<string, unknown>) => {
      const pending = container.pending;
      if (!pending || pending.id !== message.id) return;
      container.pending = undefined;
      container.served = true;
      pending.settle(
        message.ok
          ? { ok: true, result: message.result, requestId: pending.id }
          : { ok: false, requestId: pending.id, error: message.error as never },
      );
    });
    const die = (errorType: string, errorMessage: string) => {
      this.discard(container, spec.functionName);
      const pending = container.pending;
      container.pending = undefined;
      const error: FunctionError = {
        errorType,
        errorMessage,
        trace: [],
        ...(container.served ? {} : { phase: 'init' }),
      };
      pending?.settle({ ok: false, requestId: pending.id, error });
    };
    worker.on('error', (error) => die(this.closed ? CANCELLED : 'Runtime.ExitError', error.message));
    worker.on('exit', (code) =>
      die(this.closed ? CANCELLED : 'Runtime.ExitError', `the container exited with code ${code}`),
    );
    this.all.add(container);
    return container;
  }

  private runIn(container: Container, spec: ContainerSpec, event: unknown, id: string): Promise<InvocationOutcome> {
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // A timed-out container is not reused (AWS restarts the runtime).
        container.pending = undefined;
        this.discard(container, spec.functionName);
        void container.worker.terminate();
        resolve({
          ok: false,
          requestId: id,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${spec.timeoutMs / 1000} seconds`,
            trace: [],
          },
        });
      }, spec.timeoutMs);
      const started = performance.now();
      container.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          const usage = this.ran.get(spec.functionName) ?? { invocations: 0, durationMs: 0 };
          usage.invocations++;
          usage.durationMs += performance.now() - started;
          this.ran.set(spec.functionName, usage);
          if (this.all.has(container) && !this.closed) {
            const list = this.idle.get(spec.functionName) ?? [];
            list.push(container);
            this.idle.set(spec.functionName, list);
          }
          resolve(outcome);
        },
      };
      const context = {
        awsRequestId: id,
        functionName: spec.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: spec.functionArn,
        memoryLimitInMB: String(spec.memorySize),
        logGroupName: `/aws/lambda/${spec.functionName}`,
        logStreamName: `local/${spec.functionName}`,
      };
      container.worker.postMessage({ id, event, context, timeoutMs: spec.timeoutMs });
    });
  }

  private discard(container: Container, functionName: string): void {
    this.all.delete(container);
    const list = this.idle.get(functionName);
    if (list)
      this.idle.set(
        functionName,
        list.filter((c) => c !== container),
      );
  }
}
