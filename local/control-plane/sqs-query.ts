import { AwsServiceError } from '../errors.js';
import { escapeXml, requestId } from './responses.js';
import type { RpcInput } from './rpc-input.js';
import { SQS_QUERY_CODES, sqsOperations } from './sqs.js';

/**
 * SQS's query protocol (form-encoded `Action=...&Version=2012-11-05`, XML answers), the wire format of SQS clients built
 * before SQS moved to AWS JSON 1.0 in 2023, among them the AWS CLI of Debian 12's `awscli` package. Requests are turned
 * into the JSON input the operations in `sqs.ts` take, and their JSON output back into the query protocol's XML, so both
 * protocols share one implementation.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-xml.html
 */
const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Operations whose model has no output: their answer holds only ResponseMetadata. */
const WITHOUT_OUTPUT = new Set(['DeleteQueue', 'PurgeQueue', 'DeleteMessage']);

const INTEGER_MEMBERS = new Set([
  'DelaySeconds',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'MaxResults',
]);

/** Flattened lists: `AttributeName.1=All` is `AttributeNames: ['All']`. */
const LIST_MEMBERS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
};

export function isSqsQueryAction(action: string | null): action is string {
  return action !== null && Object.hasOwn(sqsOperations, action);
}

/**
 * The JSON-protocol input of a query request. `path` is the request path: old clients post to the queue URL itself
 * instead of naming it in `QueueUrl`.
 */
export function sqsQueryInput(params: URLSearchParams, path: string): RpcInput {
  const input: RpcInput = {};
  const lists: Record<string, Map<number, string>> = {};
  const attributes = new Map<number, { Name?: string; Value?: string }>();
  const messageAttributes = new Map<number, { Name?: string; Value: Record<string, string> }>();
  for (const [key, value] of params) {
    const [head = '', index, ...rest] = key.split('.');
    const position = Number(index);
    if (head === 'Action' || head === 'Version') continue;
    if (LIST_MEMBERS[head] && rest.length === 0 && Number.isInteger(position)) {
      (lists[LIST_MEMBERS[head]] ??= new Map()).set(position, value);
    } else if (head === 'Attribute' && Number.isInteger(position) && (rest[0] === 'Name' || rest[0] === 'Value')) {
      const entry = attributes.get(position) ?? {};
      entry[rest[0]] = value;
      attributes.set(position, entry);
    } else if (head === 'MessageAttribute' && Number.isInteger(position)) {
      const entry = messageAttributes.get(position) ?? { Value: {} };
      if (rest[0] === 'Name') entry.Name = value;
      else if (rest[0] === 'Value' && rest[1]) entry.Value[rest[1]] = value;
      messageAttributes.set(position, entry);
    } else if (index === undefined) {
      input[head] = INTEGER_MEMBERS.has(head) && /^-?\d{1,10}$/.test(value) ? Number(value) : value;
    }
  }
  for (const [member, items] of Object.entries(lists)) input[member] = inOrder(items);
  if (attributes.size > 0) {
    input.Attributes = Object.fromEntries(inOrder(attributes).map((entry) => [entry.Name ?? '', entry.Value ?? '']));
  }
  if (messageAttributes.size > 0) {
    input.MessageAttributes = Object.fromEntries(
      inOrder(messageAttributes).map((entry) => [entry.Name ?? '', entry.Value]),
    );
  }
  if (input.QueueUrl === undefined && path !== '/') input.QueueUrl = path;
  return input;
}

function inOrder<T>(entries: Map<number, T>): T[] {
  return [...entries.entries()].sort(([a], [b]) => a - b).map(([, value]) => value);
}

/** The XML answer of a query request, from the operation's JSON output. */
export function sqsQueryResponseXml(action: string, output: unknown): string {
  const result = WITHOUT_OUTPUT.has(action) ? '' : `<${action}Result>${membersXml(output)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${NAMESPACE}">${result}` +
    `<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function membersXml(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  return Object.entries(value as Record<string, unknown>)
    .map(([key, member]) => memberXml(key, member))
    .join('');
}

function memberXml(key: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (key === 'QueueUrls' && Array.isArray(value)) return value.map((url) => element('QueueUrl', String(url))).join('');
  if (key === 'Messages' && Array.isArray(value))
    return value.map((item) => `<Message>${membersXml(item)}</Message>`).join('');
  if (key === 'Attributes' && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([name, item]) => `<Attribute>${element('Name', name)}${element('Value', String(item))}</Attribute>`)
      .join('');
  }
  if (key === 'MessageAttributes' && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(
        ([name, item]) =>
          `<MessageAttribute>${element('Name', name)}<Value>${membersXml(item)}</Value></MessageAttribute>`,
      )
      .join('');
  }
  if (typeof value === 'object') return `<${key}>${membersXml(value)}</${key}>`;
  return element(key, String(value));
}

function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/**
 * An SQS error as the query protocol names it: the model's query code (`AWS.SimpleQueueService.NonExistentQueue`,
 * `QueueAlreadyExists`, ...) where the JSON protocol says `QueueDoesNotExist`, `QueueNameExists`.
 */
export function asSqsQueryError(error: AwsServiceError): AwsServiceError {
  const code = SQS_QUERY_CODES[error.code];
  if (code === undefined || code === error.code) return error;
  return new AwsServiceError(code, error.statusCode, error.message, { cause: error, details: error.details });
}
