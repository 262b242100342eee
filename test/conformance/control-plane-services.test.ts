import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { sqsClientFor, ssmClientFor, stsClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf } from './control-plane-fixtures.js';

describe('control plane: SSM, SQS and STS pieces', () => {
  const local = withEmulator({ accountId: '111122223333' });
  const ssm = () => ssmClientFor(local.emulator);
  const sqs = () => sqsClientFor(local.emulator);

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
  // Overwrite defaults to false: "ParameterAlreadyExists: The parameter already exists."
  it('refuses to overwrite a parameter unless Overwrite is set, then bumps its version', async () => {
    const first = await ssm().send(new PutParameterCommand({ Name: '/jitr/ca', Value: 'one', Type: 'String' }));
    expect(first.Version).toBe(1);
    const failure = await failureOf(
      ssm().send(new PutParameterCommand({ Name: '/jitr/ca', Value: 'two', Type: 'String' })),
    );
    expect(failure.name).toBe('ParameterAlreadyExists');
    const second = await ssm().send(new PutParameterCommand({ Name: '/jitr/ca', Value: 'two', Overwrite: true }));
    expect(second.Version).toBe(2);
    expect((await ssm().send(new GetParameterCommand({ Name: '/jitr/ca' }))).Parameter).toMatchObject({
      Value: 'two',
      Version: 2,
    });
  });

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
  // WithDecryption: "Return decrypted values for secure string parameters. This flag is ignored for String and StringList".
  it('returns a SecureString in clear only WithDecryption', async () => {
    await ssm().send(new PutParameterCommand({ Name: '/jitr/secret', Value: 's3cret', Type: 'SecureString' }));
    const sealed = await ssm().send(new GetParameterCommand({ Name: '/jitr/secret' }));
    const clear = await ssm().send(new GetParameterCommand({ Name: '/jitr/secret', WithDecryption: true }));
    expect(sealed.Parameter?.Value).not.toBe('s3cret');
    expect(clear.Parameter).toMatchObject({ Value: 's3cret', Type: 'SecureString' });
  });

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html (ParameterNotFound)
  it('answers ParameterNotFound for a missing parameter', async () => {
    expect((await failureOf(ssm().send(new GetParameterCommand({ Name: '/missing' })))).name).toBe('ParameterNotFound');
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
  // "If you provide the name of an existing queue along with the exact names and values of all the queue's attributes,
  // CreateQueue returns the queue URL for the existing queue."
  it('creates a queue idempotently and finds its URL by name', async () => {
    const created = await sqs().send(new CreateQueueCommand({ QueueName: 'onboard-dlq' }));
    const again = await sqs().send(new CreateQueueCommand({ QueueName: 'onboard-dlq' }));
    const found = await sqs().send(new GetQueueUrlCommand({ QueueName: 'onboard-dlq' }));
    expect(again.QueueUrl).toBe(created.QueueUrl);
    expect(found.QueueUrl).toBe(created.QueueUrl);
    expect((await failureOf(sqs().send(new GetQueueUrlCommand({ QueueName: 'nope' })))).name).toBe('QueueDoesNotExist');
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (QueueNameExists)
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
  it('refuses a queue name taken with other attributes, lists, purges and deletes queues', async () => {
    const { QueueUrl } = await sqs().send(
      new CreateQueueCommand({ QueueName: 'tidy', Attributes: { DelaySeconds: '0' } }),
    );
    const clash = await failureOf(
      sqs().send(new CreateQueueCommand({ QueueName: 'tidy', Attributes: { DelaySeconds: '5' } })),
    );
    expect(clash.name).toBe('QueueNameExists');
    expect((await sqs().send(new ListQueuesCommand({ QueueNamePrefix: 'tid' }))).QueueUrls).toEqual([QueueUrl]);
    await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await sqs().send(new PurgeQueueCommand({ QueueUrl }));
    expect((await sqs().send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    await sqs().send(new DeleteQueueCommand({ QueueUrl }));
    expect((await failureOf(sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: 'y' })))).name).toBe(
      'QueueDoesNotExist',
    );
  });

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
  // Name: "To query by parameter version, use "Name": "name:version"" (ParameterVersionNotFound for a version not kept);
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-versions.html: deleting a parameter
  // deletes its versions, so a new parameter of that name starts at version 1.
  it('reads an earlier version by name:version, and a re-created parameter starts again at version 1', async () => {
    await ssm().send(new PutParameterCommand({ Name: '/jitr/versioned', Value: 'one', Type: 'String' }));
    await ssm().send(new PutParameterCommand({ Name: '/jitr/versioned', Value: 'two', Overwrite: true }));
    const first = await ssm().send(new GetParameterCommand({ Name: '/jitr/versioned:1' }));
    expect(first.Parameter).toMatchObject({ Value: 'one', Version: 1 });
    expect((await failureOf(ssm().send(new GetParameterCommand({ Name: '/jitr/versioned:3' })))).name).toBe(
      'ParameterVersionNotFound',
    );
    await ssm().send(new DeleteParameterCommand({ Name: '/jitr/versioned' }));
    const again = await ssm().send(new PutParameterCommand({ Name: '/jitr/versioned', Value: 'new', Type: 'String' }));
    expect(again.Version).toBe(1);
    expect((await failureOf(ssm().send(new GetParameterCommand({ Name: '/jitr/versioned:2' })))).name).toBe(
      'ParameterVersionNotFound',
    );
  });

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html ("Standard parameters have a
  // value limit of 4 KB. Advanced parameters have a value limit of 8 KB."; Tier: Standard | Advanced |
  // Intelligent-Tiering) and https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
  // (Intelligent-Tiering picks the tier by the value; an advanced parameter can't revert to standard).
  it('holds 4 KB in the standard tier and 8 KB in the advanced one, and never downgrades a parameter', async () => {
    const small = 'x'.repeat(4096);
    const large = 'x'.repeat(4097);
    expect((await ssm().send(new PutParameterCommand({ Name: '/jitr/tier', Value: small, Type: 'String' }))).Tier).toBe(
      'Standard',
    );
    const tooLarge = await failureOf(
      ssm().send(new PutParameterCommand({ Name: '/jitr/tier', Value: large, Overwrite: true })),
    );
    expect(tooLarge.name).toBe('ValidationException');
    expect(tooLarge.message).toContain('maximum parameter value of 4096 characters');
    expect((await ssm().send(new GetParameterCommand({ Name: '/jitr/tier' }))).Parameter?.Version).toBe(1);

    const tiered = await ssm().send(
      new PutParameterCommand({ Name: '/jitr/tier', Value: large, Overwrite: true, Tier: 'Intelligent-Tiering' }),
    );
    expect(tiered).toMatchObject({ Tier: 'Advanced', Version: 2 });
    // Advanced for good: a small value, with or without Intelligent-Tiering, stays advanced; Standard is refused.
    const stays = await ssm().send(
      new PutParameterCommand({ Name: '/jitr/tier', Value: 'small', Overwrite: true, Tier: 'Intelligent-Tiering' }),
    );
    expect(stays.Tier).toBe('Advanced');
    const downgrade = await failureOf(
      ssm().send(new PutParameterCommand({ Name: '/jitr/tier', Value: 'small', Overwrite: true, Tier: 'Standard' })),
    );
    expect(downgrade.name).toBe('ValidationException');

    const overAdvanced = await failureOf(
      ssm().send(
        new PutParameterCommand({ Name: '/jitr/big', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced' }),
      ),
    );
    expect(overAdvanced.name).toBe('ValidationException');
    expect(
      (
        await ssm().send(
          new PutParameterCommand({ Name: '/jitr/big', Value: 'x'.repeat(8192), Type: 'String', Tier: 'Advanced' }),
        )
      ).Tier,
    ).toBe('Advanced');
    const unknownTier = await failureOf(
      ssm().send(new PutParameterCommand({ Name: '/jitr/odd', Value: 'v', Type: 'String', Tier: 'Premium' as never })),
    );
    expect(unknownTier.name).toBe('ValidationException');
  });

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameter.html
  it('deletes a parameter, and answers ParameterNotFound the second time', async () => {
    await ssm().send(new PutParameterCommand({ Name: '/jitr/gone', Value: 'v', Type: 'String' }));
    await ssm().send(new DeleteParameterCommand({ Name: '/jitr/gone' }));
    expect((await failureOf(ssm().send(new DeleteParameterCommand({ Name: '/jitr/gone' })))).name).toBe(
      'ParameterNotFound',
    );
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
  it('hides a received message for its visibility timeout and deletes it by receipt handle', async () => {
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: 'visibility' }));
    await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: 'event-1' }));
    const received = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'] }),
    );
    const message = received.Messages?.[0];
    expect(message?.Body).toBe('event-1');
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await sqs().send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    const attributes = await sqs().send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    await sqs().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    const after = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(after.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
  it('long-polls: a receive waiting with WaitTimeSeconds gets a message sent meanwhile', async () => {
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: 'long-poll' }));
    const waiting = sqs().send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' }));
    expect((await waiting).Messages?.[0]?.Body).toBe('late');
  });

  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
  it('names the emulated account as the caller', async () => {
    const identity = await stsClientFor(local.emulator).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('111122223333');
    expect(identity.Arn).toBe('arn:aws:iam::111122223333:user/jitr-local-admin');
  });
});
