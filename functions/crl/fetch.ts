import { OnboardError } from '../errors.js';
import type { ParameterReader } from '../fleet-config.js';
import { type CrlLocation, describeLocation } from './location.js';

/** How the Lambda reads a CRL from each kind of location. `undefined`: the object / parameter does not exist. */
export interface CrlReaders {
  http(url: string): Promise<Uint8Array>;
  s3(bucket: string, key: string): Promise<Uint8Array | undefined>;
  ssm: ParameterReader;
}

/** A CRL could not be read (network, permissions, missing object): CRL_UNREACHABLE. */
export class CrlFetchError extends OnboardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CRL_UNREACHABLE', message, options);
    this.name = 'CrlFetchError';
  }
}

/** CRLs of a device fleet are small; anything this large is not one (and must not fill the Lambda's memory). */
export const MAX_CRL_BYTES = 8 * 1024 * 1024;
const HTTP_TIMEOUT_MS = 5_000;

/** GET over http(s) with Node's fetch: 200 only, bounded in time and size. */
export async function httpGet(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow' });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new CrlFetchError(`GET ${url} answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_CRL_BYTES) {
    await response.body?.cancel();
    throw new CrlFetchError(`GET ${url}: ${declared} bytes is too large for a CRL`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_CRL_BYTES) throw new CrlFetchError(`GET ${url}: ${bytes.length} bytes is too large for a CRL`);
  return bytes;
}

/** The bytes (or the SSM parameter's text) of the CRL at `location`. Throws CrlFetchError. */
export async function fetchCrl(
  location: Exclude<CrlLocation, { kind: 'dp' }>,
  readers: CrlReaders,
): Promise<Uint8Array | string> {
  const where = describeLocation(location);
  try {
    switch (location.kind) {
      case 'url':
        return await readers.http(location.url);
      case 's3': {
        const bytes = await readers.s3(location.bucket, location.key);
        if (bytes === undefined) throw new CrlFetchError(`${where} does not exist`);
        return bytes;
      }
      case 'ssm': {
        const text = await readers.ssm(location.name);
        if (text === undefined) throw new CrlFetchError(`${where} does not exist`);
        return text;
      }
    }
  } catch (error) {
    if (error instanceof CrlFetchError) throw error;
    const name = (error as { name?: string }).name ?? 'Error';
    throw new CrlFetchError(`${where} could not be read: ${name}: ${(error as Error).message}`, { cause: error });
  }
}
