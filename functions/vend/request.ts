import * as z from 'zod/mini';
import { csrPublicKey } from './csr.js';
import { invalidField, VendError } from './errors.js';

/** Request bodies above this are refused before parsing (a CSR is about 1 KB; API Gateway's own limit is 10 MB). */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_CSR_CHARS = 8 * 1024;
const MAX_BEARER_CHARS = 4096;
/** Device ids become thing names: [a-zA-Z0-9:_-]{1,128}, lowercased. Balena UUIDs (32 or 62 hex) fit. */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9:_-]{0,127}$/;

/** `sourceIp`: the client address API Gateway saw (its TCP peer, not a header a client can set). */
export type VendRequest =
  | {
      kind: 'provision';
      deviceId: string;
      csr?: string;
      csrKey?: Buffer;
      rotate: boolean;
      bearer?: string;
      sourceIp?: string;
    }
  | { kind: 'deprovision'; deviceId: string; bearer?: string; sourceIp?: string };

/** The parts of an API Gateway HTTP API (payload format 2.0) event this function reads. */
const HttpEventSchema = z.object({
  requestContext: z.object({
    http: z.object({ method: z.string(), path: z.optional(z.string()), sourceIp: z.optional(z.string()) }),
  }),
  rawPath: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
  pathParameters: z.optional(z.record(z.string(), z.optional(z.string()))),
  body: z.optional(z.nullable(z.string())),
  isBase64Encoded: z.optional(z.boolean()),
});

const ProvisionBodySchema = z.strictObject({
  deviceId: z.string(),
  csr: z.optional(z.string()),
  rotate: z.optional(z.boolean()),
});

export type HttpEvent = z.infer<typeof HttpEventSchema>;

export function headerOf(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** `Authorization: Bearer <token>`; undefined when absent or of another scheme (the caller then answers 401). */
export function bearerOf(event: Pick<HttpEvent, 'headers'>): string | undefined {
  const value = headerOf(event, 'authorization');
  if (value === undefined || value.length > MAX_BEARER_CHARS) return undefined;
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(value.trim());
  return match?.[1];
}

export function checkDeviceId(value: unknown, field = 'deviceId'): string {
  if (typeof value !== 'string' || value === '') throw invalidField(field, `${field} is required (a string)`);
  if (!DEVICE_ID.test(value)) {
    throw invalidField(field, `${field} must match [A-Za-z0-9][A-Za-z0-9:_-]{0,127}`, 'INVALID_DEVICE_ID');
  }
  return value;
}

function bodyText(event: HttpEvent): string {
  const raw = event.body ?? '';
  // Measure before decoding, so a huge body costs nothing but this comparison.
  if (raw.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES)) {
    throw new VendError('BODY_TOO_LARGE', 413, `the request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new VendError('BODY_TOO_LARGE', 413, `the request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  return text;
}

function provisionRequest(event: HttpEvent): VendRequest {
  const type = headerOf(event, 'content-type');
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    throw new VendError('UNSUPPORTED_MEDIA_TYPE', 415, 'the request body must be application/json');
  }
  const text = bodyText(event);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new VendError('BODY_NOT_JSON', 400, 'the request body is not JSON');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new VendError('BODY_NOT_OBJECT', 400, 'the request body must be a JSON object');
  }
  const parsed = ProvisionBodySchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || (issue?.code === 'unrecognized_keys' ? 'body' : 'body');
    if (issue?.code === 'unrecognized_keys') {
      throw invalidField(field, `unknown field(s): ${issue.keys.slice(0, 5).join(', ')}`, 'UNKNOWN_FIELD');
    }
    if (field === 'deviceId') checkDeviceId((document as { deviceId?: unknown }).deviceId);
    throw invalidField(field, `${field}: ${issue?.message ?? 'invalid'}`);
  }
  const { deviceId, csr, rotate } = parsed.data;
  checkDeviceId(deviceId);
  if (csr !== undefined && (csr.length === 0 || csr.length > MAX_CSR_CHARS)) {
    throw invalidField('csr', `csr must be a PEM of at most ${MAX_CSR_CHARS} characters`, 'INVALID_CSR');
  }
  const csrKey = csr !== undefined ? csrPublicKey(csr) : undefined;
  const bearer = bearerOf(event);
  return {
    kind: 'provision',
    deviceId,
    rotate: rotate === true,
    ...(csr !== undefined && csrKey ? { csr, csrKey } : {}),
    ...(bearer !== undefined ? { bearer } : {}),
  };
}

/**
 * Reads the route and validates every field: `POST /devices` with `{ deviceId, csr?, rotate? }`, or
 * `DELETE /devices/{deviceId}` with no body. Throws VendError (400, 404, 405, 413, 415) with a stable code.
 */
export function parseHttpEvent(input: unknown): VendRequest {
  const parsed = HttpEventSchema.safeParse(input);
  if (!parsed.success) throw new VendError('MALFORMED_EVENT', 400, 'not an HTTP API (payload 2.0) event');
  const event = parsed.data;
  const sourceIp = event.requestContext.http.sourceIp;
  const source = sourceIp !== undefined && sourceIp !== '' ? { sourceIp: sourceIp.slice(0, 64) } : {};
  return { ...routeRequest(event), ...source };
}

function routeRequest(event: HttpEvent): VendRequest {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath ?? event.requestContext.http.path ?? '';
  if (path === '/devices') {
    if (method !== 'POST') throw new VendError('METHOD_NOT_ALLOWED', 405, 'use POST /devices');
    return provisionRequest(event);
  }
  const match = /^\/devices\/([^/]+)$/.exec(path);
  if (!match) throw new VendError('NOT_FOUND', 404, 'no such route');
  if (method !== 'DELETE') throw new VendError('METHOD_NOT_ALLOWED', 405, 'use DELETE /devices/{deviceId}');
  if ((event.body ?? '') !== '') bodyText(event);
  let raw = event.pathParameters?.deviceId ?? match[1] ?? '';
  try {
    raw = decodeURIComponent(raw);
  } catch {
    throw invalidField('deviceId', 'deviceId is not a valid path segment', 'INVALID_DEVICE_ID');
  }
  const deviceId = checkDeviceId(raw);
  const bearer = bearerOf(event);
  return { kind: 'deprovision', deviceId, ...(bearer !== undefined ? { bearer } : {}) };
}
