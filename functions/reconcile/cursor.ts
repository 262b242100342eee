/**
 * Where a bounded reconcile run stopped: the CA being swept and ListCertificatesByCA's marker inside it. Serialised as an
 * opaque page token (base64url JSON) so a caller can hand it back, and stored between scheduled runs.
 */
export interface Cursor {
  caCertificateId: string;
  marker?: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** A token that does not decode restarts the sweep from the first CA (never fails the run). */
export function decodeCursor(token: string | undefined): Cursor | undefined {
  if (!token) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!value || typeof value !== 'object') return undefined;
    const { caCertificateId, marker } = value as Record<string, unknown>;
    if (typeof caCertificateId !== 'string' || !/^[0-9a-f]{64}$/.test(caCertificateId)) return undefined;
    return typeof marker === 'string' && marker.length > 0 ? { caCertificateId, marker } : { caCertificateId };
  } catch {
    return undefined;
  }
}

/** Persists the page token between scheduled runs (an SSM parameter in AWS). */
export interface CursorStore {
  load(): Promise<string | undefined>;
  save(token: string | undefined): Promise<void>;
}

export const memoryCursorStore = (): CursorStore => {
  let token: string | undefined;
  return {
    load: async () => token,
    save: async (next) => {
      token = next;
    },
  };
};
