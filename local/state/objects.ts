import { createHash } from 'node:crypto';

/** One stored object. Times are epoch ms. */
export interface ObjectRecord {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: number;
}

/**
 * The emulator's object store: S3 buckets (path-style, `local/control-plane/s3.ts`) and the test CRL distribution
 * points (`GET/PUT /crl/<name>`, kept under a name no S3 bucket can have). In memory only: not part of the snapshot.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, ObjectRecord>>();

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  createBucket(bucket: string): boolean {
    if (this.buckets.has(bucket)) return false;
    this.buckets.set(bucket, new Map());
    return true;
  }

  get(bucket: string, key: string): ObjectRecord | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Stores an object in an existing bucket (false: no such bucket). */
  put(bucket: string, key: string, body: Buffer, contentType: string, now: number): ObjectRecord | undefined {
    const objects = this.buckets.get(bucket);
    if (!objects) return undefined;
    const record = {
      body,
      contentType,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: now,
    };
    objects.set(key, record);
    return record;
  }

  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }
}

/** The pseudo-bucket of `GET/PUT /crl/<name>` (a `#` never appears in an S3 bucket name). */
export const CRL_DISTRIBUTION_BUCKET = '#crl';
