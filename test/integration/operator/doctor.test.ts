import {
  CreatePolicyVersionCommand,
  DeleteTopicRuleCommand,
  DisableTopicRuleCommand,
  ReplaceTopicRuleCommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetCa } from '../../../certs/fleet.js';
import { issueFleetDevice } from '../../../certs/fleet.js';
import { preconfigure } from '../../../scripts/operator/preconfigure.js';
import { withEmulator } from '../../helpers/aws.js';
import { jitr, json, spawnJitr } from './cli-harness.js';
import { adminClients, deployStage, operatorClients, preconfiguredCa } from './operator-fixture.js';

interface DoctorReport {
  healthy: boolean;
  findings: { code: string; severity: string; subject: string; fix: string }[];
}

describe('jitr doctor', () => {
  const local = withEmulator();
  let ca: FleetCa;
  const clients = () => operatorClients(local.emulator);
  /** What the tests break, they break as admin: the operator policy is for the jitr commands. */
  const admin = () => adminClients(local.emulator);
  const ruleName = () => `jitr_dev_${ca.certificateId}`;
  const doctor = async () => {
    const run = await jitr(local.emulator, 'doctor', '--json');
    return { code: run.code, report: json(run) as unknown as DoctorReport };
  };
  const codes = (report: DoctorReport) => report.findings.map((finding) => finding.code);
  /** preconfigure repairs whatever a test broke in the CA's setup (it is idempotent). */
  const repair = () => preconfigure(clients(), { caCertificate: ca.certificatePem, profile: 'generic' });

  beforeAll(async () => {
    await deployStage(local.emulator);
    ca = await preconfiguredCa(local.emulator);
  });

  it('reports a freshly preconfigured setup as healthy (exit 0), also through bin/jitr.js', async () => {
    const inProcess = await doctor();
    const spawned = await spawnJitr(local.emulator, 'doctor');

    expect(inProcess.code).toBe(0);
    expect(inProcess.report).toMatchObject({ healthy: true, findings: [] });
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toContain('Healthy');
  });

  it.each([
    [
      'the rule is deleted',
      'RULE_MISSING',
      () => admin().iot.send(new DeleteTopicRuleCommand({ ruleName: ruleName() })),
    ],
    [
      'the rule is disabled',
      'RULE_DISABLED',
      () => admin().iot.send(new DisableTopicRuleCommand({ ruleName: ruleName() })),
    ],
    [
      'the rule invokes another function',
      'RULE_WRONG_FUNCTION',
      () =>
        admin().iot.send(
          new ReplaceTopicRuleCommand({
            ruleName: ruleName(),
            topicRulePayload: {
              sql: `SELECT * FROM '$aws/events/certificates/registered/${ca.certificateId}'`,
              actions: [{ lambda: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:someone-else' } }],
              errorAction: {
                sqs: {
                  queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/jitr-dev-onboard-dlq',
                  roleArn: 'arn:aws:iam::000000000000:role/jitr-dev-iot-rule-error',
                },
              },
            },
          }),
        ),
    ],
    [
      'the CA is inactive',
      'CA_INACTIVE',
      () =>
        admin().iot.send(new UpdateCACertificateCommand({ certificateId: ca.certificateId, newStatus: 'INACTIVE' })),
    ],
    [
      'auto-registration is off',
      'CA_AUTO_REGISTRATION_OFF',
      () =>
        admin().iot.send(
          new UpdateCACertificateCommand({ certificateId: ca.certificateId, newAutoRegistrationStatus: 'DISABLE' }),
        ),
    ],
    [
      'the policy is broadened',
      'POLICY_TOO_BROAD',
      () =>
        admin().iot.send(
          new CreatePolicyVersionCommand({
            policyName: 'jitr-device',
            setAsDefault: true,
            policyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }],
            }),
          }),
        ),
    ],
  ])('detects that %s, with a fix, and exits 1', async (_fault, code, inject) => {
    await inject();

    const { code: exit, report } = await doctor();
    await repair();

    expect(exit).toBe(1);
    expect(report.healthy).toBe(false);
    expect(codes(report)).toEqual([code]);
    expect(report.findings[0]?.fix).not.toBe('');
    expect((await doctor()).report.healthy).toBe(true);
  });

  it('detects a broken and a missing fleet configuration', async () => {
    const ssm = admin().ssm;
    const name = '/jitr/dev/fleet-config';
    const saved = local.emulator.store.parameters.get(name)?.value ?? '';

    await ssm.send(new PutParameterCommand({ Name: name, Value: '{"version":1,"trustedCas":[{}]}', Overwrite: true }));
    const broken = await doctor();
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    const missing = await doctor();
    await ssm.send(new PutParameterCommand({ Name: name, Value: saved, Type: 'String' }));

    expect(broken.code).toBe(1);
    expect(codes(broken.report)).toEqual(['FLEET_CONFIG_INVALID']);
    expect(codes(missing.report)).toEqual(['FLEET_CONFIG_MISSING']);
    expect((await doctor()).report.healthy).toBe(true);
  });

  it('detects a policy that does not exist', async () => {
    const ssm = admin().ssm;
    const name = '/jitr/dev/fleet-config';
    const saved = local.emulator.store.parameters.get(name)?.value ?? '';
    const config = JSON.parse(saved);
    config.trustedCas[0].policyName = 'nobody-made-this';

    await ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(config), Overwrite: true }));
    const report = (await doctor()).report;
    await ssm.send(new PutParameterCommand({ Name: name, Value: saved, Overwrite: true }));

    expect(codes(report)).toEqual(['POLICY_MISSING']);
  });

  it('detects a message in the dead-letter queue', async () => {
    const sqs = admin().sqs;
    const queueUrl = `${local.emulator.controlPlane}/000000000000/jitr-dev-onboard-dlq`;

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"certificateId":"x"}' }));
    const report = (await doctor()).report;
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

    expect(codes(report)).toEqual(['DLQ_NOT_EMPTY']);
    expect(report.findings[0]?.fix).toContain('jitr replay');
  });

  it('detects a certificate left PENDING_ACTIVATION since long ago', async () => {
    const device = await issueFleetDevice(ca, {});
    const store = local.emulator.store;
    store.autoRegisterCertificate({
      certificatePem: device.certificatePem,
      caCertificateId: ca.certificateId,
      now: Date.now() - 2 * 3_600_000,
    });

    const report = (await doctor()).report;
    store.deleteCertificate(device.certificateId);

    expect(codes(report)).toEqual(['CERTIFICATES_STUCK_PENDING']);
    expect(report.findings[0]?.subject).toBe(ca.certificateId);
  });

  it('warns about a CA that expires within 90 days (exit 0: a warning) and names a CA the registry lacks', async () => {
    const expiring = await preconfiguredCa(local.emulator, 'generic', { days: 30 });
    const expiringReport = await doctor();
    const store = local.emulator.store;
    const record = store.getCa(expiring.certificateId);
    store.deleteCa(expiring.certificateId);
    const missingReport = await doctor();
    if (record) store.putCa(record);

    expect(expiringReport.code).toBe(0);
    expect(expiringReport.report.findings).toEqual([
      expect.objectContaining({ code: 'CA_EXPIRING', severity: 'warning', subject: expiring.certificateId }),
    ]);
    expect(codes(missingReport.report)).toEqual(['CA_MISSING']);
  });
});
