import { request } from 'node:http';
import { connect } from 'node:net';
import {
  CreateThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  ListCertificatesCommand,
  ListThingsCommand,
  paginateListThings,
} from '@aws-sdk/client-iot';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iotClientFor, TEST_CREDENTIALS, withEmulator } from '../helpers/aws.js';
import { failureOf, registeredCa, registeredDevice } from './control-plane-fixtures.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * The admin key's SigV4 Authorization header: the emulator identifies the caller by its access key and does not verify
 * signatures, so a raw request names the admin identity this way.
 */
const ADMIN_AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=0`;

/** One raw HTTP exchange with the control plane, for what the SDK would never send. */
function raw(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method, headers: { 'content-type': 'application/json', authorization: ADMIN_AUTHORIZATION, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('control plane: wire format, pagination and malformed requests', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);

  // https://docs.aws.amazon.com/iot/latest/apireference/CommonErrors.html and the API reference's "Errors" sections:
  // an error is an HTTP status plus the error type (x-amzn-ErrorType) and a message.
  it('answers a missing thing with 404, the x-amzn-ErrorType header and __type/message in the body', async () => {
    const answer = await raw(local.emulator.controlPlane, 'GET', '/things/nobody');
    expect(answer.status).toBe(404);
    expect(answer.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'ResourceNotFoundException', message: expect.any(String) });
    const failure = await failureOf(iot().send(new DescribeThingCommand({ thingName: 'nobody' })));
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListThings.html (maxResults, nextToken)
  it('pages through ListThings with maxResults and nextToken, each thing exactly once', async () => {
    for (let i = 0; i < 7; i++) await iot().send(new CreateThingCommand({ thingName: `paged-${i}` }));
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListThings({ client: iot(), pageSize: 3 }, { attributeName: undefined })) {
      pages += 1;
      expect(page.things?.length ?? 0).toBeLessThanOrEqual(3);
      seen.push(...(page.things ?? []).map((thing) => thing.thingName ?? ''));
    }
    const paged = seen.filter((name) => name.startsWith('paged-'));
    expect(paged.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `paged-${i}`));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListCertificates.html (pageSize, marker, nextMarker)
  it('pages through ListCertificates with pageSize and marker, newest first by default', async () => {
    const ca = await registeredCa(iot());
    const first = await registeredDevice(iot(), ca);
    const second = await registeredDevice(iot(), ca);
    const page1 = await iot().send(new ListCertificatesCommand({ pageSize: 1 }));
    const page2 = await iot().send(new ListCertificatesCommand({ pageSize: 1, marker: page1.nextMarker }));
    expect(page1.certificates?.[0]?.certificateId).toBe(second.certificateId);
    expect(page2.certificates?.[0]?.certificateId).toBe(first.certificateId);
    const ascending = await iot().send(new ListCertificatesCommand({ pageSize: 250, ascendingOrder: true }));
    expect(ascending.certificates?.[0]?.certificateId).toBe(first.certificateId);
    expect(ascending.nextMarker).toBeUndefined();
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListThings.html (InvalidRequestException)
  it('refuses a forged pagination token and an out-of-range page size', async () => {
    const forged = await failureOf(iot().send(new ListThingsCommand({ nextToken: 'not-a-token' })));
    expect(forged).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    const tooBig = await failureOf(iot().send(new ListThingsCommand({ maxResults: 100_000 })));
    expect(tooBig).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  it('answers a body that is not JSON with InvalidRequestException', async () => {
    const answer = await raw(local.emulator.controlPlane, 'POST', '/things/json-broken', '{"attributePayload":');
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('InvalidRequestException');
  });

  it('answers a field of the wrong type with InvalidRequestException', async () => {
    const answer = await raw(
      local.emulator.controlPlane,
      'POST',
      '/things/typed',
      JSON.stringify({ attributePayload: { attributes: { a: 5 } } }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).__type).toBe('InvalidRequestException');
  });

  it('answers a missing required field with InvalidRequestException', async () => {
    const answer = await raw(local.emulator.controlPlane, 'POST', '/cacertificate', JSON.stringify({}));
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('InvalidRequestException');
  });

  it('answers an unknown path with 404 UnknownOperationException and a wrong method with 405', async () => {
    const unknown = await raw(local.emulator.controlPlane, 'GET', '/no/such/operation');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    const wrongMethod = await raw(local.emulator.controlPlane, 'PUT', '/registrationcode');
    expect(wrongMethod.status).toBe(405);
  });

  it('answers a body over 1 MiB with 413 and keeps serving', async () => {
    const answer = await raw(local.emulator.controlPlane, 'POST', '/things/huge', Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(answer.status).toBe(413);
    expect(answer.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    await iot().send(new CreateThingCommand({ thingName: 'after-huge' }));
  });

  it('closes a connection that sends garbage instead of HTTP and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const url = new URL(local.emulator.controlPlane);
      const socket = connect(Number(url.port), url.hostname, () => socket.write('\x16\x03\x01garbage\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply.startsWith('HTTP/1.1 400')).toBe(true);
    const thing = await iot().send(new CreateThingCommand({ thingName: 'after-garbage' }));
    expect(thing.thingName).toBe('after-garbage');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeCertificate.html (certificateId: fixed length 64, hex)
  it('answers a certificate id that is not 64 hex digits with InvalidRequestException', async () => {
    const failure = await failureOf(iot().send(new DescribeCertificateCommand({ certificateId: 'not-an-id' })));
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  it('answers random requests with AWS-shaped JSON errors or success, and keeps serving', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
    const paths = fc.oneof(
      fc.constantFrom(
        '/things/x',
        '/cacertificate',
        '/certificates/abc',
        '/rules/r',
        '/policies/p/version',
        '/attached-policies/t',
      ),
      fc.webPath(),
    );
    const bodies = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    const targets = fc.option(fc.constantFrom('AmazonSQS.SendMessage', 'AmazonSSM.PutParameter', 'AmazonSQS.Nope'));
    await fc.assert(
      fc.asyncProperty(methods, paths, bodies, targets, async (method, path, body, target) => {
        const answer = await raw(local.emulator.controlPlane, method, path.startsWith('/') ? path : `/${path}`, body, {
          ...(target ? { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' } : {}),
        });
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) expect(JSON.parse(answer.body).__type).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
    expect((await iot().send(new CreateThingCommand({ thingName: 'after-fuzz' }))).thingName).toBe('after-fuzz');
  });

  it('answers an unknown JSON-protocol target with an AWS error', async () => {
    const answer = await raw(local.emulator.controlPlane, 'POST', '/', '{}', {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.Explode',
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).__type).toContain('UnknownOperationException');
  });
});
