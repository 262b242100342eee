import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateTopicRuleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteTopicRuleCommand,
  DescribeEndpointCommand,
  DescribeEventConfigurationsCommand,
  DetachPolicyCommand,
  DisableTopicRuleCommand,
  EnableTopicRuleCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetTopicRuleCommand,
  ListAttachedPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListTargetsForPolicyCommand,
  ListTopicRulesCommand,
  ReplaceTopicRuleCommand,
  SetDefaultPolicyVersionCommand,
  type TopicRulePayload,
  UpdateEventConfigurationsCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { ALLOW_CONNECT_POLICY, failureOf, registeredCa, registeredDevice } from './control-plane-fixtures.js';

const policyVersion = (n: number) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:aws:iot:us-east-1:000000000000:topic/v${n}` }],
  });

const ONBOARD_RULE: TopicRulePayload = {
  sql: "SELECT * FROM '$aws/events/certificates/registered/abc'",
  description: 'JITR for one CA',
  awsIotSqlVersion: '2016-03-23',
  ruleDisabled: false,
  actions: [{ lambda: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:jitr-dev-onboard' } }],
  errorAction: { sqs: { queueUrl: 'http://127.0.0.1/000000000000/dlq', roleArn: 'arn:aws:iam::000000000000:role/r' } },
};

describe('control plane: policies, topic rules, endpoint', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreatePolicy.html (version 1 is the default)
  it('creates a policy whose version 1 is the default', async () => {
    const created = await iot().send(
      new CreatePolicyCommand({ policyName: 'p-create', policyDocument: ALLOW_CONNECT_POLICY }),
    );
    expect(created.policyVersionId).toBe('1');
    const policy = await iot().send(new GetPolicyCommand({ policyName: 'p-create' }));
    expect(policy).toMatchObject({ defaultVersionId: '1', policyDocument: ALLOW_CONNECT_POLICY });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreatePolicy.html (MalformedPolicyException)
  it('refuses a policy document that is not JSON', async () => {
    const failure = await failureOf(
      iot().send(new CreatePolicyCommand({ policyName: 'p-bad', policyDocument: '{nope' })),
    );
    expect(failure).toMatchObject({ name: 'MalformedPolicyException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreatePolicy.html
  // "policyDocument must have a minimum length of 1, with a maximum length of 2048, excluding whitespace."
  it('refuses a policy document over 2048 characters, whitespace excluded', async () => {
    const statement = (n: number) => ({
      Effect: 'Allow',
      Action: 'iot:Publish',
      Resource: `arn:aws:iot:us-east-1:000000000000:topic/t${n}`,
    });
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: Array.from({ length: 40 }, (_, n) => statement(n)),
    });
    const failure = await failureOf(iot().send(new CreatePolicyCommand({ policyName: 'p-big', policyDocument: big })));
    expect(failure).toMatchObject({ name: 'MalformedPolicyException', status: 400 });
    const spaced = JSON.stringify({ Version: '2012-10-17', Statement: [statement(1)] }).replaceAll(
      ',',
      `,${' '.repeat(700)}`,
    );
    expect(spaced.length).toBeGreaterThan(2048);
    await iot().send(new CreatePolicyCommand({ policyName: 'p-spaced', policyDocument: spaced }));
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreatePolicyVersion.html
  // "A managed policy can have up to five versions. If the policy has five versions, you must delete an existing version"
  it('keeps at most five versions of a policy', async () => {
    await iot().send(new CreatePolicyCommand({ policyName: 'p-versions', policyDocument: policyVersion(1) }));
    for (let n = 2; n <= 5; n++) {
      await iot().send(new CreatePolicyVersionCommand({ policyName: 'p-versions', policyDocument: policyVersion(n) }));
    }
    const failure = await failureOf(
      iot().send(new CreatePolicyVersionCommand({ policyName: 'p-versions', policyDocument: policyVersion(6) })),
    );
    expect(failure).toMatchObject({ name: 'VersionsLimitExceededException', status: 409 });
    await iot().send(new DeletePolicyVersionCommand({ policyName: 'p-versions', policyVersionId: '2' }));
    const sixth = await iot().send(
      new CreatePolicyVersionCommand({
        policyName: 'p-versions',
        policyDocument: policyVersion(6),
        setAsDefault: true,
      }),
    );
    expect(sixth).toMatchObject({ policyVersionId: '6', isDefaultVersion: true });
    expect((await iot().send(new GetPolicyCommand({ policyName: 'p-versions' }))).defaultVersionId).toBe('6');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_SetDefaultPolicyVersion.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeletePolicyVersion.html ("You cannot delete the default version")
  it('moves the default version, refuses to delete the default one, and lists versions and policies', async () => {
    await iot().send(new CreatePolicyCommand({ policyName: 'p-default', policyDocument: policyVersion(1) }));
    await iot().send(new CreatePolicyVersionCommand({ policyName: 'p-default', policyDocument: policyVersion(2) }));
    await iot().send(new SetDefaultPolicyVersionCommand({ policyName: 'p-default', policyVersionId: '2' }));
    const version = await iot().send(new GetPolicyVersionCommand({ policyName: 'p-default', policyVersionId: '2' }));
    expect(version).toMatchObject({ isDefaultVersion: true, policyDocument: policyVersion(2) });
    const failure = await failureOf(
      iot().send(new DeletePolicyVersionCommand({ policyName: 'p-default', policyVersionId: '2' })),
    );
    expect(failure).toMatchObject({ name: 'DeleteConflictException', status: 409 });
    const { policyVersions } = await iot().send(new ListPolicyVersionsCommand({ policyName: 'p-default' }));
    expect(policyVersions?.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      ['1', false],
      ['2', true],
    ]);
    const { policies } = await iot().send(new ListPoliciesCommand({ pageSize: 250 }));
    expect(policies?.map((p) => p.policyName)).toContain('p-default');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AttachPolicy.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListTargetsForPolicy.html
  it('attaches a policy to a certificate and lists it both ways', async () => {
    const device = await registeredDevice(iot(), await registeredCa(iot()));
    await iot().send(new CreatePolicyCommand({ policyName: 'p-attach', policyDocument: ALLOW_CONNECT_POLICY }));
    await iot().send(new AttachPolicyCommand({ policyName: 'p-attach', target: device.certificateArn }));
    const attached = await iot().send(new ListAttachedPoliciesCommand({ target: device.certificateArn }));
    const targets = await iot().send(new ListTargetsForPolicyCommand({ policyName: 'p-attach' }));
    expect(attached.policies?.map((p) => p.policyName)).toEqual(['p-attach']);
    expect(targets.targets).toEqual([device.certificateArn]);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeletePolicy.html
  // "A policy cannot be deleted if it has non-default versions or it is attached to any certificate."
  it('refuses to delete an attached policy until it is detached', async () => {
    const device = await registeredDevice(iot(), await registeredCa(iot()));
    await iot().send(new CreatePolicyCommand({ policyName: 'p-delete', policyDocument: ALLOW_CONNECT_POLICY }));
    await iot().send(new AttachPolicyCommand({ policyName: 'p-delete', target: device.certificateArn }));
    const failure = await failureOf(iot().send(new DeletePolicyCommand({ policyName: 'p-delete' })));
    expect(failure).toMatchObject({ name: 'DeleteConflictException', status: 409 });
    await iot().send(new DetachPolicyCommand({ policyName: 'p-delete', target: device.certificateArn }));
    await iot().send(new DeletePolicyCommand({ policyName: 'p-delete' }));
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_GetTopicRule.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_TopicRulePayload.html (actions and errorAction)
  it('stores a topic rule with its Lambda action and SQS errorAction as given', async () => {
    await iot().send(new CreateTopicRuleCommand({ ruleName: 'onboard_abc', topicRulePayload: ONBOARD_RULE }));
    const { rule, ruleArn } = await iot().send(new GetTopicRuleCommand({ ruleName: 'onboard_abc' }));
    expect(ruleArn).toBe('arn:aws:iot:us-east-1:000000000000:rule/onboard_abc');
    expect(rule).toMatchObject({ ...ONBOARD_RULE, ruleName: 'onboard_abc' });
    expect(rule?.createdAt).toBeInstanceOf(Date);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateTopicRule.html (ResourceAlreadyExistsException)
  it('refuses to create a rule that exists, and replaces it with ReplaceTopicRule', async () => {
    await iot().send(new CreateTopicRuleCommand({ ruleName: 'replaced', topicRulePayload: ONBOARD_RULE }));
    const failure = await failureOf(
      iot().send(new CreateTopicRuleCommand({ ruleName: 'replaced', topicRulePayload: ONBOARD_RULE })),
    );
    expect(failure).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 });
    const sql = "SELECT * FROM 'other/topic'";
    await iot().send(new ReplaceTopicRuleCommand({ ruleName: 'replaced', topicRulePayload: { ...ONBOARD_RULE, sql } }));
    expect((await iot().send(new GetTopicRuleCommand({ ruleName: 'replaced' }))).rule?.sql).toBe(sql);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateTopicRule.html (SqlParseException)
  it('refuses a rule whose SQL has no FROM topic', async () => {
    const failure = await failureOf(
      iot().send(
        new CreateTopicRuleCommand({ ruleName: 'bad_sql', topicRulePayload: { ...ONBOARD_RULE, sql: 'SELECT *' } }),
      ),
    );
    expect(failure).toMatchObject({ name: 'SqlParseException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_GetTopicRule.html
  // The documented errors of GetTopicRule / DeleteTopicRule include UnauthorizedException and no ResourceNotFoundException.
  it('answers UnauthorizedException for a rule that does not exist', async () => {
    const failure = await failureOf(iot().send(new GetTopicRuleCommand({ ruleName: 'no_such_rule' })));
    expect(failure).toMatchObject({ name: 'UnauthorizedException', status: 401 });
    await iot().send(new CreateTopicRuleCommand({ ruleName: 'deleted_rule', topicRulePayload: ONBOARD_RULE }));
    await iot().send(new DeleteTopicRuleCommand({ ruleName: 'deleted_rule' }));
    expect((await failureOf(iot().send(new GetTopicRuleCommand({ ruleName: 'deleted_rule' })))).name).toBe(
      'UnauthorizedException',
    );
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListTopicRules.html (topic filter, topicPattern)
  it('lists rules with their topic pattern, filtered by topic', async () => {
    await iot().send(
      new CreateTopicRuleCommand({
        ruleName: 'listed_a',
        topicRulePayload: { ...ONBOARD_RULE, sql: "SELECT * FROM 'a/#'" },
      }),
    );
    const { rules } = await iot().send(new ListTopicRulesCommand({ topic: 'a/#' }));
    expect(rules?.map((r) => [r.ruleName, r.topicPattern])).toEqual([['listed_a', 'a/#']]);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DisableTopicRule.html
  it('disables and enables a rule', async () => {
    await iot().send(new CreateTopicRuleCommand({ ruleName: 'toggled', topicRulePayload: ONBOARD_RULE }));
    await iot().send(new DisableTopicRuleCommand({ ruleName: 'toggled' }));
    expect((await iot().send(new GetTopicRuleCommand({ ruleName: 'toggled' }))).rule?.ruleDisabled).toBe(true);
    await iot().send(new EnableTopicRuleCommand({ ruleName: 'toggled' }));
    expect((await iot().send(new GetTopicRuleCommand({ ruleName: 'toggled' }))).rule?.ruleDisabled).toBe(false);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeEndpoint.html (iot:Data-ATS: "<prefix>-ats.iot.<region>...")
  it('describes a stable ATS endpoint for the account', async () => {
    const first = await iot().send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    const second = await iot().send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    expect(first.endpointAddress).toMatch(/^[a-z0-9]+-ats\.iot\.us-east-1\.localhost$/);
    expect(second.endpointAddress).toBe(first.endpointAddress);
    expect(first.endpointAddress).toBe(local.emulator.iotEndpoint);
    const jobs = await iot().send(new DescribeEndpointCommand({ endpointType: 'iot:Jobs' }));
    expect(jobs.endpointAddress).toMatch(/\.jobs\.iot\.us-east-1\.localhost$/);
    const bad = await failureOf(iot().send(new DescribeEndpointCommand({ endpointType: 'iot:Nope' })));
    expect(bad).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateEventConfigurations.html
  it('updates and describes event configurations', async () => {
    await iot().send(new UpdateEventConfigurationsCommand({ eventConfigurations: { CERTIFICATE: { Enabled: true } } }));
    const { eventConfigurations } = await iot().send(new DescribeEventConfigurationsCommand({}));
    expect(eventConfigurations?.CERTIFICATE).toEqual({ Enabled: true });
    expect(eventConfigurations?.THING).toEqual({ Enabled: false });
  });
});
