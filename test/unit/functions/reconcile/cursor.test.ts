import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../../functions/reconcile/cursor.js';

describe('reconcile page token', () => {
  it('round-trips the CA and the ListCertificatesByCA marker', () => {
    const cursor = { caCertificateId: 'a'.repeat(64), marker: 'bWFya2Vy' };

    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(['', 'not base64 json', encodeCursor({ caCertificateId: 'nope' })])(
    'restarts on a token that does not decode: %j',
    (token) => {
      expect(decodeCursor(token)).toBeUndefined();
    },
  );
});
