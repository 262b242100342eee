import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuedCa } from '../../certs/issue.js';
import type { ApiCallCounter } from '../api-calls.js'; // reliability: call counter
import { AwsServiceError, internalFailure, invalidRequest, throttling } from '../errors.js';
import type { FaultInjector } from '../faults.js';
import type { LocalIam } from '../iam/authorizer.js';
import type { ErrorFlavour } from '../iam/errors.js';
import { iotChecks } from '../iam/requests/iot.js';
import { rpcChecks } from '../iam/requests/rpc.js';
import type { QuotaLimiter } from '../quotas.js';
import type { RegistryStore } from '../state/store.js';
import { DYNAMODB_ERROR_NAMESPACE, DYNAMODB_TARGET_PREFIX, dynamoOperations } from './dynamodb/index.js';
import type { IotContext, IotOperation } from './iot/context.js';
import { iotRouter } from './iot/index.js';
import {
  asServiceError,
  sendJsonRpc,
  sendJsonRpcError,
  sendQueryError,
  sendRestJson,
  sendRestJsonError,
  sendXml,
} from './responses.js';
import { crlRouteName, serveCrlRoute } from './crl-route.js';
import type { Router } from './router.js';
import { isS3Request, S3Error, type S3Request, s3Checks, sendS3, sendS3Error, serveS3 } from './s3.js';
import { asServiceNamed, type ErrorService } from './service-errors.js';
import { SQS_QUERY_CODES, type SqsContext, sqsOperations } from './sqs.js';
import { asSqsQueryError, isSqsQueryAction, sqsQueryInput, sqsQueryResponseXml } from './sqs-query.js';
import { ssmOperations } from './ssm.js';
import { callerIdentityXml } from './sts.js';

export interface ControlPlaneOptions {
  store: RegistryStore;
  quotas: QuotaLimiter;
  faults: FaultInjector;
  amazonCa: () => Promise<IssuedCa>;
  now?: () => number;
  /** Larger request bodies get 413 (AWS IoT's own limits are far lower for every operation used here). */
  maxBodyBytes?: number;
  /** How long a `timeout` fault holds a request before dropping the connection. */
  faultTimeoutMs?: number;
  /** reliability: counts every call by operation and fate (served, throttled, faulted). */
  calls?: ApiCallCounter;
  /** IAM: identifies and authorizes every request before it is served (absent: everything is served). */
  iam?: LocalIam;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** Past this, an oversized body is not even drained: the connection is cut. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

type Protocol = 'rest-json' | 'json-1.0' | 'json-1.1' | 'query';

/**
 * The emulator's HTTP endpoint: AWS IoT (REST-JSON), SQS (JSON 1.0 and query), DynamoDB (JSON 1.0), SSM (JSON 1.1) and
 * STS (query) on one port.
 */
export class ControlPlane {
  private readonly server: Server;
  private readonly router: Router<IotOperation>;
  private readonly now: () => number;
  private readonly iotContext: IotContext;
  private readonly sqsContext: SqsContext;
  private readonly waiters = new Set<() => void>();
  private closing = false;
  private address = '';

