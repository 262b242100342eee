import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../errors.js';

/** Writers of AWS-shaped answers for the three wire protocols the control plane speaks. */

export function requestId(): string {
  return randomUUID();
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'x-amzn-RequestId': requestId(),
    'content-length': Buffer.byteLength(body).toString(),
    ...headers,
  });
  response.end(body);
}

/** REST-JSON (AWS IoT): 200 with the JSON body, or an empty body for operations without output. */
export function sendRestJson(response: ServerResponse, body: unknown): void {
  const text = body === undefined ? '{}' : JSON.stringify(body);
  send(response, 200, { 'content-type': 'application/json' }, text);
}

/** REST-JSON error: status, `x-amzn-ErrorType` header, and `__type` / `message` in the body. */
export function sendRestJsonError(response: ServerResponse, error: AwsServiceError): void {
  const body = JSON.stringify({ ...error.details, __type: error.code, message: error.message });
  send(response, error.statusCode, { 'content-type': 'application/json', 'x-amzn-ErrorType': error.code }, body);
}

export function sendJsonRpc(response: ServerResponse, version: '1.0' | '1.1', body: unknown): void {
  send(response, 200, { 'content-type': `application/x-amz-json-${version}` }, JSON.stringify(body ?? {}));
}

/**
 * JSON-RPC error. `namespace` qualifies `__type` as the service does (SQS answers `com.amazonaws.sqs#QueueDoesNotExist`);
 * `queryError` is SQS's `x-amzn-query-error` code for clients in query-compatible mode. The error's details join the
 * body (DynamoDB's ConditionalCheckFailedException carries the old `Item` there).
 */
export function sendJsonRpcError(
  response: ServerResponse,
  version: '1.0' | '1.1',
  error: AwsServiceError,
  options: { namespace?: string; queryError?: string } = {},
): void {
  const type = options.namespace ? `${options.namespace}#${error.code}` : error.code;
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-ErrorType': error.code,
  };
  if (options.queryError)
    headers['x-amzn-query-error'] = `${options.queryError};${error.statusCode >= 500 ? 'Receiver' : 'Sender'}`;
  send(response, error.statusCode, headers, JSON.stringify({ ...error.details, __type: type, message: error.message }));
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sendXml(response: ServerResponse, status: number, xml: string): void {
  send(response, status, { 'content-type': 'text/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

/** Query-protocol (STS) error document. */
export function sendQueryError(response: ServerResponse, error: AwsServiceError): void {
  const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  sendXml(
    response,
    error.statusCode,
    `<ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
  );
}

/** Any error as an AwsServiceError: unexpected ones become InternalFailureException without leaking details. */
export function asServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  return new AwsServiceError('InternalFailureException', 500, 'An unexpected error has occurred', { cause: error });
}
