import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build, version as esbuildVersion, type Metafile, type Plugin } from 'esbuild';
import { LambdaRunnerError } from './errors.js';
import type { LocalFunction, LocalService } from './service.js';

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** `functions/onboard/handler.handler` -> module `functions/onboard/handler`, export `handler`. */
export function splitHandler(handler: string): { modulePath: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) {
    throw new LambdaRunnerError('HANDLER_NOT_FOUND', `handler "${handler}" is not <module>.<export>`);
  }
  return { modulePath: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

interface BundleManifest {
  /** Every input esbuild read, with the size and mtime it had: any change invalidates the bundle. */
  inputs: Record<string, { size: number; mtimeMs: number }>;
}

/** True when every input of a cached bundle is unchanged on disk. */
async function manifestHolds(manifestPath: string): Promise<boolean> {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as BundleManifest;
  } catch {
    return false;
  }
  const entries = Object.entries(manifest.inputs);
  if (entries.length === 0) return false;
  const checks = await Promise.all(
    entries.map(async ([path, recorded]) => {
      try {
        const current = await stat(path);
        return current.size === recorded.size && current.mtimeMs === recorded.mtimeMs;
      } catch {
        return false;
      }
    }),
  );
  return checks.every(Boolean);
}

/** serverless-esbuild resolves a relative alias target against the service directory. */
function resolveAliases(alias: Record<string, string>, directory: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(alias).map(([name, target]) => [name, target.startsWith('.') ? resolve(directory, target) : target]),
  );
}

/** `custom.esbuild.plugins`: a CommonJS module (path relative to the service) exporting an array of esbuild plugins. */
function loadPlugins(path: string, directory: string): Plugin[] {
  const file = resolve(directory, path);
  try {
    const loaded = createRequire(file)(file) as unknown;
    if (!Array.isArray(loaded)) throw new Error('it does not export an array of plugins');
    return loaded as Plugin[];
  } catch (error) {
    throw new LambdaRunnerError('BUNDLE_FAILED', `custom.esbuild.plugins ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Bundles one handler the way serverless-esbuild packages it (bundle, platform node, serverless.yml's custom.esbuild:
 * format, mainFields, minify, tree shaking, aliases, plugins; nothing external), targeting Node 24: the Lambda runtime, and the Node the tests run on. Bundles are
 * cached in `cacheDir` under a key of the entry and build options, and reused while none of the files esbuild read has
 * changed (size and mtime), so that each emulator start does not pay for a rebuild.
 * Returns the bundle's absolute path.
 */
export async function bundleFunction(service: LocalService, fn: LocalFunction, cacheDir: string): Promise<string> {
  const { modulePath } = splitHandler(fn.handler);
  const base = join(service.directory, modulePath);
  const entry = SOURCE_EXTENSIONS.map((extension) => base + extension).find((path) => existsSync(path));
  if (!entry) throw new LambdaRunnerError('HANDLER_NOT_FOUND', `${fn.key}: no source file for ${modulePath}`);
  const options = { ...service.esbuild, target: 'node24', esbuild: esbuildVersion };
  const key = createHash('sha256').update(JSON.stringify({ entry, options })).digest('hex').slice(0, 16);
  const fileName = service.esbuild.format === 'esm' ? 'handler.mjs' : 'handler.cjs';
  const directory = join(cacheDir, `${fn.name}-${key}`);
  const bundlePath = join(directory, fileName);
  if (existsSync(bundlePath) && (await manifestHolds(join(directory, 'manifest.json')))) return bundlePath;

  // Build into a private directory, then move it into place: concurrent emulators never see half a bundle.
  const staging = `${directory}.${process.pid}.${randomBytes(4).toString('hex')}`;
  let metafile: Metafile;
  const { alias, plugins } = service.esbuild;
  try {
    const result = await build({
      entryPoints: [entry],
      outfile: join(staging, fileName),
      bundle: true,
      platform: 'node',
      format: service.esbuild.format,
      target: 'node24',
      sourcemap: 'linked',
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: service.directory,
      minify: service.esbuild.minify ?? false,
      treeShaking: service.esbuild.treeShaking ?? true,
      keepNames: service.esbuild.keepNames ?? false,
      legalComments: service.esbuild.legalComments ?? 'none',
      ...(service.esbuild.mainFields ? { mainFields: service.esbuild.mainFields } : {}),
      ...(alias ? { alias: resolveAliases(alias, service.directory) } : {}),
      ...(plugins ? { plugins: loadPlugins(plugins, service.directory) } : {}),
      // ESM bundles of CommonJS dependencies need a require().
      ...(service.esbuild.format === 'esm'
        ? {
            banner: {
              js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
            },
          }
        : {}),
    });
    metafile = result.metafile;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new LambdaRunnerError('BUNDLE_FAILED', `${fn.key}: esbuild failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const inputs: BundleManifest['inputs'] = {};
  for (const input of Object.keys(metafile.inputs)) {
    const path = resolve(service.directory, input);
    const info = await stat(path).catch(() => undefined);
    if (info) inputs[path] = { size: info.size, mtimeMs: info.mtimeMs };
  }
  await writeFile(join(staging, 'manifest.json'), JSON.stringify({ inputs } satisfies BundleManifest));
  try {
    await rm(directory, { recursive: true, force: true });
    await rename(staging, directory);
    return bundlePath;
  } catch {
    // Another emulator moved its bundle into place first; ours is as good, use it where it is.
    return join(staging, fileName);
  }
}
