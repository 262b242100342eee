import { describe, expect, it } from 'vitest';
import {
  newClaimToken,
  tokenDeviceId,
  tokenMatches,
  tokenParameterName,
  tokenRecord,
} from '../../../../functions/vend/tokens.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const fixedRandom = (size: number) => Buffer.alloc(size, 7);

describe('claim tokens', () => {
  it('carry their (lowercased) device id and 256 random bits', () => {
    const token = newClaimToken('Sensor:1', fixedRandom);

    expect(token).toMatch(/^jvt\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(tokenDeviceId(token)).toBe('sensor:1');
  });

  it('match only the record made from them, compared by hash', () => {
    const token = newClaimToken('d1');
    const record = JSON.stringify(tokenRecord(token, NOW));

    expect(tokenMatches(token, record)).toBe(true);
    expect(tokenMatches(newClaimToken('d1'), record)).toBe(false);
    expect(record).not.toContain(token.split('.')[2]);
  });

  it('never match a malformed record', () => {
    const token = newClaimToken('d1');

    for (const stored of [
      '',
      'null',
      '{"v":1}',
      '{"v":2,"sha256":"00"}',
      JSON.stringify({ v: 1, sha256: 'zz'.repeat(32) }),
    ]) {
      expect(tokenMatches(token, stored)).toBe(false);
    }
  });

  it('are not tokens when their shape or device part is wrong', () => {
    expect(tokenDeviceId('jvt.abc')).toBeUndefined();
    expect(tokenDeviceId(`xyz.${Buffer.from('d1').toString('base64url')}.${'A'.repeat(43)}`)).toBeUndefined();
    expect(tokenDeviceId(`jvt.${Buffer.from('d1').toString('base64url')}.${'A'.repeat(42)}`)).toBeUndefined();
  });

  it('live under one SSM name per device, with the colon SSM forbids mapped to a dot', () => {
    expect(tokenParameterName('/jitr/dev/vend/tokens/', 'Gw:01')).toBe('/jitr/dev/vend/tokens/gw.01');
    expect(tokenParameterName('/jitr/dev/vend/tokens', 'a')).toBe('/jitr/dev/vend/tokens/a');
  });
});
