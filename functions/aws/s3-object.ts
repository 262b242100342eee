import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider, SourceData } from '@smithy/types';

/**
 * S3 GetObject as one SigV4-signed GET (the SDK's own signer), instead of @aws-sdk/client-s3: that client adds ~200 KB
 * to the minified Lambda bundle (docs/benchmarks.md keeps it under 400 KB) for one call. Virtual-hosted style on AWS;
 * path-style on an endpoint override (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL: the local emulator). A bucket in another
 * region answers with its region in `x-amz-bucket-region`: the request is signed again for it, once.
 */
export interface S3ObjectReaderOptions {
  region: () => Promise<string>;
  credentials: Provider<AwsCredentialIdentity>;
  endpoint?: string;
  timeoutMs?: number;
}

/** node:crypto behind the Checksum interface SignatureV4 takes (what @smithy/hash-node does). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class S3AccessError extends Error {
  constructor(
    readonly status: number,
    readonly s3Code: string,
  ) {
    super(`S3 answered HTTP ${status} ${s3Code}`);
    this.name = s3Code || 'S3Error';
  }
}

export function s3ObjectReader(
  options: S3ObjectReaderOptions,
): (bucket: string, key: string) => Promise<Uint8Array | undefined> {
  const get = async (
    bucket: string,
    key: string,
    region: string,
    retried: boolean,
  ): Promise<Uint8Array | undefined> => {
    const base = options.endpoint
      ? new URL(`${options.endpoint.replace(/\/+$/, '')}/${bucket}/${encodeKey(key)}`)
      : new URL(`https://${bucket}.s3.${region}.amazonaws.com/${encodeKey(key)}`);
    const signer = new SignatureV4({
      service: 's3',
      region,
      credentials: options.credentials,
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: true,
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path: base.pathname,
      query: {},
      headers: { host: base.host },
    });
    const response = await fetch(base, {
      headers: signed.headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      redirect: 'manual',
    });
    if (response.status === 200) return new Uint8Array(await response.arrayBuffer());
    const text = await response.text();
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '';
    if (response.status === 404 && code === 'NoSuchKey') return undefined;
    const otherRegion = response.headers.get('x-amz-bucket-region');
    if (!retried && otherRegion && otherRegion !== region) return get(bucket, key, otherRegion, true);
    throw new S3AccessError(response.status, code);
  };
  return async (bucket, key) => get(bucket, key, await options.region(), false);
}
