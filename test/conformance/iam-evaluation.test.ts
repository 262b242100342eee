import {
  AttachThingPrincipalCommand,
  CreateThingCommand,
  CreateTopicRuleCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  IoTClient,
  ListCertificatesByCACommand,
} from '@aws-sdk/client-iot';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { NamedPolicy } from '../../local/iam/evaluate.js';
import { iotClientFor, ssmClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf, registeredCa, registeredDevice } from './control-plane-fixtures.js';

/**
 * IAM in the emulator, checked against what AWS documents:
 * - actions, resource types and condition keys of AWS IoT: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiot.html
 * - evaluation (explicit deny wins, default deny): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * - the AccessDenied message: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const arn = (resource: string) => `arn:aws:iot:${REGION}:${ACCOUNT}:${resource}`;

describe('IAM: the emulator authorizes every request as AWS does', () => {
  const local = withEmulator({ accountId: ACCOUNT, iam: 'on' });
  const admin = () => iotClientFor(local.emulator);
  let roles = 0;
  /** A role session whose only policy is `statements`, with real SDK clients signing as it. */
  const as = (...statements: object[]) => {
    const policies: NamedPolicy[] = [{ name: 'p', document: { Version: '2012-10-17', Statement: statements } }];
    const credentials = local.emulator.iam.identities.assumeRole(`conformance-${++roles}`, 'test', policies);
    const config = { endpoint: local.emulator.controlPlane, region: REGION, credentials, maxAttempts: 1 };
    return { iot: new IoTClient(config), ssm: new SSMClient(config), sts: new STSClient(config) };
  };

  async function deviceAndThing(thingName: string) {
    const device = await registeredDevice(admin(), await registeredCa(admin()));
    await admin().send(new CreateThingCommand({ thingName }));
    return device;
  }

  // list_awsiot.html: AttachThingPrincipal's resource type is `cert`, with the condition key iot:thingArn.
  it('authorizes AttachThingPrincipal on the certificate, not the thing', async () => {
    const device = await deviceAndThing('attach-on-thing');
    const onThing = as({ Effect: 'Allow', Action: 'iot:AttachThingPrincipal', Resource: arn('thing/*') });
    const failure = await failureOf(
      onThing.iot.send(
        new AttachThingPrincipalCommand({ thingName: 'attach-on-thing', principal: device.certificateArn }),
      ),
    );
    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.status).toBe(403);
    expect(failure.message).toMatch(
      new RegExp(
        `^User: arn:aws:sts::${ACCOUNT}:assumed-role/conformance-\\d+/test is not authorized to perform: ` +
          `iot:AttachThingPrincipal on resource: ${device.certificateArn.replace(/[/]/g, '\\/')} ` +
          'because no identity-based policy allows the iot:AttachThingPrincipal action$',
      ),
    );
    const onCert = as({
      Effect: 'Allow',
      Action: 'iot:AttachThingPrincipal',
      Resource: arn('cert/*'),
      Condition: { ArnLike: { 'iot:thingArn': arn('thing/attach-*') } },
    });
    await onCert.iot.send(
      new AttachThingPrincipalCommand({ thingName: 'attach-on-thing', principal: device.certificateArn }),
    );
  });

  it('applies the iot:thingArn condition to the thing being attached', async () => {
    const device = await deviceAndThing('other-thing');
    const client = as({
      Effect: 'Allow',
      Action: 'iot:AttachThingPrincipal',
      Resource: arn('cert/*'),
      Condition: { ArnLike: { 'iot:thingArn': arn('thing/attach-*') } },
    });
    const failure = await failureOf(
      client.iot.send(new AttachThingPrincipalCommand({ thingName: 'other-thing', principal: device.certificateArn })),
    );
    expect(failure.name).toBe('AccessDeniedException');
  });

  // list_awsiot.html lists no resource type for ListCertificatesByCA: only "Resource": "*" grants it.
  it('grants an action with no resource type only through "*"', async () => {
    const ca = await registeredCa(admin());
    const scoped = as({ Effect: 'Allow', Action: 'iot:ListCertificatesByCA', Resource: arn('cacert/*') });
    const byCa = new ListCertificatesByCACommand({ caCertificateId: ca.certificateId });
    const failure = await failureOf(scoped.iot.send(byCa));
    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.message).toContain('iot:ListCertificatesByCA on resource: *');
    const star = as({ Effect: 'Allow', Action: 'iot:ListCertificatesByCA', Resource: '*' });
    expect((await star.iot.send(byCa)).certificates).toEqual([]);
  });

  // reference_policies_evaluation-logic.html: an explicit deny overrides any allow.
  it('lets an explicit deny win over an allow, and says so', async () => {
    const device = await registeredDevice(admin(), await registeredCa(admin()), 'INACTIVE');
    const client = as(
      { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iot:Delete*', Resource: arn('cert/*') },
    );
    await client.iot.send(new DescribeCertificateCommand({ certificateId: device.certificateId }));
    const failure = await failureOf(
      client.iot.send(new DeleteCertificateCommand({ certificateId: device.certificateId })),
    );
    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.message).toMatch(
      /iot:DeleteCertificate on resource: .* with an explicit deny in an identity-based policy$/,
    );
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html (wildcards) and
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html (policy variables)
  it('matches ARNs with wildcards and policy variables', async () => {
    await ssmClientFor(local.emulator).send(
      new PutParameterCommand({ Name: `/team/${ACCOUNT}/config`, Value: 'v', Type: 'String' }),
    );
    await ssmClientFor(local.emulator).send(
      new PutParameterCommand({ Name: '/team/other/config', Value: 'v', Type: 'String' }),
    );
    const client = as({
      Effect: 'Allow',
      Action: 'ssm:Get*',
      Resource: `arn:aws:ssm:*:*:parameter/team/\${aws:PrincipalAccount}/confi?`,
    });
    expect((await client.ssm.send(new GetParameterCommand({ Name: `/team/${ACCOUNT}/config` }))).Parameter?.Value).toBe(
      'v',
    );
    const failure = await failureOf(client.ssm.send(new GetParameterCommand({ Name: '/team/other/config' })));
    // SSM's common errors: AccessDeniedException, HTTP 400 (https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html)
    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.status).toBe(400);
    expect(failure.message).toContain(
      `ssm:GetParameter on resource: arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/team/other/config`,
    );
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/pass-role.html: a rule action's roleArn needs iam:PassRole.
  it('requires iam:PassRole, for AWS IoT, on the role a topic rule action is given', async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/rule-error`;
    const rule = (ruleName: string) =>
      new CreateTopicRuleCommand({
        ruleName,
        topicRulePayload: {
          sql: "SELECT * FROM 'a/b'",
          actions: [{ republish: { topic: 'c/d', roleArn } }],
        },
      });
    const createRule = { Effect: 'Allow', Action: 'iot:CreateTopicRule', Resource: arn('rule/*') };
    const failure = await failureOf(as(createRule).iot.send(rule('no_pass_role')));
    expect(failure.name).toBe('AccessDeniedException');
    expect(failure.message).toContain(`iam:PassRole on resource: ${roleArn}`);
    const passToLambda = {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: roleArn,
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    };
    expect((await failureOf(as(createRule, passToLambda).iot.send(rule('pass_to_lambda')))).name).toBe(
      'AccessDeniedException',
    );
    const passToIot = { ...passToLambda, Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } } };
    await as(createRule, passToIot).iot.send(rule('pass_to_iot'));
  });

  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html: no permission is needed; the answer
  // is the caller's ARN (an assumed-role session here).
  it('identifies the caller from its access key, and refuses an unknown key', async () => {
    const identity = await as().sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/conformance-\\d+/test$`));
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' };
    const config = { endpoint: local.emulator.controlPlane, region: REGION, credentials: unknown, maxAttempts: 1 };
    // https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html: InvalidClientTokenId, HTTP 403.
    const sts = await failureOf(new STSClient(config).send(new GetCallerIdentityCommand({})));
    expect([sts.name, sts.status]).toEqual(['InvalidClientTokenId', 403]);
    const iot = await failureOf(new IoTClient(config).send(new ListCertificatesByCACommand({ caCertificateId: 'a' })));
    expect([iot.name, iot.status]).toEqual(['UnrecognizedClientException', 403]);
    const ssm = await failureOf(new SSMClient(config).send(new GetParameterCommand({ Name: '/x' })));
    expect([ssm.name, ssm.status]).toEqual(['UnrecognizedClientException', 400]);
  });
});
