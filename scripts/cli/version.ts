import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The version in the project's package.json (the CLI runs from scripts/ in tests and from dist/scripts/ when built). */
export function cliVersion(): string {
  let dir = import.meta.dirname;
  for (let depth = 0; depth < 4; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'jitr' && parsed.version) return parsed.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
