import type { ServerResponse } from 'node:http';
import { CRL_DISTRIBUTION_BUCKET } from '../state/objects.js';
import type { RegistryStore } from '../state/store.js';

/**
 * Test CRL distribution points: `PUT /crl/<name>` stores a CRL (any bytes), `GET /crl/<name>` serves it as
 * `application/pkix-crl` (RFC 5280 4.2.1.13 / RFC 2585), unauthenticated, as a CA's public http distribution point is.
 * Not an AWS API: the emulator's stand-in for the CA owner's web server. The name is one path segment.
 */
const NAME = /^[A-Za-z0-9._-]{1,128}$/;

export function crlRouteName(pathname: string): string | undefined {
  const match = /^\/crl\/([^/]+)$/.exec(pathname);
  if (!match) return undefined;
  try {
    const name = decodeURIComponent(match[1]!);
    return NAME.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}

export function serveCrlRoute(
  store: RegistryStore,
  method: string,
  name: string,
  body: Buffer,
  now: number,
  response: ServerResponse,
): void {
  if (method === 'PUT') {
    store.objects.put(CRL_DISTRIBUTION_BUCKET, name, body, 'application/pkix-crl', now);
    response.writeHead(204);
    response.end();
    return;
  }
  if (method === 'DELETE') {
    store.objects.delete(CRL_DISTRIBUTION_BUCKET, name);
    response.writeHead(204);
    response.end();
    return;
  }
  if (method !== 'GET') return plain(response, 405, 'method not allowed');
  const record = store.objects.get(CRL_DISTRIBUTION_BUCKET, name);
  if (!record) return plain(response, 404, `no CRL named ${name}`);
  response.writeHead(200, { 'content-type': record.contentType, 'content-length': String(record.body.length) });
  response.end(record.body);
}
