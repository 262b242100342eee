import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VendError } from '../../../../functions/vend/errors.js';
import { MAX_BODY_BYTES, parseHttpEvent } from '../../../../functions/vend/request.js';
import { csrOfType } from '../../../helpers/csr.js';

const event = (method: string, path: string, extra: Record<string, unknown> = {}) => ({
  version: '2.0',
  rawPath: path,
  requestContext: { http: { method, path } },
  headers: { 'content-type': 'application/json', authorization: 'Bearer abc.def' },
  ...extra,
});

function codeOf(input: unknown): string | undefined {
  try {
    parseHttpEvent(input);
    return undefined;
  } catch (error) {
    return (error as VendError).code;
  }
}

describe('parseHttpEvent', () => {
  it('reads POST /devices with its device id, CSR-less, rotate defaulting to false, and the bearer', () => {
    const parsed = parseHttpEvent(event('POST', '/devices', { body: '{"deviceId":"Dev-1"}' }));

    expect(parsed).toEqual({ kind: 'provision', deviceId: 'Dev-1', rotate: false, bearer: 'abc.def' });
  });

  it('reads DELETE /devices/{deviceId}, URL-decoded', () => {
    const parsed = parseHttpEvent(event('DELETE', '/devices/a%3Ab', { pathParameters: { deviceId: 'a%3Ab' } }));

    expect(parsed).toEqual({ kind: 'deprovision', deviceId: 'a:b', bearer: 'abc.def' });
  });

  it('decodes a base64 body as API Gateway sends binary payloads', () => {
    const body = Buffer.from('{"deviceId":"d1","rotate":true}').toString('base64');

    expect(parseHttpEvent(event('POST', '/devices', { body, isBase64Encoded: true }))).toMatchObject({
      deviceId: 'd1',
      rotate: true,
    });
  });

  it.each([
    ['a body that is not JSON', event('POST', '/devices', { body: '{' }), 'BODY_NOT_JSON'],
    ['a JSON string', event('POST', '/devices', { body: '"x"' }), 'BODY_NOT_OBJECT'],
    ['an unknown field', event('POST', '/devices', { body: '{"deviceId":"d","x":1}' }), 'UNKNOWN_FIELD'],
    ['a numeric deviceId', event('POST', '/devices', { body: '{"deviceId":7}' }), 'INVALID_FIELD'],
    ['a deviceId starting with a dash', event('POST', '/devices', { body: '{"deviceId":"-d"}' }), 'INVALID_DEVICE_ID'],
    [
      'a CSR of another PEM type',
      event('POST', '/devices', {
        body: JSON.stringify({ deviceId: 'd', csr: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }),
      }),
      'INVALID_CSR',
    ],
    ['an oversized body', event('POST', '/devices', { body: 'x'.repeat(MAX_BODY_BYTES + 1) }), 'BODY_TOO_LARGE'],
    ['a GET on /devices', event('GET', '/devices'), 'METHOD_NOT_ALLOWED'],
    ['a POST on /devices/{id}', event('POST', '/devices/d1'), 'METHOD_NOT_ALLOWED'],
    ['another path', event('POST', '/admin'), 'NOT_FOUND'],
    [
      'a malformed percent-encoding',
      event('DELETE', '/devices/%E0%A4%A', { pathParameters: { deviceId: '%E0%A4%A' } }),
      'INVALID_DEVICE_ID',
    ],
    ['something that is not an HTTP API event', { hello: 'world' }, 'MALFORMED_EVENT'],
  ])('refuses %s with a stable code', (_label, input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it.each(['RSA 1024', 'EC P-521', 'Ed25519'] as const)(
    'refuses a CSR for an %s key with WEAK_KEY, the code onboarding gives such a certificate',
    (type) => {
      const body = JSON.stringify({ deviceId: 'd', csr: csrOfType(type) });

      expect(codeOf(event('POST', '/devices', { body }))).toBe('WEAK_KEY');
    },
  );

  it.each(['EC P-256', 'RSA 2048'] as const)('takes a CSR for an %s key', (type) => {
    const body = JSON.stringify({ deviceId: 'd', csr: csrOfType(type) });

    expect(parseHttpEvent(event('POST', '/devices', { body }))).toMatchObject({ kind: 'provision', deviceId: 'd' });
  });

  it('reads the source address API Gateway saw', () => {
    const input = event('POST', '/devices', { body: '{"deviceId":"d"}' });
    (input.requestContext.http as Record<string, string>).sourceIp = '203.0.113.9';

    expect(parseHttpEvent(input)).toMatchObject({ sourceIp: '203.0.113.9' });
  });

  it('ignores an Authorization header of another scheme (the caller then gets a 401)', () => {
    const parsed = parseHttpEvent(
      event('POST', '/devices', { body: '{"deviceId":"d"}', headers: { authorization: 'Basic eDp5' } }),
    );

    expect(parsed).not.toHaveProperty('bearer');
  });

  it('never throws anything but a VendError, whatever the body and path (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 }), fc.boolean(), (body, path, b64) => {
        try {
          parseHttpEvent(
            event(path.startsWith('/') ? 'DELETE' : 'POST', `/devices${path}`, { body, isBase64Encoded: b64 }),
          );
        } catch (error) {
          expect(error).toBeInstanceOf(VendError);
          expect((error as VendError).status).toBeGreaterThanOrEqual(400);
          expect((error as VendError).status).toBeLessThan(500);
        }
      }),
      { numRuns: 300 },
    );
  });
});
