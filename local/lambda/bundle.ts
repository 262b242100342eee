import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
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

/**
 * Bundles one handler the way serverless-esbuild packages it (bundle, platform node, the service's format and
 * mainFields, nothing external) into `<cacheDir>/<function name>/`, targeting Node 20 so it runs on the
 * emulator's Node even though the Lambda runtime is newer. Returns the bundle's absolute path.
 */
export async function bundleFunction(service: LocalService, fn: LocalFunction, cacheDir: string): Promise<string> {
  const { modulePath } = splitHandler(fn.handler);
  const base = join(service.directory, modulePath);
  const entry = SOURCE_EXTENSIONS.map((extension) => base + extension).find((path) => existsSync(path));
  if (!entry) throw new LambdaRunnerError('HANDLER_NOT_FOUND', `${fn.key}: no source file for ${modulePath}`);
  const outfile = join(cacheDir, fn.name, service.esbuild.format === 'esm' ? 'handler.mjs' : 'handler.cjs');
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: service.esbuild.format,
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent',
      ...(service.esbuild.mainFields ? { mainFields: service.esbuild.mainFields } : {}),
      // ESM bundles of CommonJS dependencies need a require().
      ...(service.esbuild.format === 'esm'
        ? {
            banner: {
              js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
            },
          }
        : {}),
    });
  } catch (error) {
    throw new LambdaRunnerError('BUNDLE_FAILED', `${fn.key}: esbuild failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return outfile;
}
