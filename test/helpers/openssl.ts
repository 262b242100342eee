import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the system `openssl` (a second, independent X.509 implementation to check ours against). */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Like `openssl`, but returns the exit status and both streams instead of throwing. */
export function opensslStatus(args: string[]): { status: number; output: string } {
  try {
    return { status: 0, output: openssl(args) };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A scratch directory, removed by the returned `cleanup`. */
export function scratchDir(prefix = 'jitr-test-'): {
  dir: string;
  write(name: string, text: string | Uint8Array): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `openssl x509 -fingerprint -sha256` as AWS writes a certificateId: lowercase hex, no colons. */
export function opensslFingerprint(certificatePath: string): string {
  const line = openssl(['x509', '-in', certificatePath, '-noout', '-fingerprint', '-sha256']);
  return line.trim().split('=')[1]!.replaceAll(':', '').toLowerCase();
}

/** `openssl x509 -text` of a certificate file. */
export function opensslText(certificatePath: string): string {
  return openssl(['x509', '-in', certificatePath, '-noout', '-text']);
}

/** `openssl verify`; `at` (epoch seconds via -attime) keeps the check independent of the wall clock. */
export function opensslVerify(opts: {
  caFile: string;
  untrusted?: string;
  certificate: string;
  at?: Date;
  purpose?: string;
}): {
  ok: boolean;
  output: string;
} {
  const args = ['verify', '-CAfile', opts.caFile];
  if (opts.untrusted) args.push('-untrusted', opts.untrusted);
  if (opts.at) args.push('-attime', String(Math.floor(opts.at.getTime() / 1000)));
  if (opts.purpose) args.push('-purpose', opts.purpose);
  args.push(opts.certificate);
  const { status, output } = opensslStatus(args);
  return { ok: status === 0, output };
}
