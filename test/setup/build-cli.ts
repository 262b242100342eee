import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// CLI and e2e tests run the compiled CLI (`bin/jitr.js`), exactly what a user runs. Rebuild it when a source is newer.
const root = join(import.meta.dirname, '..', '..');
const sourceDirs = ['certs', 'functions', 'scripts', 'local', 'firmware-config'];
const stamp = join(root, 'dist', '.build-stamp');

function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const newest = Math.max(...sourceDirs.map((dir) => newestSource(join(root, dir))));
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (newest > built) {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  }
}
