import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../../../local/policy/document.js';
import { type AuthorizationRequest, evaluatePolicies, type IotAction } from '../../../local/policy/evaluate.js';

const ACTIONS: IotAction[] = ['iot:Connect', 'iot:Publish', 'iot:RetainPublish', 'iot:Subscribe', 'iot:Receive'];
const REASONS = new Set(['ALLOWED', 'EXPLICIT_DENY', 'IMPLICIT_DENY']);
const PROBLEM_CODES = new Set([
  'UNSUPPORTED_POLICY_ELEMENT',
  'UNSUPPORTED_CONDITION_OPERATOR',
  'UNKNOWN_POLICY_VARIABLE',
]);
const PARSE_CODES = new Set(['MALFORMED_POLICY_JSON', 'MALFORMED_POLICY']);

/** `${name}`, an IoT policy variable (built, so it is not mistaken for a template literal). */
const variable = (name: string) => ['$', '{', name, '}'].join('');

/** Pieces hostile policy text is made of: wildcards, variables (known, unknown, broken), ARNs, odd characters. */
const fragment = fc.constantFrom(
  '*',
  '?',
  '+',
  '#',
  '/',
  variable('iot:Connection.Thing.ThingName'),
  variable('iot:ClientId'),
  variable('iot:Connection.Thing.Attributes[jitr_ca]'),
  variable('iot:Unknown'),
  '${',
  '}',
  '$',
  'arn:aws:iot:us-east-1:000000000000:',
  'client/',
  'topic/',
  'topicfilter/',
  'dt/',
  '\u0000',
  '\u202e',
  'é',
);
const pattern = fc
  .array(fc.oneof(fragment, fc.string({ maxLength: 6 })), { maxLength: 8 })
  .map((parts) => parts.join(''));
const operator = fc
  .oneof(
    fc.constantFrom('StringEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'Bool', 'ArnLike', 'Null'),
    fc.string({ maxLength: 12 }),
  )
  .map((name) => name + (name.length % 3 === 0 ? 'IfExists' : ''));
const statement = fc.record(
  {
    Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), fc.string({ maxLength: 6 })),
    Action: fc.oneof(fc.constantFrom(...ACTIONS, 'iot:*', '*', 'iot:Connect*'), fc.array(pattern, { maxLength: 3 })),
    Resource: fc.oneof(pattern, fc.array(pattern, { maxLength: 3 })),
    Condition: fc.dictionary(
      operator,
      fc.dictionary(
        fc.oneof(
          fc.constantFrom('iot:Connection.Thing.IsAttached', 'iot:ClientId', 'aws:SourceIp'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(pattern, fc.boolean(), fc.integer(), fc.array(pattern, { maxLength: 2 })),
        { maxKeys: 2 },
      ),
      { maxKeys: 2 },
    ),
    NotAction: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: ['Effect'] },
);
const documentText = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        Version: fc.constant('2012-10-17'),
        Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 })),
      })
      .map((d) => JSON.stringify(d)),
  },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const request = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.oneof(
    pattern.map((p) => `arn:aws:iot:us-east-1:000000000000:client/${p}`),
    pattern.map((p) => `arn:aws:iot:us-east-1:000000000000:topic/${p}`),
    pattern.map((p) => `arn:aws:iot:us-east-1:000000000000:topicfilter/${p}`),
    fc.string({ maxLength: 30 }),
  ),
}) as fc.Arbitrary<AuthorizationRequest>;
const context = fc.record(
  {
    clientId: fc.string({ maxLength: 20 }),
    thing: fc.record({
      thingName: fc.string({ maxLength: 20 }),
      attributes: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
    }),
  },
  { requiredKeys: ['clientId'] },
);

// Not covered by the existing property tests (they fuzz the wildcard matcher alone): whole policy documents, hostile
// text included, parsed and evaluated against arbitrary requests.
describe('policy parsing and evaluation under fuzzing', () => {
  it('never throws: a document parses or is refused with a code; a decision has a reason and coded problems', () => {
    fc.assert(
      fc.property(fc.array(documentText, { minLength: 1, maxLength: 3 }), request, context, (texts, req, ctx) => {
        const documents = [];
        for (const text of texts) {
          const parsed = parsePolicyDocument(text);
          if (parsed.ok) documents.push(parsed.document);
          else expect(PARSE_CODES.has(parsed.code)).toBe(true);
        }
        const decision = evaluatePolicies(documents, req, ctx);
        expect(REASONS.has(decision.reason)).toBe(true);
        expect(decision.allowed).toBe(decision.reason === 'ALLOWED');
        for (const problem of decision.problems) expect(PROBLEM_CODES.has(problem.code)).toBe(true);
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('fails closed: documents holding only Deny statements never allow anything', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), request, context, (statements, req, ctx) => {
        const text = JSON.stringify({
          Version: '2012-10-17',
          Statement: statements.map((s) => ({ ...s, Effect: 'Deny' })),
        });
        const parsed = parsePolicyDocument(text);
        if (!parsed.ok) return;
        expect(evaluatePolicies([parsed.document], req, ctx).allowed).toBe(false);
      }),
      { numRuns: 200, seed: 43 },
    );
  });

  it('an Allow whose resource holds an unknown variable grants nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), fc.string({ maxLength: 10 }), (action, clientId) => {
        const parsed = parsePolicyDocument(
          JSON.stringify({
            Version: '2012-10-17',
            // an IoT policy variable
            Statement: [
              {
                Effect: 'Allow',
                Action: action,
                Resource: 'arn:aws:iot:*:*:*${iot:Nope}*',
              },
            ],
          }),
        );
        if (!parsed.ok) throw new Error(parsed.message);
        const decision = evaluatePolicies(
          [parsed.document],
          {
            action,
            resource: `arn:aws:iot:us-east-1:000000000000:client/${clientId}`,
          },
          { clientId },
        );
        expect(decision.allowed).toBe(false);
      }),
      { numRuns: 50, seed: 44 },
    );
  });
});
