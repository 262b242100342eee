import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaRunner } from '../../../../local/lambda/runner.js';
import { loadService } from '../../../../local/lambda/service.js';

// Runs the fixture service's handlers in real worker_threads "containers" (no sockets: the endpoint is never called).
const fixture = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'lambda-service');
const region = 'eu-west-1';
const accountId = '111122223333';
const arn = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;

describe('LambdaRunner', () => {
  const sent: { queue: string; body: Record<string, unknown> }[] = [];
  let cacheDir: string;
  let runner: LambdaRunner;
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

  beforeAll(() => {
    process.env.JITR_FIXTURE_PARENT_ONLY = 'must not leak';
    cacheDir = mkdtempSync(join(tmpdir(), 'jitr-lambda-'));
    const service = loadService(fixture, {
      region,
      accountId,
      queueUrl: (name) => `http://127.0.0.1:1/${accountId}/${name}`,
    });
    runner = new LambdaRunner({
      service,
      cacheDir,
      endpoint: 'http://127.0.0.1:1',
      concurrency: 2,
      retryDelaysMs: [5, 10],
      logs: silent,
      sendToQueue: (queue, body) => {
        sent.push({ queue, body: JSON.parse(body) });
        return true;
      },
    });
  });

  afterAll(async () => {
    await runner.stop();
    delete process.env.JITR_FIXTURE_PARENT_ONLY;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('runs a handler with the function environment pointed at the emulator, not the parent environment', async () => {
    const outcome = await runner.invoke(arn('fixture-dev-echo'), { hello: 1 });
    expect(outcome.ok).toBe(true);
    const result = outcome.ok ? (outcome.result as Record<string, Record<string, unknown>>) : {};
    expect(result.event).toEqual({ hello: 1 });
    expect(result.env).toMatchObject({
      GREETING: 'hello from fixture',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: region,
      DLQ_URL: `http://127.0.0.1:1/${accountId}/fixture-dev-failures`,
    });
    expect(result.env?.HOME_LEAKED).toBeUndefined();
  });

  it('starts a container as a bare Node that yields the CPU to the emulator (no loader flags; nice 10 on Linux)', async () => {
    const outcome = await runner.invoke('fixture-dev-echo', {});
    const result = outcome.ok ? (outcome.result as { nice?: number; execArgv: string[] }) : undefined;
    expect(result?.execArgv).toEqual([]);
    if (process.platform === 'linux') expect(result?.nice).toBe(10);
  });

  it('initialises the module once per container and reuses warm containers', async () => {
    const first = await runner.invoke('fixture-dev-echo', {});
    const second = await runner.invoke('fixture-dev-echo', {});
    const [a, b] = [first, second].map((o) =>
      o.ok ? (o.result as { threadId: number; initialisations: number }) : undefined,
    );
    expect(b?.threadId).toBe(a?.threadId);
    expect(b?.initialisations).toBe(1);
  });

  it('never runs more invocations at once than the concurrency bound', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => runner.invoke('fixture-dev-echo', { waitMs: 30 })),
    );
    const threads = new Set(outcomes.map((o) => (o.ok ? (o.result as { threadId: number }).threadId : -1)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(threads.size).toBeLessThanOrEqual(2);
  });

  it('supports callback-style handlers', async () => {
    const outcome = await runner.invoke('fixture-dev-callback', { x: 1 });
    expect(outcome).toMatchObject({ ok: true, result: { viaCallback: { x: 1 } } });
  });

  it('retries a failing asynchronous invocation twice, then sends it to the on-failure destination', async () => {
    const accepted = runner.invokeAsync(arn('fixture-dev-fail'), { reason: 'bad tenant' });
    expect(accepted.accepted).toBe(true);
    await runner.idle();
    const attempts = runner.invocations().filter((record) => record.functionName === 'fixture-dev-fail');
    expect(attempts.map((record) => record.attempt)).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((record) => record.requestId)).size).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.queue).toBe('fixture-dev-failures');
    expect(sent[0]?.body).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { reason: 'bad tenant' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'refused: bad tenant' },
    });
  });

  it('refuses an asynchronous invocation of a function the service does not have', () => {
    expect(runner.invokeAsync(arn('fixture-dev-nope'), {})).toEqual({ accepted: false, code: 'FUNCTION_NOT_FOUND' });
    expect(runner.invokeAsync(`arn:aws:lambda:us-west-2:${accountId}:function:fixture-dev-echo`, {}).accepted).toBe(
      false,
    );
  });

  it('times out a handler that runs past its timeout', async () => {
    const outcome = await runner.invoke('fixture-dev-slow', {});
    expect(outcome).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
  });
});

