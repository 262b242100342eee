import { AwsServiceError } from '../errors.js';
import { queueArn } from '../state/arns.js';
import { type QueueMessage, queueNameOf } from '../state/queues.js';
import type { RegistryStore } from '../state/store.js';
import { type RpcInput, rpcInteger, rpcString, rpcStringList, rpcStringMap } from './rpc-input.js';

/** The SQS operations the pipeline uses, in the AWS JSON 1.0 protocol (`x-amz-target: AmazonSQS.<Operation>`). */
export interface SqsContext {
  store: RegistryStore;
  now(): number;
  /** `http://127.0.0.1:<port>`, the prefix of every queue URL. */
  baseUrl(): string;
  /** Resolves true when a message arrives or the wait is over, false when the emulator is stopping. */
  waitForMessage(queueName: string, ms: number): Promise<boolean>;
}

/** SQS error codes with the query-compatible codes the SDK maps back (`x-amzn-query-error`). */
export const SQS_QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid',
  InvalidAddress: 'InvalidAddress',
  InvalidParameterValue: 'InvalidParameterValue',
  MissingParameter: 'MissingParameter',
  InvalidAttributeName: 'InvalidAttributeName',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  RequestThrottled: 'RequestThrottled',
};

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const sqsError = (code: string, status: number, message: string) => new AwsServiceError(code, status, message);
const noQueue = () => sqsError('QueueDoesNotExist', 400, 'The specified queue does not exist.');

function queueUrl(context: SqsContext, name: string): string {
  return `${context.baseUrl()}/${context.store.scope.accountId}/${name}`;
}

function existingQueue(context: SqsContext, input: RpcInput): string {
  const name = queueNameOf(rpcString(input, 'QueueUrl', true));
  if (!context.store.queues.get(name)) throw noQueue();
  return name;
}

function createQueue(context: SqsContext, input: RpcInput) {
  const name = rpcString(input, 'QueueName', true);
  if (!QUEUE_NAME.test(name)) throw sqsError('InvalidParameterValue', 400, 'QueueName must match [A-Za-z0-9_-]{1,80}');
  const attributes = rpcStringMap(input, 'Attributes');
  const existing = context.store.queues.get(name);
  if (existing) {
    const same = Object.entries(attributes).every(([key, value]) => existing.attributes[key] === value);
    if (!same)
      throw sqsError('QueueNameExists', 400, 'A queue already exists with the same name and different attributes.');
  } else {
    context.store.queues.create(name, attributes, context.now());
  }
  return { QueueUrl: queueUrl(context, name) };
}

function getQueueUrl(context: SqsContext, input: RpcInput) {
  const name = rpcString(input, 'QueueName', true);
  if (!context.store.queues.get(name)) throw noQueue();
  return { QueueUrl: queueUrl(context, name) };
}

function listQueues(context: SqsContext, input: RpcInput) {
  const prefix = rpcString(input, 'QueueNamePrefix') ?? '';
  const urls = context.store.queues
    .list()
    .filter((queue) => queue.name.startsWith(prefix))
    .map((queue) => queueUrl(context, queue.name));
  return urls.length > 0 ? { QueueUrls: urls } : {};
}

function deleteQueue(context: SqsContext, input: RpcInput) {
  context.store.queues.delete(existingQueue(context, input));
  return {};
}

function purgeQueue(context: SqsContext, input: RpcInput) {
  const queue = context.store.queues.get(existingQueue(context, input));
  if (queue) queue.messages.length = 0;
  return {};
}

function sendMessage(context: SqsContext, input: RpcInput) {
  const name = existingQueue(context, input);
  const body = rpcString(input, 'MessageBody', true);
  if (Buffer.byteLength(body) > 256 * 1024) throw sqsError('InvalidParameterValue', 400, 'MessageBody is over 256 KiB');
  const delaySeconds = rpcInteger(input, 'DelaySeconds', { min: 0, max: 900 });
  const attributes = input.MessageAttributes;
  const message = context.store.queues.send(name, body, context.now(), {
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
    ...(attributes && typeof attributes === 'object'
      ? { messageAttributes: attributes as Record<string, unknown> }
      : {}),
  });
  if (!message) throw noQueue();
  return { MD5OfMessageBody: message.md5OfBody, MessageId: message.messageId };
}

function systemAttributes(message: QueueMessage, wanted: string[]): Record<string, string> | undefined {
  const all: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SenderId: 'jitr-local',
  };
  const picked = Object.entries(all).filter(([key]) => wanted.includes('All') || wanted.includes(key));
  return picked.length > 0 ? Object.fromEntries(picked) : undefined;
}

/** ReceiveMessage with VisibilityTimeout and long polling (WaitTimeSeconds up to 20). */
async function receiveMessage(context: SqsContext, input: RpcInput) {
  const name = existingQueue(context, input);
  const max = rpcInteger(input, 'MaxNumberOfMessages', { min: 1, max: 10 }) ?? 1;
  const visibility = rpcInteger(input, 'VisibilityTimeout', { min: 0, max: 43_200 });
  const waitSeconds = rpcInteger(input, 'WaitTimeSeconds', { min: 0, max: 20 }) ?? 0;
  const wanted = [...rpcStringList(input, 'AttributeNames'), ...rpcStringList(input, 'MessageSystemAttributeNames')];
  const deadline = context.now() + waitSeconds * 1000;
  let messages = context.store.queues.receive(name, max, context.now(), visibility);
  while (messages.length === 0 && context.now() < deadline) {
    if (!(await context.waitForMessage(name, deadline - context.now()))) break;
    if (!context.store.queues.get(name)) throw noQueue();
    messages = context.store.queues.receive(name, max, context.now(), visibility);
  }
  if (messages.length === 0) return {};
  return {
    Messages: messages.map((message) => {
      const attributes = systemAttributes(message, wanted);
      return {
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        ...(attributes ? { Attributes: attributes } : {}),
        ...(message.messageAttributes ? { MessageAttributes: message.messageAttributes } : {}),
      };
    }),
  };
}

function deleteMessage(context: SqsContext, input: RpcInput) {
  const name = existingQueue(context, input);
  const handle = rpcString(input, 'ReceiptHandle', true);
  if (!/^[0-9a-f-]{36}#[0-9a-f-]{36}$/.test(handle)) {
    throw sqsError('ReceiptHandleIsInvalid', 404, 'The input receipt handle is invalid.');
  }
  context.store.queues.deleteMessage(name, handle);
  return {};
}

function getQueueAttributes(context: SqsContext, input: RpcInput) {
  const name = existingQueue(context, input);
  const queue = context.store.queues.get(name)!;
  const counts = context.store.queues.counts(name, context.now());
  const all: Record<string, string> = {
    VisibilityTimeout: '30',
    DelaySeconds: '0',
    MessageRetentionPeriod: '345600',
    MaximumMessageSize: '262144',
    ReceiveMessageWaitTimeSeconds: '0',
    ...queue.attributes,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    QueueArn: queueArn(context.store.scope, name),
  };
  const wanted = rpcStringList(input, 'AttributeNames');
  const picked = Object.entries(all).filter(([key]) => wanted.includes('All') || wanted.includes(key));
  return picked.length > 0 ? { Attributes: Object.fromEntries(picked) } : {};
}

export const sqsOperations: Record<string, (context: SqsContext, input: RpcInput) => unknown> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  PurgeQueue: purgeQueue,
  SendMessage: sendMessage,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  GetQueueAttributes: getQueueAttributes,
};
