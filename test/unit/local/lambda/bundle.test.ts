import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction as packagedBundle } from '../../../../functions/build/bundle.js';
import { bundleFunction, splitHandler } from '../../../../local/lambda/bundle.js';
import { type LocalService, loadService } from '../../../../local/lambda/service.js';

// The bundle cache: reused across emulator runs while no input changed, rebuilt when one did.
describe('bundleFunction', () => {
  let work: string;
  let service: LocalService;
  let cacheDir: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'jitr-bundle-'));
    cpSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'lambda-service'), join(work, 'service'), {
      recursive: true,
      filter: (source) => !source.includes('.jitr'),
    });
    cacheDir = join(work, 'cache');
    service = loadService(join(work, 'service'), {
      region: 'eu-west-1',
      accountId: '111122223333',
      queueUrl: (n) => n,
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const fn = () => {
    const found = service.functions.get('fixture-dev-fail');
    if (!found) throw new Error('fixture function missing');
    return found;
  };

  it('reuses a cached bundle while its inputs are unchanged', async () => {
    const first = await bundleFunction(service, fn(), cacheDir);
    const builtAt = statSync(first).mtimeMs;
    const second = await bundleFunction(service, fn(), cacheDir);
    expect(second).toBe(first);
    expect(statSync(second).mtimeMs).toBe(builtAt);
  });

  it('rebuilds when a source file changes', async () => {
    await bundleFunction(service, fn(), cacheDir);
    writeFileSync(
      join(work, 'service', 'handlers', 'fail.ts'),
      "export async function handler() {\n  throw new Error('changed on disk');\n}\n",
    );
    const after = await bundleFunction(service, fn(), cacheDir);
    expect(readFileSync(after, 'utf8')).toContain('changed on disk');
    expect(readdirSync(cacheDir).filter((name) => name.startsWith('fixture-dev-fail-'))).toHaveLength(1);
  });

  it('reports a handler without a source file and a malformed handler string with codes', async () => {
    await expect(
      bundleFunction(service, { ...fn(), handler: 'handlers/missing.handler' }, cacheDir),
    ).rejects.toMatchObject({
      code: 'HANDLER_NOT_FOUND',
    });
    expect(() => splitHandler('nodot')).toThrow(expect.objectContaining({ code: 'HANDLER_NOT_FOUND' }));
  });

  it('reports a source esbuild cannot compile with BUNDLE_FAILED', async () => {
    writeFileSync(join(work, 'service', 'handlers', 'broken.ts'), 'export const handler = (;\n');
    await expect(
      bundleFunction(service, { ...fn(), handler: 'handlers/broken.handler' }, cacheDir),
    ).rejects.toMatchObject({
      code: 'BUNDLE_FAILED',
    });
  });
});

// The emulator must run the code that ships: the same serverless-esbuild options as `serverless package` (minified,
// tree-shaken, the env-only credentials alias, the schema-trimming plugin), not a looser build of the same sources.
describe('bundleFunction on the project', () => {
  const root = join(import.meta.dirname, '..', '..', '..', '..');
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'jitr-bundle-project-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('builds onboard as serverless package does', async () => {
    const project = loadService(root, { region: 'us-east-1', accountId: '000000000000', queueUrl: (n) => n });
    const onboard = [...project.functions.values()].find((f) => f.handler.startsWith('functions/onboard/'));
    if (!onboard) throw new Error('serverless.yml has no onboard function');
    const local = await bundleFunction(project, onboard, join(work, 'cache'));
    const packaged = await packagedBundle('onboard', join(work, 'packaged'));
    const text = readFileSync(local, 'utf8');
    // The alias replaces the SDK's default credential chain: no SSO/INI-file provider code in the bundle.
    expect(text).not.toContain('getSSOTokenFilepath');
    // Same build, except the source map comment's file name.
    expect(Math.abs(statSync(local).size - packaged.bytes)).toBeLessThan(200);
  });
});
