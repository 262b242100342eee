// policy and serverless variables are literal ${...} text here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LambdaRunnerError } from '../../../../local/lambda/errors.js';
import { resolveIntrinsic } from '../../../../local/lambda/intrinsics.js';
import { functionLogicalId, loadService } from '../../../../local/lambda/service.js';
import { VariableResolver } from '../../../../local/lambda/variables.js';

const fixture = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'lambda-service');
const options = {
  region: 'eu-west-1',
  accountId: '111122223333',
  queueUrl: (name: string) => `http://127.0.0.1:4566/111122223333/${name}`,
};

describe('loadService', () => {
  it('names functions <service>-<stage>-<key> and resolves their environment for the stage', () => {
    const service = loadService(fixture, options);
    const echo = service.functions.get('fixture-dev-echo');
    expect(echo?.arn).toBe('arn:aws:lambda:eu-west-1:111122223333:function:fixture-dev-echo');
    expect(echo?.environment).toMatchObject({
      GREETING: 'hello from fixture',
      STAGE_NAME: 'dev',
      REGION_NAME: 'eu-west-1',
      ACCOUNT: '111122223333',
      ONLY_ECHO: 'yes',
    });
  });

  it('maps a queue Ref to the local queue URL and Fn::GetAtt Arn to its ARN', () => {
    const echo = loadService(fixture, { ...options, stage: 'test' }).functions.get('fixture-test-echo');
    expect(echo?.environment.DLQ_URL).toBe('http://127.0.0.1:4566/111122223333/fixture-test-failures');
    expect(echo?.environment.DLQ_ARN).toBe('arn:aws:sqs:eu-west-1:111122223333:fixture-test-failures');
  });

  it('reads retries and the on-failure destination queue, and lists the queues to create', () => {
    const service = loadService(fixture, options);
    expect(service.functions.get('fixture-dev-fail')).toMatchObject({
      maximumRetryAttempts: 2,
      onFailureQueue: 'fixture-dev-failures',
    });
    expect(service.functions.get('fixture-dev-slow')?.timeoutSeconds).toBe(1);
    expect(service.queues).toEqual([{ logicalId: 'FailuresQueue', name: 'fixture-dev-failures' }]);
  });

  it('fails with SERVICE_NOT_FOUND when there is no serverless.yml', () => {
    expect(() => loadService(import.meta.dirname, options)).toThrow(
      expect.objectContaining({ code: 'SERVICE_NOT_FOUND' }),
    );
  });
});

describe('VariableResolver', () => {
  const sources = { stage: 'prod', region: 'us-east-1', accountId: '1', options: {}, env: { HOME_DIR: '/h' } };

  it('resolves self, sls, opt defaults, aws and env variables, keeping a whole-variable value typed', () => {
    const config = { custom: { n: 3, prefix: '/${self:service}/${sls:stage}' }, service: 'svc' };
    const resolver = new VariableResolver(config, sources);
    expect(resolver.resolve('${self:custom.prefix}/x')).toBe('/svc/prod/x');
    expect(resolver.resolve('${self:custom.n}')).toBe(3);
    expect(resolver.resolve("${opt:stage, 'dev'}")).toBe('dev');
    expect(resolver.resolve('${aws:region}-${aws:accountId}-${env:HOME_DIR}')).toBe('us-east-1-1-/h');
  });

  it('reports a variable it cannot resolve, and a cycle, with UNRESOLVED_VARIABLE', () => {
    const resolver = new VariableResolver({ a: '${self:b}', b: '${self:a}' }, sources);
    expect(() => resolver.resolve('${ssm:/x}')).toThrow(LambdaRunnerError);
    expect(() => resolver.resolve('${self:missing}')).toThrow(expect.objectContaining({ code: 'UNRESOLVED_VARIABLE' }));
    expect(() => resolver.resolve('${self:a}')).toThrow(expect.objectContaining({ code: 'UNRESOLVED_VARIABLE' }));
  });
});

describe('resolveIntrinsic', () => {
  const context = {
    region: 'eu-west-1',
    accountId: '1',
    stackName: 's-dev',
    queues: new Map([['Q', 'q-name']]),
    tables: new Map([['T', 's-dev-records']]),
    functions: new Map([[functionLogicalId('onboard'), 's-dev-onboard']]),
    queueUrl: (name: string) => `http://local/${name}`,
  };

  it('joins, substitutes and maps function ARNs', () => {
    expect(
      resolveIntrinsic({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }]] }, context),
    ).toBe('arn:aws:eu-west-1');
    expect(resolveIntrinsic({ 'Fn::Sub': '${AWS::AccountId}/${Q.QueueName}' }, context)).toBe('1/q-name');
    expect(resolveIntrinsic({ 'Fn::GetAtt': 'OnboardLambdaFunction.Arn' }, context)).toBe(
      'arn:aws:lambda:eu-west-1:1:function:s-dev-onboard',
    );
  });

  it('maps a DynamoDB table to its name and ARN', () => {
    expect(resolveIntrinsic({ Ref: 'T' }, context)).toBe('s-dev-records');
    expect(resolveIntrinsic({ 'Fn::GetAtt': ['T', 'Arn'] }, context)).toBe(
      'arn:aws:dynamodb:eu-west-1:1:table/s-dev-records',
    );
  });

  it('reports intrinsics with no local equivalent with UNSUPPORTED_INTRINSIC', () => {
    expect(() => resolveIntrinsic({ Ref: 'SomeBucket' }, context)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_INTRINSIC' }),
    );
    expect(() => resolveIntrinsic({ 'Fn::ImportValue': 'x' }, context)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_INTRINSIC' }),
    );
  });
});
