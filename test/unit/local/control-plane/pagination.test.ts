import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paginate } from '../../../../local/control-plane/iot/pagination.js';

function all(items: string[], size: number, descending = false): string[][] {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = paginate(items, { sortKey: (x) => x, size, descending, ...(token ? { token } : {}) });
    pages.push(page.items);
    token = page.next;
  } while (token);
  return pages;
}

describe('paginate', () => {
  it('returns every item exactly once, in order, in pages of at most the size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string()),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        (items, size, descending) => {
          const pages = all(items, size, descending);
          expect(pages.every((page) => page.length <= size)).toBe(true);
          const sorted = [...items].sort();
          expect(pages.flat()).toEqual(descending ? sorted.reverse() : sorted);
        },
      ),
    );
  });

  it('resumes after the last item returned even when that item was deleted meanwhile', () => {
    const first = paginate(['a', 'b', 'c', 'd'], { sortKey: (x) => x, size: 2 });
    const rest = paginate(['a', 'c', 'd'], { sortKey: (x) => x, size: 2, token: first.next ?? '' });
    expect(first.items).toEqual(['a', 'b']);
    expect(rest.items).toEqual(['c', 'd']);
    expect(rest.next).toBeUndefined();
  });

  it('refuses a token it did not issue with InvalidRequestException', () => {
    expect(() => paginate(['a'], { sortKey: (x) => x, size: 1, token: 'garbage!' })).toThrow(
      expect.objectContaining({ code: 'InvalidRequestException', statusCode: 400 }),
    );
  });
});