describe('LambdaRunner when a function cannot start', () => {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const service = () =>
    loadService(fixture, { region, accountId, queueUrl: (name) => `http://127.0.0.1:1/${accountId}/${name}` });

  it('says once, with the cause, that a function whose module fails to load cannot start', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'jitr-lambda-broken-'));
    const lines: Record<string, unknown>[] = [];
    const runner = new LambdaRunner({
      service: service(),
      cacheDir,
      endpoint: 'http://127.0.0.1:1',
      logs: silent,
      log: (line) => lines.push(line),
      sendToQueue: () => true,
    });
    try {
      const first = await runner.invoke('fixture-dev-broken', {});
      const second = await runner.invoke('fixture-dev-broken', {});
      expect(first).toMatchObject({ ok: false, error: { errorMessage: 'BROKEN_FIXTURE: the module cannot load' } });
      expect(second.ok).toBe(false);
      const reports = lines.filter((line) => line.event === 'lambda-start-failed');
      expect(reports).toEqual([
        {
          event: 'lambda-start-failed',
          code: 'Error',
          functionName: 'fixture-dev-broken',
          message: 'the Lambda fixture-dev-broken cannot start: BROKEN_FIXTURE: the module cannot load',
        },
      ]);
      expect(lines.filter((line) => line.event === 'lambda-error')).toHaveLength(2);
    } finally {
      await runner.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  // `jitr local start --state .jitr/state.json` puts the containers' bootstrap under a relative directory; a Worker
  // refuses a relative path without `./` (ERR_WORKER_PATH), which once left every function unable to start.
  it('starts functions from a cache directory given as a relative path', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'jitr-lambda-relative-'));
    const lines: Record<string, unknown>[] = [];
    const runner = new LambdaRunner({
      service: service(),
      cacheDir: relative(process.cwd(), cacheDir),
      endpoint: 'http://127.0.0.1:1',
      logs: silent,
      log: (line) => lines.push(line),
      sendToQueue: () => true,
    });
    try {
      const outcome = await runner.invoke('fixture-dev-echo', { relative: true });
      expect(outcome.ok ? undefined : outcome.error).toBeUndefined();
      expect(lines).toEqual([]);
    } finally {
      await runner.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('LambdaRunner with an ES module bundle', () => {
  it('bundles format esm, honours an explicit function name and runs top-level await once', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'jitr-lambda-esm-'));
    const service = loadService(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'lambda-service-esm'), {
      region,
      accountId,
      queueUrl: (name) => name,
    });
    const runner = new LambdaRunner({
      service,
      cacheDir,
      endpoint: 'http://127.0.0.1:1',
      logs: new Writable({ write: (_chunk, _encoding, done) => done() }),
      sendToQueue: () => false,
    });
    try {
      const outcome = await runner.invoke(arn('custom-hello'), { name: 'esm' });
      expect(outcome).toMatchObject({ ok: true, result: { greeting: 'hello esm', initialisedBeforeCall: true } });
      expect(runner.resolve(arn('esm-fixture-dev-hello'))).toBeUndefined();
    } finally {
      await runner.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('LambdaRunner.stop', () => {
  it('drops queued and retrying asynchronous invocations, says how many, and runs, retries or dead-letters none', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'jitr-lambda-stop-'));
    const sent: string[] = [];
    const lines: { event: string; dropped?: unknown }[] = [];
    const runner = new LambdaRunner({
      service: loadService(fixture, {
        region,
        accountId,
        queueUrl: (name) => `http://127.0.0.1:1/${accountId}/${name}`,
      }),
      cacheDir,
      endpoint: 'http://127.0.0.1:1',
      concurrency: 1,
      retryDelaysMs: [60_000, 60_000],
      logs: new Writable({ write: (_chunk, _encoding, done) => done() }),
      sendToQueue: (queue) => {
        sent.push(queue);
        return true;
      },
      log: (line) => lines.push(line),
    });
    try {
      // One failing invocation first: it fails once, then waits a minute for its retry.
      runner.invokeAsync('fixture-dev-fail', {});
      while (runner.invocations().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 5; i++) runner.invokeAsync('fixture-dev-echo', { waitMs: 50 });

      const { dropped } = await runner.stop();
      await runner.idle();

      const echoes = runner.invocations().filter((record) => record.functionName === 'fixture-dev-echo');
      expect(dropped + echoes.length).toBe(6);
      expect(dropped).toBeGreaterThanOrEqual(2);
      expect(runner.invocations().filter((record) => record.functionName === 'fixture-dev-fail')).toHaveLength(1);
      expect(sent).toEqual([]);
      expect(runner.warmContainers()).toBe(0);
      expect(lines).toContainEqual(expect.objectContaining({ event: 'lambda-stopped', dropped }));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
