import { describe, expect, it } from 'vitest';
import { createDenyList, normaliseSerialNumber, parseDenyList } from '../../../certs/deny.js';

describe('normaliseSerialNumber', () => {
  it('gives one form for the notations people paste', () => {
    for (const notation of ['01:AB:CD', '0x1abcd', '1ABCD', ' 00 01 ab cd '])
      expect(normaliseSerialNumber(notation)).toBe('1abcd');
    expect(normaliseSerialNumber('00')).toBe('0');
  });
});

describe('parseDenyList', () => {
  it('reads the three lists, each optional, normalised for lookups', () => {
    const list = parseDenyList(
      JSON.stringify({ deviceIds: ['Pump-7 '], serialNumbers: ['0A:0B'], certificateIds: ['ABC'] }),
    );
    expect([...list.deviceIds]).toEqual(['pump-7']);
    expect([...list.serialNumbers]).toEqual(['a0b']);
    expect([...list.certificateIds]).toEqual(['abc']);
    expect(parseDenyList('{}').deviceIds.size).toBe(0);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['an unknown key', '{"devices": []}', /unknown keys: devices/],
    ['a list of numbers', '{"serialNumbers": [1, 2]}', /serialNumbers must be an array of strings/],
    ['a string instead of a list', '{"deviceIds": "pump-7"}', /deviceIds must be an array of strings/],
  ])('refuses %s with INVALID_DENY_LIST', (_, text, message) => {
    expect(() => parseDenyList(text)).toThrow(message);
    expect(() => parseDenyList(text)).toThrow(expect.objectContaining({ code: 'INVALID_DENY_LIST' }));
  });
});

describe('createDenyList', () => {
  it('makes an empty list by default and accepts any iterable', () => {
    expect(createDenyList().certificateIds.size).toBe(0);
    expect(createDenyList({ deviceIds: new Set(['A', 'a']) }).deviceIds).toEqual(new Set(['a']));
  });
});
