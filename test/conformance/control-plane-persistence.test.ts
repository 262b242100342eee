import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateTopicRuleCommand,
  DescribeCertificateCommand,
  GetPolicyCommand,
  GetRegistrationCodeCommand,
  GetTopicRuleCommand,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../local/server.js';
import { captureEmulatorLogs, printOnFailure } from '../helpers/emulator-logs.js';
import { iotClientFor, sqsClientFor, ssmClientFor } from '../helpers/aws.js';
import { ALLOW_CONNECT_POLICY, registeredCa, registeredDevice } from './control-plane-fixtures.js';

describe('control plane: --state persistence', () => {
  const logs = captureEmulatorLogs();
  printOnFailure(() => logs);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitr-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('restores every record, the registration code and queued messages after a restart', async () => {
    const statePath = join(dir, 'state.json');
    const first = await startLocal({ logs, statePath, accountId: '123456789012', region: 'eu-west-1' });
    const iot = iotClientFor(first);
    const ca = await registeredCa(iot);
    const device = await registeredDevice(iot, ca, 'INACTIVE');
    await iot.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'REVOKED' }));
    await iot.send(new CreateThingCommand({ thingName: 'kept', attributePayload: { attributes: { a: '1' } } }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'kept', principal: device.certificateArn }));
    await iot.send(new CreatePolicyCommand({ policyName: 'kept-policy', policyDocument: ALLOW_CONNECT_POLICY }));
    await iot.send(new AttachPolicyCommand({ policyName: 'kept-policy', target: device.certificateArn }));
    await iot.send(
      new CreateTopicRuleCommand({
        ruleName: 'kept_rule',
        topicRulePayload: { sql: "SELECT * FROM 'a/b'", actions: [] },
      }),
    );
    await ssmClientFor(first).send(new PutParameterCommand({ Name: '/kept', Value: 'v', Type: 'String' }));
    const { QueueUrl } = await sqsClientFor(first).send(new CreateQueueCommand({ QueueName: 'kept-dlq' }));
    await sqsClientFor(first).send(new SendMessageCommand({ QueueUrl, MessageBody: 'failed event' }));
    const code = (await iot.send(new GetRegistrationCodeCommand({}))).registrationCode;
    await first.stop();

    const second = await startLocal({ logs, statePath, accountId: '123456789012', region: 'eu-west-1' });
    try {
      const again = iotClientFor(second);
      expect((await again.send(new GetRegistrationCodeCommand({}))).registrationCode).toBe(code);
      const { certificateDescription } = await again.send(
        new DescribeCertificateCommand({ certificateId: device.certificateId }),
      );
      expect(certificateDescription).toMatchObject({ status: 'REVOKED', caCertificateId: ca.certificateId });
      expect((await again.send(new ListPrincipalThingsCommand({ principal: device.certificateArn }))).things).toEqual([
        'kept',
      ]);
      const attached = await again.send(new ListAttachedPoliciesCommand({ target: device.certificateArn }));
      expect(attached.policies?.map((p) => p.policyName)).toEqual(['kept-policy']);
      expect((await again.send(new GetPolicyCommand({ policyName: 'kept-policy' }))).policyDocument).toBe(
        ALLOW_CONNECT_POLICY,
      );
      expect((await again.send(new GetTopicRuleCommand({ ruleName: 'kept_rule' }))).rule?.sql).toBe(
        "SELECT * FROM 'a/b'",
      );
      expect((await ssmClientFor(second).send(new GetParameterCommand({ Name: '/kept' }))).Parameter?.Value).toBe('v');
      const newUrl = `${second.controlPlane}/123456789012/kept-dlq`;
      const received = await sqsClientFor(second).send(new ReceiveMessageCommand({ QueueUrl: newUrl }));
      expect(received.Messages?.[0]?.Body).toBe('failed event');
    } finally {
      await second.stop();
    }
  });

  it('restarts in the account and region of the state file, and refuses another account', async () => {
    const statePath = join(dir, 'scoped.json');
    const first = await startLocal({ logs, statePath, accountId: '210987654321', region: 'ap-south-1' });
    await first.stop();
    const second = await startLocal({ logs, statePath });
    await second.stop();
    expect(second).toMatchObject({ accountId: '210987654321', region: 'ap-south-1' });
    await expect(startLocal({ logs, statePath, accountId: '999999999999' })).rejects.toMatchObject({
      code: 'BAD_STATE',
    });
  });

  it('refuses to start when the state file cannot be written, with code BAD_STATE', async () => {
    // A missing directory is made (`--state .jitr/state.json` on a fresh clone); one under a plain file cannot be.
    await writeFile(join(dir, 'a-file'), 'not a directory');
    const statePath = join(dir, 'a-file', 'state.json');
    await expect(startLocal({ logs, statePath })).rejects.toMatchObject({ code: 'BAD_STATE' });
  });

  it('makes the missing directory of a state file', async () => {
    const statePath = join(dir, 'fresh-clone', '.jitr', 'state.json');
    const emulator = await startLocal({ logs, statePath });
    await emulator.stop();
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toBeTypeOf('object');
  });

  it('saves the state file with owner-only permissions', async () => {
    const statePath = join(dir, 'private.json');
    const emulator = await startLocal({ logs, statePath });
    await emulator.stop();
    const { stat } = await import('node:fs/promises');
    expect((await stat(statePath)).mode & 0o077).toBe(0);
    expect(JSON.parse(await readFile(statePath, 'utf8')).format).toBe('jitr-local-state');
  });

  it('refuses a state file that is not one, with code BAD_STATE', async () => {
    const statePath = join(dir, 'garbage.json');
    await writeFile(statePath, '{"hello":');
    await expect(startLocal({ logs, statePath })).rejects.toMatchObject({ code: 'BAD_STATE' });
    await writeFile(statePath, '{"hello":"world"}');
    await expect(startLocal({ logs, statePath })).rejects.toMatchObject({ code: 'BAD_STATE' });
  });
});
