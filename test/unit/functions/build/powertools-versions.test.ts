import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Powertools for AWS Lambda publishes its packages together. Mixing two releases (Logger 2.36 beside Idempotency 2.35)
// puts two copies of @aws-lambda-powertools/commons in every Lambda bundle; one release for all keeps one.
const root = join(import.meta.dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

describe('Powertools packages', () => {
  const powertools = Object.entries(manifest.dependencies).filter(([name]) =>
    name.startsWith('@aws-lambda-powertools/'),
  );

  it('are all pinned to one exact release in package.json', () => {
    expect(powertools.length).toBeGreaterThanOrEqual(4);
    const versions = new Set(powertools.map(([, range]) => range));
    expect([...versions]).toHaveLength(1);
    expect([...versions][0]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('resolve to one copy of their commons package in the lockfile', () => {
    const commons = Object.entries(lock.packages).filter(([path]) =>
      path.endsWith('node_modules/@aws-lambda-powertools/commons'),
    );
    expect(commons.map(([path]) => path)).toEqual(['node_modules/@aws-lambda-powertools/commons']);
    expect(commons[0]?.[1].version).toBe(powertools[0]?.[1]);
  });
});
