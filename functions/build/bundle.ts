import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { parse } from 'yaml';

/**
 * Builds one Lambda the way `serverless package` does (serverless-esbuild with serverless.yml's custom.esbuild options),
 * for the tests that run the bundle and for the bundle-size and cold-start benchmarks. Never part of a Lambda.
 */
export interface BundleResult {
  /** Path of the bundle (`<outdir>/<handler path>.cjs`). */
  file: string;
  bytes: number;
}

const root = join(import.meta.dirname, '..', '..');

interface EsbuildSection {
  minify?: boolean;
  sourcemap?: boolean;
  treeShaking?: boolean;
  target?: string;
  format?: 'cjs' | 'esm';
  mainFields?: string[];
  alias?: Record<string, string>;
  legalComments?: 'none' | 'inline' | 'eof';
  keepNames?: boolean;
  outputFileExtension?: string;
  plugins?: string;
}

export async function bundleFunction(functionName: 'onboard' | 'reconcile', outdir: string): Promise<BundleResult> {
  const service = parse(await readFile(join(root, 'serverless.yml'), 'utf8')) as {
    custom: { esbuild: EsbuildSection };
    functions: Record<string, { handler: string }>;
  };
  const options = service.custom.esbuild;
  const handler = service.functions[functionName]?.handler;
  if (!handler) throw new Error(`serverless.yml has no function ${functionName}`);
  const modulePath = handler.slice(0, handler.lastIndexOf('.'));
  const extension = options.outputFileExtension ?? '.js';
  const file = join(outdir, `${modulePath}${extension}`);
  const plugins = options.plugins ? (createRequire(import.meta.url)(join(root, options.plugins)) as Plugin[]) : [];
  const alias = Object.fromEntries(
    Object.entries(options.alias ?? {}).map(([name, target]) => [
      name,
      target.startsWith('.') ? join(root, target) : target,
    ]),
  );
  await build({
    entryPoints: [join(root, `${modulePath}.ts`)],
    outfile: file,
    bundle: true,
    platform: 'node',
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    treeShaking: options.treeShaking ?? true,
    ...(options.target ? { target: options.target } : {}),
    format: options.format ?? 'cjs',
    ...(options.mainFields ? { mainFields: options.mainFields } : {}),
    alias,
    legalComments: options.legalComments ?? 'none',
    keepNames: options.keepNames ?? false,
    plugins,
    logLevel: 'silent',
  });
  return { file, bytes: (await stat(file)).size };
}
