import { describe, expect, it } from 'vitest';
import { devicePolicyDocument, policyProblems, samePolicy } from '../../../scripts/operator/policy.js';

const scope = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };

describe('device policy', () => {
  it('has nothing doctor would call too broad', () => {
    expect(policyProblems(JSON.stringify(devicePolicyDocument(scope)))).toEqual([]);
  });

  it('is the same policy whatever the key order and spacing', () => {
    const document = devicePolicyDocument(scope);
    const reordered = JSON.parse(JSON.stringify({ Statement: document.Statement, Version: document.Version }));

    expect(samePolicy(document, reordered)).toBe(true);
    expect(samePolicy(document, devicePolicyDocument({ ...scope, region: 'eu-west-1' }))).toBe(false);
  });

  it.each([
    [
      'iot:* on *',
      { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
      ['POLICY_WILDCARD_ACTION', 'POLICY_WILDCARD_RESOURCE'],
    ],
    [
      'publish to every topic',
      { Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:us-east-1:123456789012:topic/*' },
      ['POLICY_WILDCARD_RESOURCE'],
    ],
    [
      'connect as any client',
      { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:us-east-1:123456789012:client/*' },
      ['POLICY_WILDCARD_RESOURCE', 'POLICY_CONNECT_UNBOUND'],
    ],
    [
      'connect as the thing without IsAttached',
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: `arn:aws:iot:us-east-1:123456789012:client/${'$'}{iot:Connection.Thing.ThingName}`,
      },
      ['POLICY_CONNECT_UNBOUND'],
    ],
  ])('flags %s', (_name, statement, codes) => {
    const problems = policyProblems(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }));

    expect(problems.map((problem) => problem.code)).toEqual(codes);
  });

  it('ignores Deny statements and reports an unreadable document', () => {
    expect(policyProblems(JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }))).toEqual([]);
    expect(policyProblems('{not json').map((problem) => problem.code)).toEqual(['POLICY_UNREADABLE']);
  });
});
