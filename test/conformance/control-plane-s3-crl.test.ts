import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3ObjectReader } from '../../functions/aws/s3-object.js';
import { TEST_CREDENTIALS, withEmulator } from '../helpers/aws.js';
import { failureOf } from './control-plane-fixtures.js';

describe('control plane: S3 objects and CRL distribution points', () => {
  const local = withEmulator({ accountId: '111122223333' });
  const s3 = () =>
    new S3Client({
      endpoint: local.emulator.controlPlane,
      region: local.emulator.region,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and API_GetObject.html
  it('stores an object with the SDK and serves it back with its ETag', async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'fleet-crls' }));
    const put = await s3().send(
      new PutObjectCommand({ Bucket: 'fleet-crls', Key: 'ca/one.crl', Body: Buffer.from([0x30, 0x01, 0x00]) }),
    );

    const got = await s3().send(new GetObjectCommand({ Bucket: 'fleet-crls', Key: 'ca/one.crl' }));

    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(got.ETag).toBe(put.ETag);
    expect([...(await got.Body!.transformToByteArray())]).toEqual([0x30, 0x01, 0x00]);
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: NoSuchKey 404, NoSuchBucket 404
  it('answers NoSuchKey for a missing key and NoSuchBucket for a missing bucket', async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'fleet-crls-2' }));

    const noKey = await failureOf(s3().send(new GetObjectCommand({ Bucket: 'fleet-crls-2', Key: 'absent' })));
    const noBucket = await failureOf(s3().send(new GetObjectCommand({ Bucket: 'never-made', Key: 'x' })));

    expect(noKey.name).toBe('NoSuchKey');
    expect(noKey.status).toBe(404);
    expect(noBucket.name).toBe('NoSuchBucket');
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  it('refuses a bucket name S3 does not allow', async () => {
    const failure = await failureOf(s3().send(new CreateBucketCommand({ Bucket: 'Upper_Case' })));

    expect(failure.name).toBe('InvalidBucketName');
  });

  it("reads an object with the Lambda's signed GET, and undefined once it is deleted", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'lambda-reads' }));
    await s3().send(new PutObjectCommand({ Bucket: 'lambda-reads', Key: 'a/b.crl', Body: 'crl bytes' }));
    const read = s3ObjectReader({
      region: async () => local.emulator.region,
      credentials: async () => TEST_CREDENTIALS,
      endpoint: local.emulator.controlPlane,
    });

    const before = await read('lambda-reads', 'a/b.crl');
    await s3().send(new DeleteObjectCommand({ Bucket: 'lambda-reads', Key: 'a/b.crl' }));
    const after = await read('lambda-reads', 'a/b.crl');

    expect(Buffer.from(before!).toString()).toBe('crl bytes');
    expect(after).toBeUndefined();
  });

  it('serves a CRL put on /crl/<name> over plain http as application/pkix-crl, 404 for an unknown name', async () => {
    const url = `${local.emulator.controlPlane}/crl/factory-7`;

    const put = await fetch(url, { method: 'PUT', body: new Uint8Array([0x30, 0x00]) });
    const got = await fetch(url);
    const missing = await fetch(`${local.emulator.controlPlane}/crl/nobody`);

    expect(put.status).toBe(204);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pkix-crl');
    expect([...new Uint8Array(await got.arrayBuffer())]).toEqual([0x30, 0x00]);
    expect(missing.status).toBe(404);
  });
});
