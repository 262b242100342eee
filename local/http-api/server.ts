import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaRunner } from '../lambda/runner.js';
import { loadService } from '../lambda/service.js';
import { httpApiEvent, replyOf } from './event.js';
import { type HttpRoute, loadHttpRoutes, matchRoute } from './routes.js';

/**
 * The local API Gateway HTTP API: serves the `httpApi` routes of serverless.yml on 127.0.0.1 and invokes their
 * function synchronously through the emulator's Lambda runner with a payload 2.0 event, as API Gateway does.
 */
export interface HttpApiOptions {
  /** Runs the functions; without it every route answers 503 (no serverless.yml, or it did not load). */
  lambda?: LambdaRunner;
  serviceDirectory: string;
  region: string;
  accountId: string;
  stage?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  log?: (line: { event: string; code?: string; [field: string]: unknown }) => void;
}

export interface LocalHttpApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  routes: HttpRoute[];
  close(): Promise<void>;
}

/** API Gateway's payload limit for HTTP APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

type Resolve = (functionKey: string) => string | undefined;

function functionNames(options: HttpApiOptions, routes: HttpRoute[]): Resolve {
  if (routes.length === 0) return () => undefined;
  try {
    const service = loadService(options.serviceDirectory, {
      region: options.region,
      accountId: options.accountId,
      queueUrl: (name) => name,
      ...(options.stage !== undefined ? { stage: options.stage } : {}),
    });
    const byKey = new Map([...service.functions.values()].map((fn) => [fn.key, fn.name]));
    return (key) => byKey.get(key);
  } catch {
    return () => undefined;
  }
}

function send(response: ServerResponse, statusCode: number, headers: Record<string, string>, body: Buffer | string) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(statusCode, { ...headers, 'content-length': String(bytes.length) });
  response.end(bytes);
}

const message = (text: string) => JSON.stringify({ message: text });

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export async function startHttpApi(options: HttpApiOptions): Promise<LocalHttpApi> {
  const log = options.log ?? (() => {});
  let routes: HttpRoute[] = [];
  try {
    routes = loadHttpRoutes(options.serviceDirectory);
  } catch (error) {
    log({
      event: 'http-api-disabled',
      code: (error as { code?: string }).code ?? 'BAD_HTTP_ROUTE',
      message: (error as Error).message,
    });
  }
  const resolve = functionNames(options, routes);
  let domainName = '127.0.0.1';

  const server: Server = createServer((request, response) => {
    void (async () => {
      const json = { 'content-type': 'application/json' };
      const body = await readBody(request);
      if (body === 'too-large') return send(response, 413, json, message('Request Entity Too Large'));
      const method = request.method ?? 'GET';
      const url = request.url ?? '/';
      const match = matchRoute(routes, method, url.split('?')[0] ?? '/');
      if (!match) return send(response, 404, json, message('Not Found'));
      const name = resolve(match.route.functionKey);
      if (!options.lambda || !name) return send(response, 503, json, message('Service Unavailable'));
      const event = httpApiEvent({
        method,
        url,
        headers: request.headers,
        body,
        match,
        accountId: options.accountId,
        domainName,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        now: Date.now(),
      });
      const outcome = await options.lambda.invoke(name, event);
      if (!outcome.ok) {
        log({ event: 'http-api-function-error', code: outcome.error.errorType, functionName: name });
        return send(response, 500, json, message('Internal Server Error'));
      }
      const reply = replyOf(outcome.result);
      send(response, reply.statusCode, reply.headers, reply.body);
    })().catch((error: unknown) => {
      log({ event: 'http-api-error', code: 'INTERNAL', message: (error as Error).message });
      if (!response.headersSent)
        send(response, 500, { 'content-type': 'application/json' }, message('Internal Server Error'));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  domainName = `127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    close() {
      closed ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
