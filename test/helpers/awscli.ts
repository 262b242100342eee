import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The AWS CLI of Debian's `awscli` package (2.9 on Debian 12): its botocore still speaks SQS's query protocol and
 * ignores `AWS_ENDPOINT_URL`, which is what the README's `aws` examples must survive. `make test` installs it with
 * apt-get when it is missing and it runs as root; elsewhere the tests fail with this message rather than skip.
 */
export const DEBIAN_AWS_CLI = process.env.JITR_AWS_CLI ?? '/usr/bin/aws';
const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireDebianAwsCli(): void {
  if (!existsSync(DEBIAN_AWS_CLI) || !existsSync(DEBIAN_PYTHON)) {
    throw new Error(
      `these tests need the AWS CLI of Debian's awscli package at ${DEBIAN_AWS_CLI} (it speaks SQS's query protocol): ` +
        `run "apt-get install -y awscli" as root (make test does it), or set JITR_AWS_CLI to such a CLI`,
    );
  }
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  file: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; input?: string },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: options.env, timeout: 60_000, ...(options.cwd ? { cwd: options.cwd } : {}) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Runs a Python script with the botocore that Debian's AWS CLI bundles (`awscli.botocore`), so one process makes many
 * query-protocol calls (the CLI starts a Python per command). The script prints one JSON document.
 */
export async function withDebianBotocore(script: string, env: Record<string, string>): Promise<unknown> {
  const result = await run(DEBIAN_PYTHON, ['-'], { env: { PATH: '/usr/bin:/bin', ...env }, input: script });
  if (result.code !== 0) throw new Error(`python exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
