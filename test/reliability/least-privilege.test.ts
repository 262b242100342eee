import { readFileSync } from 'node:fs';
import { GetPolicyCommand, ListPoliciesCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withPipeline } from './pipeline-fixture.js';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
const wildcardActions = (statements: Statement[]) =>
  statements.filter((s) => s.Effect !== 'Deny').flatMap((s) => list(s.Action).filter((action) => action.includes('*')));
const starResources = (statements: Statement[]) =>
  statements.filter((s) => s.Effect !== 'Deny' && list(s.Resource).includes('*'));

/** Every IAM statement anywhere in serverless.yml (provider role, per-function roles, CloudFormation resources). */
function iamStatements(node: unknown, found: Statement[] = []): Statement[] {
  if (Array.isArray(node)) for (const item of node) iamStatements(item, found);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if ('Effect' in record && ('Action' in record || 'action' in record)) found.push(record as Statement);
    for (const value of Object.values(record)) iamStatements(value, found);
  }
  return found;
}

// The serverless package test already checks the packaged CloudFormation's roles; this one reads what an account
// actually holds after `jitr preconfigure` (the device policies) and every statement serverless.yml declares.
describe('least privilege of what the pipeline deploys', () => {
  const pipeline = withPipeline([
    {
      profile: 'azure-sphere',
      tenantId: '3e3e3e3e-0000-4000-8000-00000000000e',
    },
    { profile: 'microchip' },
  ]);

  it('gives devices IoT policies with no wildcard action and no Resource "*"', async () => {
    const { iot } = pipeline.current.clients;
    const { policies = [] } = await iot.send(new ListPoliciesCommand({}));
    const statements: Statement[] = [];
    for (const policy of policies) {
      const { policyDocument } = await iot.send(new GetPolicyCommand({ policyName: policy.policyName }));
      const document = JSON.parse(policyDocument ?? '{}') as {
        Statement?: Statement | Statement[];
      };
      statements.push(
        ...(Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : []),
      );
    }

    expect(policies.length).toBeGreaterThan(0);
    expect(statements.length).toBeGreaterThan(0);
    expect(wildcardActions(statements)).toEqual([]);
    expect(starResources(statements)).toEqual([]);
  });

  it('declares no IAM statement with a wildcard action in serverless.yml', () => {
    const statements = iamStatements(parse(readFileSync('serverless.yml', 'utf8')));

    expect(statements.length).toBeGreaterThan(0);
    expect(wildcardActions(statements)).toEqual([]);
  });
});
