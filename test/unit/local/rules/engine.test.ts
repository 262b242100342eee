// republish substitution templates are literal ${...} text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LambdaRunner } from '../../../../local/lambda/runner.js';
import { loadService } from '../../../../local/lambda/service.js';
import { RulesEngine } from '../../../../local/rules/engine.js';
import type { TopicRuleAction, TopicRuleRecord } from '../../../../local/state/model.js';
import { RegistryStore } from '../../../../local/state/store.js';

// The engine against a real store and the real Lambda runner on the fixture service (worker threads, no sockets).
const region = 'eu-west-1';
const accountId = '111122223333';
const fixture = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'lambda-service');
const functionArn = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
const queueUrl = (name: string) => `http://127.0.0.1:1/${accountId}/${name}`;

function rule(name: string, sql: string, actions: TopicRuleAction[], errorAction?: TopicRuleAction): TopicRuleRecord {
  return {
    ruleName: name,
    ruleArn: `arn:aws:iot:${region}:${accountId}:rule/${name}`,
    sql,
    ruleDisabled: false,
    actions,
    ...(errorAction ? { errorAction } : {}),
    createdAt: 0,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('RulesEngine', () => {
  let cacheDir: string;
  let runner: LambdaRunner;
  let store: RegistryStore;
  let engine: RulesEngine;
  let published: { topic: string; payload: string }[];

  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'jitr-rules-'));
    const service = loadService(fixture, { region, accountId, queueUrl });
    runner = new LambdaRunner({
      service,
      cacheDir,
      endpoint: 'http://127.0.0.1:1',
      retryDelaysMs: [1, 1],
      logs: new Writable({ write: (_c, _e, done) => done() }),
      sendToQueue: (name, body) => store.queues.send(name, body, Date.now()) !== undefined,
    });
  });

  afterAll(async () => {
    await runner.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    store = new RegistryStore({ region, accountId });
    store.queues.create('errors', {}, 0);
    store.queues.create('fixture-dev-failures', {}, 0);
    published = [];
    engine?.stop();
    engine = new RulesEngine({
      store,
      lambda: runner,
      publish: async (topic, payload) => {
        published.push({ topic, payload: payload.toString() });
      },
    });
  });

  it('runs the actions of a matching rule, including on $aws registration events', async () => {
    store.putTopicRule(
      rule('onboard', "SELECT * FROM '$aws/events/certificates/registered/+'", [
        { lambda: { functionArn: functionArn('fixture-dev-echo') } },
        { republish: { topic: 'copy/${topic(5)}' } },
      ]),
    );
    engine.handle({ topic: '$aws/events/certificates/registered/ca1', payload: json({ certificateId: 'c1' }) });
    await runner.idle();
    expect(published).toEqual([{ topic: 'copy/ca1', payload: '{"certificateId":"c1"}' }]);
    expect(runner.invocations().some((record) => record.functionName === 'fixture-dev-echo' && record.ok)).toBe(true);
  });

  it('re-reads rules when they change and skips disabled rules', () => {
    store.putTopicRule(rule('r', "SELECT * FROM 'a'", [{ republish: { topic: 'out' } }]));
    engine.handle({ topic: 'b', payload: json({}) });
    store.putTopicRule(rule('r', "SELECT * FROM 'b'", [{ republish: { topic: 'out' } }]));
    engine.handle({ topic: 'b', payload: json({}) });
    store.putTopicRule({ ...rule('r', "SELECT * FROM 'b'", [{ republish: { topic: 'out' } }]), ruleDisabled: true });
    engine.handle({ topic: 'b', payload: json({}) });
    store.deleteTopicRule('r');
    engine.handle({ topic: 'b', payload: json({}) });
    expect(published).toHaveLength(1);
  });

  it('fires the errorAction, in the AWS error message format, only when an action cannot run', () => {
    store.putTopicRule(
      rule('missing', "SELECT * FROM 'dt/+'", [{ lambda: { functionArn: functionArn('fixture-dev-absent') } }], {
        sqs: { queueUrl: queueUrl('errors') },
      }),
    );
    engine.handle({ topic: 'dt/1', payload: json({ n: 1 }), clientId: 'dev1' });
    const [message] = store.queues.receive('errors', 10, Date.now());
    expect(JSON.parse(message?.body ?? '{}')).toMatchObject({
      ruleName: 'missing',
      topic: 'dt/1',
      clientId: 'dev1',
      base64OriginalPayload: json({ n: 1 }).toString('base64'),
      failures: [{ failedAction: 'LambdaAction', failedResource: functionArn('fixture-dev-absent') }],
    });
    expect(engine.errors().map((error) => error.code)).toEqual(['FUNCTION_NOT_FOUND']);
  });

  it('sends a function error to the on-failure destination after retries, not to the errorAction', async () => {
    store.putTopicRule(
      rule('failing', "SELECT * FROM 'dt/+'", [{ lambda: { functionArn: functionArn('fixture-dev-fail') } }], {
        sqs: { queueUrl: queueUrl('errors') },
      }),
    );
    engine.handle({ topic: 'dt/1', payload: json({ reason: 'x' }) });
    await runner.idle();
    expect(store.queues.receive('errors', 10, Date.now())).toHaveLength(0);
    const [dead] = store.queues.receive('fixture-dev-failures', 10, Date.now());
    expect(JSON.parse(dead?.body ?? '{}').requestPayload).toEqual({ reason: 'x' });
  });

  it('reports a rule whose SQL it cannot evaluate, with a code, and an action it does not support', () => {
    store.putTopicRule(rule('bad', "SELECT upper(a) FROM 'x'", [{ republish: { topic: 'out' } }]));
    store.putTopicRule(rule('dynamo', "SELECT * FROM 'x'", [{ dynamoDB: { tableName: 't' } }]));
    engine.handle({ topic: 'x', payload: json({ a: 'b' }) });
    expect(engine.errors().map((error) => [error.ruleName, error.code])).toEqual([
      ['bad', 'SQL_UNSUPPORTED'],
      ['dynamo', 'UNSUPPORTED_ACTION'],
    ]);
    expect(published).toHaveLength(0);
  });

  it('writes matching messages to an SQS action queue, base64 when asked', () => {
    store.putTopicRule(
      rule('toQueue', "SELECT * FROM 'q' WHERE kind = 'a'", [
        { sqs: { queueUrl: queueUrl('errors'), useBase64: true } },
      ]),
    );
    engine.handle({ topic: 'q', payload: json({ kind: 'b' }) });
    engine.handle({ topic: 'q', payload: json({ kind: 'a' }) });
    const messages = store.queues.receive('errors', 10, Date.now());
    expect(messages.map((m) => Buffer.from(m.body, 'base64').toString())).toEqual(['{"kind":"a"}']);
  });

  describe('with IAM (an authorizer for rule actions)', () => {
    /** The authorizer's promises settle in microtasks: one macrotask later they all have. */
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    const denyLambda = async (_rule: TopicRuleRecord, action: TopicRuleAction) =>
      action.lambda ? 'AWS IoT is not allowed to invoke it' : undefined;

    it('fails a refused action, which fires the errorAction with the denial as the failure', async () => {
      engine.stop();
      engine = new RulesEngine({ store, lambda: runner, publish: async () => {}, authorize: denyLambda });
      store.putTopicRule(
        rule('refused', "SELECT * FROM 'iam/+'", [{ lambda: { functionArn: functionArn('fixture-dev-echo') } }], {
          sqs: { queueUrl: queueUrl('errors') },
        }),
      );

      engine.handle({ topic: 'iam/1', payload: json({ n: 1 }) });
      await settled();

      const [message] = store.queues.receive('errors', 10, Date.now());
      expect(JSON.parse(message?.body ?? '{}')).toMatchObject({
        ruleName: 'refused',
        failures: [{ failedAction: 'LambdaAction', errorMessage: 'AWS IoT is not allowed to invoke it' }],
      });
      expect(engine.errors().map((error) => error.code)).toEqual(['ACCESS_DENIED']);
    });

    it('sends nothing when the errorAction itself is refused (its role may not send to the queue)', async () => {
      engine.stop();
      engine = new RulesEngine({
        store,
        lambda: runner,
        publish: async () => {},
        authorize: async (_rule, action) => (action.sqs ? 'not authorized to perform: sqs:SendMessage' : 'no invoke'),
      });
      store.putTopicRule(
        rule('both', "SELECT * FROM 'iam/+'", [{ lambda: { functionArn: functionArn('fixture-dev-echo') } }], {
          sqs: { queueUrl: queueUrl('errors'), roleArn: `arn:aws:iam::${accountId}:role/weak` },
        }),
      );

      engine.handle({ topic: 'iam/2', payload: json({ n: 2 }) });
      await settled();

      expect(store.queues.receive('errors', 10, Date.now())).toHaveLength(0);
      expect(engine.errors().map((error) => error.code)).toEqual(['ACCESS_DENIED', 'ERROR_ACTION_FAILED']);
    });
  });
});
