import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  caIdOfRule,
  deadLetterQueueName,
  deploymentFor,
  fleetConfigParameterName,
  onboardFunctionName,
  RULE_PREFIX,
  ruleNameFor,
  SERVICE,
} from '../../../scripts/operator/deployment.js';

const serverless = parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'serverless.yml'), 'utf8'));
const CA_ID = 'ab'.repeat(32);

describe('deployment names', () => {
  it('match the names serverless.yml gives the service, function, queue, parameter and rule prefix', () => {
    const stage = 'prod';
    // serverless.yml variables, resolved the way the framework does for these two.
    const resolve = (text: string) =>
      text.replace(/\$\{self:service\}/g, serverless.service).replace(/\$\{sls:stage\}/g, stage);

    expect(SERVICE).toBe(serverless.service);
    expect(RULE_PREFIX).toBe(serverless.custom.rulePrefix);
    expect(fleetConfigParameterName(stage)).toBe(resolve(serverless.custom.fleetConfigParameter));
    expect(deadLetterQueueName(stage)).toBe(
      resolve(serverless.resources.Resources.OnboardDeadLetterQueue.Properties.QueueName),
    );
    expect(Object.keys(serverless.functions)).toContain('onboard');
    expect(onboardFunctionName(stage)).toBe(`${serverless.service}-${stage}-onboard`);
  });

  it('names one rule per stage and CA with the prefix the invoke permission covers', () => {
    const name = ruleNameFor('my-stage', CA_ID);

    expect(name).toBe(`jitr_my_stage_${CA_ID}`);
    expect(name).toMatch(/^[a-zA-Z0-9_]{1,128}$/);
    expect(caIdOfRule('my-stage', name)).toBe(CA_ID);
    expect(caIdOfRule('prod', name)).toBeUndefined();
  });

  it('defaults the function to the stage’s onboard function in the caller’s account and region', () => {
    const deployment = deploymentFor({ stage: 'dev', region: 'eu-west-1', accountId: '123456789012' });

    expect(deployment.onboardFunctionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:jitr-dev-onboard');
    expect(deployment.deadLetterQueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/jitr-dev-onboard-dlq');
    expect(deploymentFor({ stage: 'dev', region: 'cn-north-1', accountId: '123456789012' }).onboardFunctionArn).toMatch(
      /^arn:aws-cn:lambda:/,
    );
  });
});
