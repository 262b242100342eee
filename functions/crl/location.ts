/**
 * Where a trusted CA's CRL lives, as the fleet configuration names it:
 * - `https://host/path` or `http://host/path` (CRLs are signed, so plain http is the usual distribution point);
 * - `s3://bucket/key` (read with the Lambda's role, SigV4);
 * - `ssm:/parameter/name` (the CRL's PEM, or base64 of its DER; at most 4 KB, or 8 KB as an advanced parameter);
 * - `dp`: the first http(s) URI of the device certificate's own CRL distribution points extension.
 */
export type CrlLocation =
  | { kind: 'url'; url: string }
  | { kind: 's3'; bucket: string; key: string }
  | { kind: 'ssm'; name: string }
  | { kind: 'dp' };

/** S3 bucket names: 3-63 of [a-z0-9.-], starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** SSM parameter names (the emulator and AWS agree): [a-zA-Z0-9_.-/], up to 2048. */
const PARAMETER = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

export type LocationParse = { ok: true; location: CrlLocation } | { ok: false; problem: string };

export function parseCrlLocation(text: string): LocationParse {
  if (text === 'dp') return { ok: true, location: { kind: 'dp' } };
  if (text.startsWith('ssm:')) {
    const name = text.slice(4);
    return PARAMETER.test(name)
      ? { ok: true, location: { kind: 'ssm', name } }
      : { ok: false, problem: `"${name}" is not an SSM parameter name` };
  }
  if (text.startsWith('s3://')) {
    const rest = text.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash > 0 ? rest.slice(0, slash) : rest;
    const key = slash > 0 ? rest.slice(slash + 1) : '';
    if (!BUCKET.test(bucket)) return { ok: false, problem: `"${bucket}" is not an S3 bucket name` };
    if (key === '' || key.length > 1024) return { ok: false, problem: 's3:// needs an object key after the bucket' };
    return { ok: true, location: { kind: 's3', bucket, key } };
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      if (url.username || url.password) return { ok: false, problem: 'the CRL URL must not carry credentials' };
      return { ok: true, location: { kind: 'url', url: url.toString() } };
    } catch {
      return { ok: false, problem: `"${text}" is not a URL` };
    }
  }
  return { ok: false, problem: 'must be an http(s) URL, s3://bucket/key, ssm:/parameter/name or dp' };
}

export function describeLocation(location: CrlLocation): string {
  switch (location.kind) {
    case 'url':
      return location.url;
    case 's3':
      return `s3://${location.bucket}/${location.key}`;
    case 'ssm':
      return `ssm:${location.name}`;
    case 'dp':
      return 'dp';
  }
}
