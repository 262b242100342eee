import { describe, expect, it } from 'vitest';
import { type EvaluationRequest, type NamedPolicy, PolicyEvaluator } from '../../../../local/iam/evaluate.js';

// The shape cache must never change a decision: every request below is decided by a primed evaluator (which has seen
// other resources of the same type) and by a fresh one, and the two must agree.
const ACCOUNT = '111122223333';
const policies: NamedPolicy[] = [
  {
    name: 'certs',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['iot:DescribeCertificate', 'iot:UpdateCertificate'],
          Resource: `arn:aws:iot:*:${ACCOUNT}:cert/*`,
        },
        { Effect: 'Deny', Action: 'iot:UpdateCertificate', Resource: `arn:aws:iot:*:${ACCOUNT}:cert/dead*` },
        { Effect: 'Allow', Action: 'iot:DescribeThing', NotResource: `arn:aws:iot:*:${ACCOUNT}:thing/secret-?` },
      ],
    },
  },
];

const request = (action: string, resource: string): EvaluationRequest => ({
  principal: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`,
  action,
  resource,
  accountId: ACCOUNT,
  context: {},
  identityPolicies: policies,
});

const cert = (id: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:cert/${id}`;
const thing = (name: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:thing/${name}`;

describe('PolicyEvaluator caches', () => {
  const cases: [string, string, string][] = [
    ['iot:DescribeCertificate', cert('aaaa'), 'Allowed'],
    ['iot:DescribeCertificate', cert('dead01'), 'Allowed'],
    ['iot:UpdateCertificate', cert('bbbb'), 'Allowed'],
    ['iot:UpdateCertificate', cert('dead02'), 'ExplicitlyDenied'],
    ['iot:UpdateCertificate', `arn:aws:iot:us-east-1:999999999999:cert/cccc`, 'ImplicitlyDenied'],
    ['iot:DescribeThing', thing('device-1'), 'Allowed'],
    ['iot:DescribeThing', thing('secret-1'), 'ImplicitlyDenied'],
    ['iot:DescribeThing', thing('secret-12'), 'Allowed'],
  ];

  it('decides as a fresh evaluation would, whatever resources of the same type came before', async () => {
    const primed = new PolicyEvaluator();
    for (const [action, resource] of cases) await primed.evaluate(request(action, `${resource}-prime`), 'k');
    for (const [action, resource, expected] of cases) {
      const fresh = await new PolicyEvaluator().evaluate(request(action, resource), 'k');
      const cached = await primed.evaluate(request(action, resource), 'k');
      expect({ action, resource, decision: cached.decision }).toEqual({ action, resource, decision: expected });
      expect(fresh.decision).toBe(expected);
    }
  });

  it('does not shape-cache policies with a variable in a resource pattern', async () => {
    const withVariable: NamedPolicy[] = [
      {
        name: 'own',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iot:DescribeThing', Resource: 'arn:aws:iot:*:*:thing/${aws:username}' },
          ],
        },
      },
    ];
    const evaluator = new PolicyEvaluator();
    const as = (name: string, resource: string) =>
      evaluator.evaluate(
        {
          ...request('iot:DescribeThing', resource),
          identityPolicies: withVariable,
          context: { 'aws:username': name },
        },
        'v',
      );
    expect((await as('alice', thing('alice'))).decision).toBe('Allowed');
    expect((await as('alice', thing('bob'))).decision).toBe('ImplicitlyDenied');
  });
});
