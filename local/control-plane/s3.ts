import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryStore } from '../state/store.js';
import { escapeXml, requestId } from './responses.js';

/**
 * A minimal Amazon S3 (REST-XML, path-style `/<bucket>/<key>`): CreateBucket, PutObject, GetObject, HeadObject,
 * DeleteObject: what a CRL kept in S3 needs, so the onboarding Lambda's GetObject runs here as it does on AWS.
 * Requests must be SigV4-signed for service `s3` (credentials are not checked, as everywhere in the emulator); an
 * anonymous request is refused with AccessDenied, as AWS refuses one on a private bucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */

export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (general purpose buckets). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A request for S3: signed with a credential scope of service `s3` (header or presigned query). */
export function isS3Request(request: IncomingMessage, url: URL): boolean {
  const authorization = request.headers.authorization ?? '';
  if (/Credential=[^/,\s]+\/\d{8}\/[^/]+\/s3\/aws4_request/.test(authorization)) return true;
  return /\/s3\/aws4_request$/.test(url.searchParams.get('X-Amz-Credential') ?? '');
}

export interface S3Request {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** Bucket and key of a path-style URL; the key keeps its slashes. */
export function s3Target(url: URL): { bucket: string; key?: string } {
  const path = url.pathname.replace(/^\/+/, '');
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
  const rawKey = slash === -1 ? '' : path.slice(slash + 1);
  return rawKey === '' ? { bucket } : { bucket, key: decodeURIComponent(rawKey) };
}

/**
 * The payload of an `aws-chunked` upload (what the SDK sends for a streamed body with a trailing checksum):
 * `<hex size>[;chunk-signature=...]\r\n<data>\r\n` ... `0\r\n<trailers>\r\n\r\n`.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) throw new S3Error('IncompleteBody', 400, 'The request body terminated unexpectedly');
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw new S3Error('InvalidRequest', 400, 'Malformed aws-chunked body');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

function payloadOf(request: S3Request): Buffer {
  const encoding = String(request.headers['content-encoding'] ?? '');
  const sha = String(request.headers['x-amz-content-sha256'] ?? '');
  return encoding.includes('aws-chunked') || sha.startsWith('STREAMING-')
    ? decodeAwsChunked(request.body)
    : request.body;
}

export interface S3Answer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

function objectHeaders(record: { contentType: string; etag: string; lastModified: number; body: Buffer }) {
  return {
    'content-type': record.contentType,
    etag: record.etag,
    'last-modified': new Date(record.lastModified).toUTCString(),
    'content-length': String(record.body.length),
  };
}

/** Serves one S3 request against the store. Throws S3Error for the documented error responses. */
export function serveS3(store: RegistryStore, request: S3Request, now: number): S3Answer {
  const { bucket, key } = s3Target(request.url);
  if (!BUCKET_NAME.test(bucket))
    throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
  const objects = store.objects;
  if (key === undefined) {
    if (request.method !== 'PUT')
      throw new S3Error('NotImplemented', 501, 'Only CreateBucket is served on a bucket here');
    if (!objects.createBucket(bucket) && store.scope.region !== 'us-east-1') {
      // us-east-1 answers 200 to the owner re-creating a bucket (legacy behaviour); other regions refuse.
      throw new S3Error(
        'BucketAlreadyOwnedByYou',
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: bucket },
      );
    }
    return { status: 200, headers: { location: `/${bucket}` } };
  }
  if (!objects.hasBucket(bucket))
    throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
  switch (request.method) {
    case 'PUT': {
      const contentType = String(request.headers['content-type'] ?? 'binary/octet-stream');
      const record = objects.put(bucket, key, payloadOf(request), contentType, now)!;
      return { status: 200, headers: { etag: record.etag } };
    }
    case 'GET':
    case 'HEAD': {
      const record = objects.get(bucket, key);
      if (!record) {
        if (request.method === 'HEAD') return { status: 404, headers: {} };
        throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
      }
      return {
        status: 200,
        headers: objectHeaders(record),
        ...(request.method === 'GET' ? { body: record.body } : {}),
      };
    }
    case 'DELETE':
      objects.delete(bucket, key);
      return { status: 204, headers: {} };
    default:
      throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
  }
}

export function sendS3(response: ServerResponse, answer: S3Answer): void {
  const body = answer.body ?? Buffer.alloc(0);
  response.writeHead(answer.status, {
    'x-amz-request-id': requestId(),
    ...('content-length' in answer.headers ? {} : { 'content-length': String(body.length) }),
    ...answer.headers,
  });
  response.end(body);
}

export function sendS3Error(response: ServerResponse, error: S3Error): void {
  const extra = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${requestId()}</RequestId></Error>`;
  const body = Buffer.from(xml);
  if (response.headersSent) return;
  response.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': String(body.length),
    'x-amz-request-id': requestId(),
  });
  response.end(body);
}

/** The S3 actions and resources IAM authorizes for a request (identifiers of the Service Authorization Reference). */
export function s3Checks(request: S3Request): { action: string; identifiers: Record<string, string | undefined> }[] {
  const { bucket, key } = s3Target(request.url);
  if (key === undefined) return [{ action: 's3:CreateBucket', identifiers: { BucketName: bucket } }];
  const action =
    request.method === 'PUT' ? 's3:PutObject' : request.method === 'DELETE' ? 's3:DeleteObject' : 's3:GetObject';
  return [{ action, identifiers: { BucketName: bucket, ObjectName: key } }];
}
