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
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly bootstrapPath: string,
    private readonly logs: Writable,
  ) {}

  async invoke(spec: ContainerSpec, event: unknown, requestId: string = randomUUID()): Promise<InvocationOutcome> {
    await this.acquire();
    try {
      return await this.runIn(this.container(spec), spec, event, requestId);
    } finally {
      this.release();
    }
  }

  /** Containers alive now (warm or busy). */
  size(): number {
    return this.all.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((container) => container.worker.terminate()));
    this.all.clear();
    this.idle.clear();
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private container(spec: ContainerSpec): Container {
    const warm = this.idle.get(spec.functionName)?.pop();
    if (warm) return warm;
    const worker = new Worker(this.bootstrapPath, {
      workerData: { bundle: spec.bundle, exportName: spec.exportName },
      env: spec.env,
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
    worker.on('error', (error) => die('Runtime.ExitError', error.message));
    worker.on('exit', (code) => die('Runtime.ExitError', `the container exited with code ${code}`));
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
      container.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
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
