import { invalidRequest } from '../../errors.js';

/**
 * Token pagination over a sorted list. The token names the sort key of the last item returned, so a page boundary
 * survives items being added or deleted between calls, as AWS's opaque tokens do.
 */
export interface Page<T> {
  items: T[];
  next?: string;
}

export function paginate<T>(
  items: T[],
  options: { sortKey: (item: T) => string; descending?: boolean; token?: string; size: number },
): Page<T> {
  const sign = options.descending ? -1 : 1;
  const keyed = items.map((item) => ({ item, key: options.sortKey(item) }));
  keyed.sort((a, b) => sign * compare(a.key, b.key));
  let start = 0;
  if (options.token !== undefined && options.token !== '') {
    const after = decodeToken(options.token);
    start = keyed.findIndex((entry) => sign * compare(entry.key, after) > 0);
    if (start < 0) start = keyed.length;
  }
  const page = keyed.slice(start, start + options.size);
  const more = start + options.size < keyed.length;
  const last = page[page.length - 1];
  return { items: page.map((entry) => entry.item), ...(more && last ? { next: encodeToken(last.key) } : {}) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && typeof (parsed as { after?: unknown }).after === 'string') {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through to the AWS error below
  }
  throw invalidRequest('The pagination token is invalid');
}

/** Creation time then id: a total order that sorts like AWS's "by creation date". */
export function creationKey(creationDate: number, id: string): string {
  return `${String(creationDate).padStart(16, '0')}|${id}`;
}