  constructor(private readonly options: ControlPlaneOptions) {
    this.now = options.now ?? Date.now;
    this.router = iotRouter();
    this.iotContext = { store: options.store, now: this.now, amazonCa: options.amazonCa };
    this.sqsContext = {
      store: options.store,
      now: this.now,
      baseUrl: () => this.address,
      waitForMessage: (queue, ms) => this.waitForMessage(queue, ms),
    };
    this.server = createServer({ keepAlive: true }, (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        process.stderr.write(`jitr local: control plane failed a request: ${(error as Error).message}\n`);
        if (!response.headersSent) sendRestJsonError(response, internalFailure());
        else response.destroy();
      });
    });
    this.server.keepAliveTimeout = 10_000;
    // Bytes that are not HTTP never reach a handler: answer them AWS-style once, then close.
    this.server.on('clientError', (_error, socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const body = JSON.stringify({ __type: 'InvalidRequestException', message: 'Malformed HTTP request' });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-ErrorType: InvalidRequestException\r\n` +
          `connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  /** Binds to loopback only; resolves with `http://127.0.0.1:<port>`. */
  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port: bound } = this.server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${bound}`;
    return this.address;
  }

  get url(): string {
    return this.address;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const release of this.waiters) release();
    this.waiters.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private waitForMessage(queue: string, ms: number): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const queues = this.options.store.queues;
      const onMessage = (name: string) => {
        if (name === queue) done();
      };
      const timer = setTimeout(() => done(), Math.max(0, ms));
      const done = () => {
        clearTimeout(timer);
        queues.events.off('message', onMessage);
        this.waiters.delete(done);
        resolve(!this.closing);
      };
      queues.events.on('message', onMessage);
      this.waiters.add(done);
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = requestUrl(request.url);
    const target = headerOf(request, 'x-amz-target');
    const protocol: Protocol = target
      ? target.startsWith('AmazonSSM.')
        ? 'json-1.1'
        : 'json-1.0'
      : request.method === 'POST' && isForm(request) && (url?.pathname === '/' || isQueueUrlPath(url))
        ? 'query'
        : 'rest-json';
    const body = await readBody(request, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
    if (body === 'too-large') {
      response.shouldKeepAlive = false;
      const error = new AwsServiceError('RequestEntityTooLargeException', 413, 'The request body is too large');
      return this.sendError(response, protocol, error, target);
    }
    try {
      if (!url) throw invalidRequest('The request target is not a path');
      const crlName = crlRouteName(url.pathname);
      if (crlName !== undefined) {
        return serveCrlRoute(this.options.store, request.method ?? 'GET', crlName, body, this.now(), response);
      }
      if (isS3Request(request, url)) return await this.handleS3(request, response, url, body);
      if (protocol === 'query') return await this.handleQuery(request, response, url, body);
      if (protocol === 'rest-json') return await this.handleIot(request, response, url, body);
      return await this.handleRpc(request, response, protocol, target ?? '', body);
    } catch (error) {
      const serviceError = asServiceError(error);
      if (serviceError.statusCode >= 500 && !(error instanceof AwsServiceError)) {
        process.stderr.write(`jitr local: internal error: ${(error as Error)?.message ?? String(error)}\n`);
      }
      this.sendError(response, protocol, serviceError, target);
    }
  }

  /** Quotas, then injected faults. Returns true when the call was answered (or dropped) here. */
  private async admit(
    operation: string,
    response: ServerResponse,
    protocol: Protocol,
    target?: string,
    resource?: string,
  ): Promise<boolean> {
    const delay = this.options.faults.takeDelay(operation, resource);
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
    if (!this.options.quotas.tryAcquire(operation, this.now())) {
      this.options.calls?.record(operation, 'throttled'); // reliability
      this.sendError(response, protocol, throttling('Rate exceeded'), target);
      return true;
    }
    const fault = this.options.faults.apiFault(operation);
    this.options.calls?.record(operation, fault === undefined ? 'served' : 'faulted'); // reliability
    if (fault === 'throttle') this.sendError(response, protocol, throttling('Rate exceeded (injected fault)'), target);
    else if (fault === '500') this.sendError(response, protocol, internalFailure('Injected fault'), target);
    else if (fault === 'timeout') {
      await new Promise((resolve) => setTimeout(resolve, this.options.faultTimeoutMs ?? 1000));
      response.socket?.destroy();
    }
    return fault !== undefined;
  }

  private async handleIot(request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const match = this.router.match(request.method ?? 'GET', url.pathname);
    if (match === undefined) {
      throw new AwsServiceError('UnknownOperationException', 404, `No operation at ${request.method} ${url.pathname}`);
    }
    if (match === 'method-not-allowed') {
      throw new AwsServiceError(
        'MethodNotAllowedException',
        405,
        `${request.method} is not allowed on ${url.pathname}`,
      );
    }
    const parsed = parseJsonObject(body, () => invalidRequest('The request body is not a JSON object'));
    const iotRequest = { labels: match.labels, query: url.searchParams, headers: request.headers, body: parsed };
    await this.authorize(request, 'rest-json', () => iotChecks(match.value.name, iotRequest, this.options.store.scope));
    if (await this.admit(match.value.name, response, 'rest-json')) return;
    const result = await match.value.handler(this.iotContext, iotRequest);
    sendRestJson(response, result);
  }

  /** S3 (REST-XML): its own error document, so S3 errors (IAM's included) never reach the JSON error writers. */
  private async handleS3(request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const s3Request: S3Request = { method: request.method ?? 'GET', url, headers: request.headers, body };
    try {
      try {
        await this.authorize(request, 'rest-json', () => s3Checks(s3Request));
      } catch (error) {
        if (error instanceof AwsServiceError)
          throw new S3Error(error.statusCode === 403 ? 'AccessDenied' : error.code, 403, error.message);
        throw error;
      }
      sendS3(response, serveS3(this.options.store, s3Request, this.now()));
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      sendS3Error(response, error);
    }
  }

  /** IAM: the caller from its access key, then each authorization the request needs (nothing when IAM is off). */
  private async authorize(
    request: IncomingMessage,
    flavour: ErrorFlavour,
    checks: () => ReturnType<typeof iotChecks> | undefined,
  ): Promise<void> {
    const iam = this.options.iam;
    if (!iam?.enabled) return;
    const identity = iam.identify(headerOf(request, 'authorization'), flavour);
    await iam.authorize(identity, checks() ?? [], flavour);
  }

  private async handleRpc(
    request: IncomingMessage,
    response: ServerResponse,
    protocol: Protocol,
    target: string,
    body: Buffer,
  ): Promise<void> {
    const [service, operation = ''] = target.split('.');
    const serialization = () =>
      new AwsServiceError('SerializationException', 400, 'The request body is not a JSON object');
    if (service === 'AmazonSQS' && Object.hasOwn(sqsOperations, operation)) {
      const input = parseJsonObject(body, serialization);
      await this.authorize(request, 'json', () => rpcChecks(target, input));
      if (await this.admit(operation, response, protocol, target)) return;
      return sendJsonRpc(response, '1.0', await sqsOperations[operation]!(this.sqsContext, input));
    }
    if (service === 'AmazonSSM' && Object.hasOwn(ssmOperations, operation)) {
      const input = parseJsonObject(body, serialization);
      const resource = typeof input.Name === 'string' ? input.Name : undefined;
      await this.authorize(request, 'json', () => rpcChecks(target, input));
      if (await this.admit(operation, response, protocol, target, resource)) return;
      return sendJsonRpc(response, '1.1', await ssmOperations[operation]!(this.iotContext, input));
    }
    if (service === DYNAMODB_TARGET_PREFIX && Object.hasOwn(dynamoOperations, operation)) {
      const input = parseJsonObject(body, serialization);
      await this.authorize(request, 'json', () => rpcChecks(target, input));
      if (await this.admit(operation, response, protocol, target)) return;
      return sendJsonRpc(response, '1.0', await dynamoOperations[operation]!(this.iotContext, input));
    }
    throw new AwsServiceError('UnknownOperationException', 400, `Unknown operation ${target}`);
  }

  private async handleQuery(request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action');
    if (isSqsQueryAction(action)) {
      try {
        const input = sqsQueryInput(params, url.pathname);
        await this.authorize(request, 'query', () => rpcChecks(`AmazonSQS.${action}`, input));
        if (await this.admit(action, response, 'query', 'AmazonSQS.')) return;
        const output = await sqsOperations[action]!(this.sqsContext, input);
        return sendXml(response, 200, sqsQueryResponseXml(action, output));
      } catch (error) {
        return this.sendError(response, 'query', asServiceError(error), 'AmazonSQS.');
      }
    }
    if (action !== 'GetCallerIdentity') {
      throw new AwsServiceError('InvalidAction', 400, `Could not find operation ${action ?? '(none)'}`);
    }
    // GetCallerIdentity needs no permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html),
    // but the key must be known.
    const authorization = headerOf(request, 'authorization');
    const identity = this.options.iam?.identify(authorization, 'query');
    sendXml(response, 200, callerIdentityXml(this.options.store.scope.accountId, authorization, identity?.arn));
  }

  /** `target` names the service of an RPC call (`AmazonSQS.` for SQS over the query protocol). */
  private sendError(response: ServerResponse, protocol: Protocol, raised: AwsServiceError, target?: string): void {
    const sqs = target?.startsWith('AmazonSQS.') === true;
    const error = asServiceNamed(serviceOf(target), raised);
    if (protocol === 'query') {
      sendQueryError(response, sqs ? asSqsQueryError(error) : error);
      return;
    }
    if (protocol === 'rest-json') {
      sendRestJsonError(response, error);
      return;
    }
    const dynamo = target?.startsWith(`${DYNAMODB_TARGET_PREFIX}.`) === true;
    sendJsonRpcError(response, protocol === 'json-1.1' ? '1.1' : '1.0', error, {
      ...(sqs ? { namespace: 'com.amazonaws.sqs' } : {}),
      ...(dynamo ? { namespace: DYNAMODB_ERROR_NAMESPACE } : {}),
      ...(sqs && SQS_QUERY_CODES[error.code] ? { queryError: SQS_QUERY_CODES[error.code] } : {}),
    });
  }
}

function serviceOf(target: string | undefined): ErrorService {
  if (target?.startsWith('AmazonSQS.')) return 'sqs';
  if (target?.startsWith('AmazonSSM.')) return 'ssm';
  if (target?.startsWith(`${DYNAMODB_TARGET_PREFIX}.`)) return 'dynamodb';
  return 'iot';
}

/** The request target as a URL; undefined when it is not an origin-form path (e.g. `*` or a bare authority). */
function requestUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    return new URL(`http://127.0.0.1${target}`);
  } catch {
    return undefined;
  }
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `/<12-digit account>/<queue name>`: a queue URL's path, where old SQS query clients post. */
function isQueueUrlPath(url: URL | undefined): boolean {
  return url !== undefined && /^\/\d{12}\/[A-Za-z0-9_-]{1,80}$/.test(url.pathname);
}

function isForm(request: IncomingMessage): boolean {
  return (headerOf(request, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
}

/** The request body, or 'too-large' once past `limit` (the rest is drained so the client reads the answer). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        request.destroy();
        return;
      }
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new Error('the client closed the connection before the body ended'));
    });
  });
}

function parseJsonObject(body: Buffer, error: () => AwsServiceError): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw error();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw error();
  return parsed as Record<string, unknown>;
}
