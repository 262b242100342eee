import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicRuleCommand, DeleteTopicRuleCommand } from '@aws-sdk/client-iot';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateKey } from '../../certs/keygen.js';
import { type LocalService, loadService } from '../../local/lambda/service.js';
import type { LocalEmulator } from '../../local/server.js';
import { csrForKey, issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import { attemptSession } from '../../scripts/simulator/mqtt-session.js';
import { iotClientFor, sqsClientFor } from '../helpers/aws.js';
import { setUpVend, tokenFor, vendRequest } from '../integration/vend/fixture.js';
import { withZeroTouch } from './zero-touch-helpers.js';

/**
 * The grants serverless.yml had before they were checked against the IAM Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiot.html), put back one at a time into a
 * copy of serverless.yml: with IAM on, each one fails where AWS would fail it, with AccessDeniedException naming the
 * action. One emulator serves every case: the copy's roles are loaded as the emulator loads serverless.yml, and handed
 * to the running functions the way Lambda hands a role's credentials (same session, new policies).
 */
type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const providerStatements = (y: Yaml) => y.provider.iam.role.statements as Yaml[];
const vendStatements = (y: Yaml) =>
  y.resources.Resources.VendRole.Properties.Policies[0].PolicyDocument.Statement as Yaml[];

/** Moves `actions` out of the statement `from` (dropped once empty) into the statement `to`: the old grant. */
function moveActions(statements: Yaml[], from: string, to: string, actions: string[]): void {
  const source = statements.find((s) => s.Sid === from);
  const target = statements.find((s) => s.Sid === to);
  if (!source || !target) throw new Error(`no statement ${from} or ${to}`);
  source.Action = (source.Action as string[]).filter((a) => !actions.includes(a));
  target.Action = [...(target.Action as string[]), ...actions];
  if (source.Action.length === 0) statements.splice(statements.indexOf(source), 1);
}

const WRONG_GRANTS = {
  'onboard: Attach/DetachThingPrincipal on thing/*': (y: Yaml) =>
    moveActions(providerStatements(y), 'DeviceCertificateThings', 'DeviceThings', [
      'iot:AttachThingPrincipal',
      'iot:DetachThingPrincipal',
    ]),
  'reconcile: ListCertificatesByCA on cacert/*': (y: Yaml) =>
    moveActions(providerStatements(y), 'CertificatesByCa', 'TrustedCaCertificates', ['iot:ListCertificatesByCA']),
  'vend: CreateCertificateFromCsr on cert/*': (y: Yaml) =>
    moveActions(vendStatements(y), 'VendIssueCertificates', 'VendCertificates', ['iot:CreateCertificateFromCsr']),
  'vend: CreateKeysAndCertificate on cert/*': (y: Yaml) =>
    moveActions(vendStatements(y), 'VendIssueCertificates', 'VendCertificates', ['iot:CreateKeysAndCertificate']),
  'vend: ListAttachedPolicies on cert/*': (y: Yaml) =>
    moveActions(vendStatements(y), 'VendIssueCertificates', 'VendCertificates', ['iot:ListAttachedPolicies']),
  'vend: Attach/DetachThingPrincipal on thing/*': (y: Yaml) =>
    moveActions(vendStatements(y), 'VendCertificateThings', 'VendThings', [
      'iot:AttachThingPrincipal',
      'iot:DetachThingPrincipal',
    ]),
};

describe('IAM: each wrong grant of the old serverless.yml fails as AWS would fail it', () => {
  const zt = withZeroTouch(['generic'], { iam: 'on' });
  const scratch = mkdtempSync(join(tmpdir(), 'jitr-wrong-grants-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const emulator = () => zt.current.emulator;

  /** serverless.yml as shipped, or a copy with one wrong grant put back, loaded as the emulator loads it. */
  function serviceWith(wrongGrant?: keyof typeof WRONG_GRANTS): LocalService {
    const document = parse(readFileSync('serverless.yml', 'utf8')) as Yaml;
    if (wrongGrant) WRONG_GRANTS[wrongGrant](document);
    const directory = mkdtempSync(join(scratch, 'copy-'));
    writeFileSync(join(directory, 'serverless.yml'), stringify(document));
    const { region, accountId, controlPlane } = emulator();
    return loadService(directory, { region, accountId, queueUrl: (name) => `${controlPlane}/${accountId}/${name}` });
  }

  /** The functions' containers act with these roles from now on (same sessions as the emulator gave them). */
  function deploy(service: LocalService): void {
    for (const fn of service.functions.values()) {
      const role = service.iam.executionRoles.get(fn.key);
      if (!role) throw new Error(`no role for ${fn.key}`);
      emulator().iam.identities.assumeRole(role.name, fn.name, role.policies);
    }
  }
  afterAll(() => deploy(serviceWith()));

  const deniedActions = (since: number) =>
    emulator()
      .iam.denials()
      .slice(since)
      .map((line) => line.action);

  /** The first DLQ record that `wanted` picks (messages are received, not deleted: they come back later). */
  async function deadLetter(emulatorNow: LocalEmulator, wanted: (record: Yaml) => boolean): Promise<Yaml> {
    const sqs = sqsClientFor(emulatorNow);
    const queueUrl = `${emulatorNow.controlPlane}/${emulatorNow.accountId}/jitr-dev-onboard-dlq`;
    for (let polls = 0; polls < 6; polls++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          WaitTimeSeconds: 5,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      const mine = Messages.map((m) => JSON.parse(m.Body ?? '{}') as Yaml).find(wanted);
      if (mine) return mine;
    }
    throw new Error('no such dead letter');
  }

  it('onboarding with AttachThingPrincipal granted on thing/* lands in the DLQ; with the fixed role it onboards', async () => {
    deploy(serviceWith('onboard: Attach/DetachThingPrincipal on thing/*'));
    const fleet = zt.current.fleets[0];
    if (!fleet) throw new Error('no fleet');
    const device = await issueSimulatedDevice(fleet);

    await attemptSession(zt.current.target, device.identity);
    const record = await deadLetter(emulator(), (r) =>
      JSON.stringify(r.requestPayload ?? {}).includes(device.identity.certificateId),
    );

    expect(record.responsePayload.errorType).toBe('AccessDeniedException');
    expect(record.responsePayload.errorMessage).toContain('iot:AttachThingPrincipal on resource: arn:aws:iot:');
    expect(record.responsePayload.errorMessage).toContain(`:cert/${device.identity.certificateId}`);
    // The emulator logged the denial and each failed attempt (to the test's capture, not the test output).
    const logs = zt.current.emulatorLogs;
    expect(
      logs.eventsNamed('access-denied').filter((line) => line.action === 'iot:AttachThingPrincipal').length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      logs.eventsNamed('lambda-error').filter((line) => line.code === 'AccessDeniedException').length,
    ).toBeGreaterThanOrEqual(3);

    deploy(serviceWith());
    await attemptSession(zt.current.target, device.identity);
    const report = await zt.current.simulate([device]);
    expect(report.boot.online).toBe(1);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html: IoT invokes a function only where its
  // resource policy allows iot.amazonaws.com for the rule; the failed action triggers the rule's errorAction, which
  // acts as its roleArn (https://docs.aws.amazon.com/iot/latest/developerguide/rule-error-handling.html).
  it("invokes onboard only from rules its resource policy names (jitr_*): another rule's invoke fails to its errorAction", async () => {
    const fleet = zt.current.fleets[0];
    if (!fleet) throw new Error('no fleet');
    const { region, accountId } = emulator();
    const ruleName = `other_${fleet.certificateId.slice(0, 16)}`;
    await iotClientFor(emulator()).send(
      new CreateTopicRuleCommand({
        ruleName,
        topicRulePayload: {
          sql: `SELECT * FROM '$aws/events/certificates/registered/${fleet.certificateId}'`,
          actions: [{ lambda: { functionArn: `arn:aws:lambda:${region}:${accountId}:function:jitr-dev-onboard` } }],
          errorAction: {
            sqs: {
              queueUrl: `${emulator().controlPlane}/${accountId}/jitr-dev-onboard-dlq`,
              roleArn: `arn:aws:iam::${accountId}:role/jitr-dev-iot-rule-error`,
            },
          },
        },
      }),
    );
    const device = await issueSimulatedDevice(fleet);

    await attemptSession(zt.current.target, device.identity);
    const record = await deadLetter(emulator(), (r) => r.ruleName === ruleName);
    await iotClientFor(emulator()).send(new DeleteTopicRuleCommand({ ruleName }));

    expect(record.failures).toEqual([
      expect.objectContaining({
        failedAction: 'LambdaAction',
        errorMessage: expect.stringContaining('not allowed to invoke'),
      }),
    ]);
    expect(zt.current.emulatorLogs.eventsNamed('rule-error')).toContainEqual(
      expect.objectContaining({ code: 'ACCESS_DENIED', ruleName }),
    );
  });

  it('the reconciler with ListCertificatesByCA granted on cacert/* reports AccessDeniedException; fixed, it sweeps', async () => {
    const lambda = emulator().lambda;
    if (!lambda) throw new Error('no Lambda runner');
    deploy(serviceWith('reconcile: ListCertificatesByCA on cacert/*'));

    const denied = await lambda.invoke('jitr-dev-reconcile', {});

    expect(denied.ok).toBe(false);
    if (denied.ok) return;
    expect(denied.error.errorType).toBe('AccessDeniedException');
    expect(denied.error.errorMessage).toContain('iot:ListCertificatesByCA on resource: *');

    deploy(serviceWith());
    expect((await lambda.invoke('jitr-dev-reconcile', {})).ok).toBe(true);
  });

  describe('vend', () => {
    const provision = async (deviceId: string, csr?: string) =>
      vendRequest(emulator(), 'POST', '/devices', {
        token: await tokenFor((await vendClients()).ssm, deviceId),
        body: { deviceId, ...(csr ? { csr } : {}) },
      });
    let clients: Awaited<ReturnType<typeof setUpVend>> | undefined;
    const vendClients = async () => (clients ??= await setUpVend(emulator()));
    const csr = async (deviceId: string) => csrForKey((await generateKey('P-256')).privateKeyPem, deviceId);

    it.each([
      ['vend: CreateCertificateFromCsr on cert/*', 'iot:CreateCertificateFromCsr', true],
      ['vend: CreateKeysAndCertificate on cert/*', 'iot:CreateKeysAndCertificate', false],
      ['vend: Attach/DetachThingPrincipal on thing/*', 'iot:AttachThingPrincipal', true],
    ] as const)('answers its error when %s: AccessDeniedException for %s', async (grant, action, withCsr) => {
      await vendClients();
      const deviceId = `iam-${action.slice(4).toLowerCase()}`;
      deploy(serviceWith(grant));
      const since = emulator().iam.denials().length;

      const reply = await provision(deviceId, withCsr ? await csr(deviceId) : undefined);

      expect(reply.status).toBeGreaterThanOrEqual(500);
      expect(deniedActions(since)).toContain(action);
      deploy(serviceWith());
      expect((await provision(deviceId, withCsr ? await csr(deviceId) : undefined)).status).toBe(201);
    });

    it('answers its error on DELETE when ListAttachedPolicies is granted on cert/*', async () => {
      await vendClients();
      deploy(serviceWith());
      expect((await provision('iam-delete', await csr('iam-delete'))).status).toBe(201);
      deploy(serviceWith('vend: ListAttachedPolicies on cert/*'));
      const since = emulator().iam.denials().length;
      const token = await tokenFor((await vendClients()).ssm, 'iam-delete');

      const reply = await vendRequest(emulator(), 'DELETE', '/devices/iam-delete', { token });

      expect(reply.status).toBeGreaterThanOrEqual(500);
      expect(deniedActions(since)).toContain('iot:ListAttachedPolicies');
      deploy(serviceWith());
      expect((await vendRequest(emulator(), 'DELETE', '/devices/iam-delete', { token })).status).toBe(200);
    });
  });
});
