import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iotOperations, iotRouter } from '../../../../local/control-plane/iot/index.js';
import { Router } from '../../../../local/control-plane/router.js';

describe('Router', () => {
  const router = iotRouter();

  it('maps every IoT operation back from its own method and path', () => {
    for (const operation of iotOperations) {
      const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => `value-of-${name}`);
      const match = router.match(operation.method, path);
      expect(match !== undefined && match !== 'method-not-allowed' ? match.value.name : match).toBe(operation.name);
    }
  });

  it('decodes labels per segment, so an encoded ARN stays one label', () => {
    const arn = 'arn:aws:iot:us-east-1:000000000000:cert/abc';
    const match = router.match('POST', `/attached-policies/${encodeURIComponent(arn)}`);
    expect(match).toMatchObject({ value: { name: 'ListAttachedPolicies' }, labels: { target: arn } });
  });

  it('tells an unknown path from a known path with another method', () => {
    expect(router.match('GET', '/nothing/here')).toBeUndefined();
    expect(router.match('PUT', '/registrationcode')).toBe('method-not-allowed');
  });

  it('tells apart templates that differ in their trailing literal', () => {
    const small = new Router([
      { method: 'GET', template: '/things/{name}', value: 'describe' },
      { method: 'GET', template: '/things/{name}/principals', value: 'principals' },
    ]);
    expect(small.match('GET', '/things/a/principals')).toMatchObject({ value: 'principals', labels: { name: 'a' } });
  });

  it('never throws, whatever the method and path', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'BREW'), fc.string(), (method, path) => {
        router.match(method, path);
      }),
    );
    expect(router.match('GET', '/things/%E0%A4%A')).toBeUndefined();
  });
});
