import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteMatch } from './routes.js';

/** What API Gateway HTTP APIs send a Lambda integration (payload format version 2.0). */
export interface HttpApiEventInput {
  method: string;
  /** Path and query as received (`/devices?x=1`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  match: RouteMatch;
  accountId: string;
  domainName: string;
  sourceIp: string;
  now: number;
}

const TEXT_TYPES = /^(application\/(json|xml|x-www-form-urlencoded)|text\/)/i;

export function httpApiEvent(input: HttpApiEventInput): Record<string, unknown> {
  const [rawPath = '/', rawQueryString = ''] = input.url.split(/\?(.*)/s, 2);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString))
    query[key] = key in query ? `${query[key]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const binary = input.body.length > 0 && contentType !== '' && !TEXT_TYPES.test(contentType);
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: input.match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: input.accountId,
      apiId: 'local',
      domainName: input.domainName,
      domainPrefix: 'local',
      http: {
        method: input.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: input.match.route.routeKey,
      stage: '$default',
      time: new Date(input.now).toUTCString(),
      timeEpoch: input.now,
    },
    ...(Object.keys(input.match.pathParameters).length > 0 ? { pathParameters: input.match.pathParameters } : {}),
    ...(input.body.length > 0
      ? { body: binary ? input.body.toString('base64') : input.body.toString('utf8'), isBase64Encoded: binary }
      : { isBase64Encoded: false }),
  };
}

export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Turns a handler's result into the HTTP response, as HTTP APIs do for payload 2.0: an object with `statusCode` is used
 * as it is (headers, body, isBase64Encoded, cookies); anything else is a 200 whose JSON body is the result.
 */
export function replyOf(result: unknown): HttpReply {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
      cookies?: unknown;
    };
    const headers: Record<string, string> = {};
    if (r.headers && typeof r.headers === 'object') {
      for (const [name, value] of Object.entries(r.headers)) headers[name.toLowerCase()] = String(value);
    }
    if (Array.isArray(r.cookies) && r.cookies.length > 0) headers['set-cookie'] = r.cookies.map(String).join(', ');
    const text = typeof r.body === 'string' ? r.body : r.body === undefined ? '' : JSON.stringify(r.body);
    const statusCode = Number(r.statusCode);
    return {
      statusCode: Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599 ? statusCode : 500,
      headers,
      body: r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
    };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(text, 'utf8') };
}
