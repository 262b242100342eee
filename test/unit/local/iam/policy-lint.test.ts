import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintPolicy } from '../../../../local/iam/policy-lint.js';
import { loadService } from '../../../../local/lambda/service.js';

// Resource types and "*"-only actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiot.html
describe('policy lint against the IAM Service Authorization Reference', () => {
  it('finds no grant in docs/operator-policy.json that grants nothing', async () => {
    const document = JSON.parse(readFileSync('docs/operator-policy.json', 'utf8'));
    expect(await lintPolicy(document)).toEqual([]);
  });

  it('reports AttachThingPrincipal on thing/*, a "*"-only action on an ARN, and an unknown action', async () => {
    const findings = await lintPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Things',
          Effect: 'Allow',
          Action: ['iot:AttachThingPrincipal', 'iot:DescribeThing'],
          Resource: 'arn:aws:iot:*:*:thing/*',
        },
        { Sid: 'Ca', Effect: 'Allow', Action: 'iot:ListCertificatesByCA', Resource: 'arn:aws:iot:*:*:cacert/*' },
        { Effect: 'Allow', Action: 'iot:DescribeThingz', Resource: '*' },
      ],
    });
    expect(findings.map((f) => [f.sid, f.action, f.problem])).toEqual([
      ['Things', 'iot:AttachThingPrincipal', 'no-matching-resource-type'],
      ['Ca', 'iot:ListCertificatesByCA', 'star-only-action-scoped'],
      [undefined, 'iot:DescribeThingz', 'unknown-action'],
    ]);
  });
});

describe("serverless.yml's roles against the IAM Service Authorization Reference", () => {
  it('grants every action of every role on a resource type IAM authorizes it on', async () => {
    const service = loadService('.', { region: 'us-east-1', accountId: '123456789012', queueUrl: (name) => name });
    const roles = [...service.iam.roles.values()];
    expect(roles.map((role) => role.logicalId).sort()).toEqual(
      ['IamRoleLambdaExecution', 'IotRuleErrorActionRole', 'VendRole'].sort(),
    );
    for (const role of roles) {
      for (const policy of role.policies) expect(await lintPolicy(policy.document), role.name).toEqual([]);
    }
  });
});
