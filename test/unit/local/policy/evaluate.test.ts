// policy and serverless variables are literal ${...} text here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PolicyDocument, parsePolicyDocument } from '../../../../local/policy/document.js';
import {
  type AuthorizationRequest,
  clientArn,
  evaluatePolicies,
  topicArn,
  topicFilterArn,
} from '../../../../local/policy/evaluate.js';
import type { ConnectionContext } from '../../../../local/policy/variables.js';

const scope = { region: 'eu-west-1', accountId: '111122223333' };
const arn = (kind: string, rest: string) => `arn:aws:iot:eu-west-1:111122223333:${kind}/${rest}`;

function policy(...statements: object[]): PolicyDocument {
  const parsed = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.document;
}

const attached: ConnectionContext = { clientId: 'dev1', thing: { thingName: 'dev1', attributes: { fleet: 'a' } } };
const unattached: ConnectionContext = { clientId: 'dev1' };
const connect = (clientId: string): AuthorizationRequest => ({
  action: 'iot:Connect',
  resource: clientArn(scope, clientId),
});
const publish = (topic: string): AuthorizationRequest => ({ action: 'iot:Publish', resource: topicArn(scope, topic) });

describe('evaluatePolicies', () => {
  it('denies by default when no statement allows', () => {
    const decision = evaluatePolicies([], connect('dev1'), attached);
    expect(decision).toMatchObject({ allowed: false, reason: 'IMPLICIT_DENY' });
  });

  it('allows what an Allow statement names, with action and resource lists', () => {
    const doc = policy({ Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: [arn('topic', 'dt/a')] });
    expect(evaluatePolicies([doc], publish('dt/a'), attached).allowed).toBe(true);
    expect(evaluatePolicies([doc], publish('dt/b'), attached).allowed).toBe(false);
  });

  it('lets an explicit Deny win over any Allow, across documents', () => {
    const allow = policy({ Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic', 'dt/*') });
    const deny = policy({ Effect: 'Deny', Action: 'iot:Publish', Resource: arn('topic', 'dt/secret') });
    expect(evaluatePolicies([allow, deny], publish('dt/secret'), attached)).toMatchObject({ reason: 'EXPLICIT_DENY' });
    expect(evaluatePolicies([allow, deny], publish('dt/open'), attached).allowed).toBe(true);
  });

  it('evaluates action wildcards a user writes (iot:* and prefixes), case-insensitively', () => {
    // Input a user might write, evaluated as AWS would; the project's own policies never grant iot:* (see README).
    const star = policy({ Effect: 'Allow', Action: 'iot:*', Resource: arn('client', 'dev1') });
    const prefix = policy({ Effect: 'Allow', Action: 'iot:Pub*', Resource: arn('topic', 'x') });
    expect(evaluatePolicies([star], connect('dev1'), attached).allowed).toBe(true);
    expect(evaluatePolicies([prefix], publish('x'), attached).allowed).toBe(true);
    expect(evaluatePolicies([prefix], { action: 'iot:Subscribe', resource: arn('topic', 'x') }, attached).allowed).toBe(
      false,
    );
  });

  it('matches resource ARNs with * and ? and treats MQTT wildcards in a topicfilter literally', () => {
    const doc = policy({ Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter', 'dt/dev?/#') });
    const subscribe = (filter: string): AuthorizationRequest => ({
      action: 'iot:Subscribe',
      resource: topicFilterArn(scope, filter),
    });
    expect(evaluatePolicies([doc], subscribe('dt/dev1/#'), attached).allowed).toBe(true);
    expect(evaluatePolicies([doc], subscribe('dt/dev1/x'), attached).allowed).toBe(false);
    expect(evaluatePolicies([doc], subscribe('dt/dev12/#'), attached).allowed).toBe(false);
  });

  it('resolves ${iot:Connection.Thing.ThingName} only for an attached thing named like the client id', () => {
    const doc = policy({
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: arn('client', '${iot:Connection.Thing.ThingName}'),
    });
    expect(evaluatePolicies([doc], connect('dev1'), attached).allowed).toBe(true);
    expect(evaluatePolicies([doc], connect('dev1'), unattached).allowed).toBe(false);
  });

  it('resolves ${iot:ClientId} whether or not a thing is attached, and keeps its value literal', () => {
    const doc = policy({ Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic', 'd/${iot:ClientId}/*') });
    expect(evaluatePolicies([doc], publish('d/dev1/t'), unattached).allowed).toBe(true);
    expect(evaluatePolicies([doc], publish('d/dev2/t'), unattached).allowed).toBe(false);
    const starry: ConnectionContext = { clientId: '*' };
    expect(evaluatePolicies([doc], publish('d/other/t'), starry).allowed).toBe(false);
  });

  it('applies the Bool iot:Connection.Thing.IsAttached condition', () => {
    const doc = policy({
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: arn('client', '*'),
      Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
    });
    expect(evaluatePolicies([doc], connect('dev1'), attached).allowed).toBe(true);
    expect(evaluatePolicies([doc], connect('dev1'), unattached).allowed).toBe(false);
  });

  it('substitutes ${iot:Connection.Thing.IsAttached} and thing attributes in resources', () => {
    const doc = policy({
      Effect: 'Allow',
      Action: 'iot:Publish',
      Resource: arn('topic', 'fleet/${iot:Connection.Thing.Attributes[fleet]}/${iot:Connection.Thing.IsAttached}'),
    });
    expect(evaluatePolicies([doc], publish('fleet/a/true'), attached).allowed).toBe(true);
    expect(evaluatePolicies([doc], publish('fleet/a/false'), attached).allowed).toBe(false);
  });

  it('evaluates string conditions with variables in their values', () => {
    const doc = policy({
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: arn('client', '*'),
      Condition: { StringEquals: { 'iot:ClientId': '${iot:Connection.Thing.ThingName}' } },
    });
    expect(evaluatePolicies([doc], connect('dev1'), attached).allowed).toBe(true);
    expect(evaluatePolicies([doc], connect('dev1'), unattached).allowed).toBe(false);
  });

  it('reports what it cannot evaluate: an Allow then grants nothing, a Deny denies', () => {
    const unknownOperator = policy({
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: arn('client', '*'),
      Condition: { DateGreaterThan: { 'iot:ClientId': 'x' } },
    });
    const allowed = evaluatePolicies([unknownOperator], connect('dev1'), attached);
    expect(allowed.allowed).toBe(false);
    expect(allowed.problems).toContainEqual({ code: 'UNSUPPORTED_CONDITION_OPERATOR', detail: 'DateGreaterThan' });

    const notResourceDeny = policy(
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', '*') },
      { Effect: 'Deny', Action: 'iot:Connect', NotResource: arn('client', 'x') },
    );
    const denied = evaluatePolicies([notResourceDeny], connect('dev1'), attached);
    expect(denied.reason).toBe('EXPLICIT_DENY');
    expect(denied.problems[0]?.code).toBe('UNSUPPORTED_POLICY_ELEMENT');

    const unknownVariable = policy({ Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', '${iot:Nope}') });
    expect(evaluatePolicies([unknownVariable], connect('dev1'), attached).problems[0]?.code).toBe(
      'UNKNOWN_POLICY_VARIABLE',
    );
  });
});

describe('parsePolicyDocument', () => {
  it('accepts a single statement object and string Action/Resource', () => {
    const parsed = parsePolicyDocument(
      JSON.stringify({ Statement: { Effect: 'Allow', Action: 'iot:Connect', Resource: 'x' } }),
    );
    expect(parsed.ok && parsed.document.statements[0]).toMatchObject({ actions: ['iot:Connect'], resources: ['x'] });
  });

  it('rejects text that is not JSON or not a policy, with a code', () => {
    expect(parsePolicyDocument('{nope')).toMatchObject({ ok: false, code: 'MALFORMED_POLICY_JSON' });
    expect(parsePolicyDocument('{"Statement":[{"Effect":"Maybe"}]}')).toMatchObject({
      ok: false,
      code: 'MALFORMED_POLICY',
    });
  });
});

describe('evaluatePolicies properties', () => {
  const actions = ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive'] as const;
  const topics = ['a', 'b', 'a/b'];
  const statement = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.subarray([...actions, 'iot:*', 'iot:P*'], { minLength: 1 }),
    Resource: fc.subarray([...topics.map((t) => arn('topic', t)), arn('topic', '*'), arn('topic', 'a*')], {
      minLength: 1,
    }),
  });
  const request = fc.record({
    action: fc.constantFrom(...actions),
    resource: fc.constantFrom(...topics).map((t) => arn('topic', t)),
  });
  const matches = (s: { Action: string[]; Resource: string[] }, r: AuthorizationRequest) =>
    s.Action.some((a) => new RegExp(`^${a.replace('*', '.*')}$`, 'i').test(r.action)) &&
    s.Resource.some((res) => new RegExp(`^${res.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(r.resource));

  it('is allowed exactly when some Allow matches and no Deny does', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 6 }), request, (statements, r) => {
        const decision = evaluatePolicies(statements.length ? [policy(...statements)] : [], r, attached);
        const denied = statements.some((s) => s.Effect === 'Deny' && matches(s, r));
        const allowed = statements.some((s) => s.Effect === 'Allow' && matches(s, r));
        return decision.allowed === (allowed && !denied) && (denied ? decision.reason === 'EXPLICIT_DENY' : true);
      }),
    );
  });
});
