import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../scripts/jitr.js';
import { jitr as spawnJitr } from './run-cli.js';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** `jitr ...` in-process, with an environment that reaches no AWS account. */
async function run(...argv: string[]) {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await main(argv, { stdout, stderr, env: { AWS_REGION: 'us-east-1' } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

describe('jitr help, as people expect it', () => {
  it('lists the commands in workflow order with summaries and examples for --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const help = await run(flag);
      expect(help.code, flag).toBe(0);
      const at = (word: string) => help.stdout.indexOf(`\n  ${word} `);
      expect(at('demo')).toBeGreaterThan(0);
      expect(at('demo')).toBeLessThan(at('ca create'));
      expect(at('ca create')).toBeLessThan(at('preconfigure'));
      expect(at('preconfigure')).toBeLessThan(at('status'));
      expect(help.stdout).toMatch(/Zero-touch onboarding end to end/);
      expect(help.stdout).toMatch(/Examples:\n {2}jitr demo/);
    }
  });

  it('prints the same help for jitr alone, exiting 2 (a command is missing)', async () => {
    const bare = await run();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe((await run('--help')).stdout);
  });

  it('prints the version of package.json for --version, before or after a command', async () => {
    expect(await run('--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(await run('status', '--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('shows the commands of a group for `jitr ca` and `jitr ca --help`', async () => {
    const bare = await run('ca');
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/ca create +Create a fleet CA/);
    expect(bare.stdout).toMatch(/ca verification-cert/);
    expect(await run('ca', '--help')).toMatchObject({ code: 0, stdout: bare.stdout });
    expect((await run('help', 'local')).stdout).toMatch(/local start[\s\S]*local env[\s\S]*local stop/);
  });

  it("shows a command's description, flags with defaults, common flags and examples for --help and -h", async () => {
    const help = await run('doctor', '-h');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^jitr doctor: /);
    expect(help.stdout).toMatch(/--stage <value> +deployment stage \(default: dev\)/);
    expect(help.stdout).toMatch(/--region <region> +AWS region/);
    expect(help.stdout).toMatch(/Examples:\n {2}jitr doctor/);
    expect((await run('help', 'doctor')).stdout).toBe(help.stdout);
  });

  it('names the closest flag for an unknown one, with the stable code UNKNOWN_FLAG (exit 2)', async () => {
    const typo = await run('status', '--stgae', 'prod');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      'jitr: UNKNOWN_FLAG: unknown flag --stgae (did you mean --stage?); see jitr status --help\n',
    );
    const json = await run('deprovision', 'thing-1', '--dryrun', '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'UNKNOWN_FLAG', message: expect.stringContaining('did you mean --dry-run?') },
    });
    const far = await run('status', '--frobnicate');
    expect(far.stderr).toBe('jitr: UNKNOWN_FLAG: unknown flag --frobnicate; see jitr status --help\n');
  });

  it('names the closest command for an unknown one (UNKNOWN_COMMAND, exit 2)', async () => {
    expect(await run('stauts')).toMatchObject({
      code: 2,
      stderr: 'jitr: UNKNOWN_COMMAND: unknown command "stauts" (did you mean jitr status?); see jitr --help\n',
    });
    expect((await run('ca', 'creat', '--profile', 'generic')).stderr).toMatch(/did you mean jitr ca create\?/);
  });

  it('refuses a --region that is not an AWS region, on every AWS command', async () => {
    const bad = await run('status', '--region', 'Frankfurt');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--region must be an AWS region such as eu-west-1/);
  });

  it('says the same from the installed bin/jitr.js (-h and --version)', () => {
    expect(spawnJitr(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
    const help = spawnJitr(['ca', 'create', '-h']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}jitr ca create --profile azure-sphere --out/);
  });
});
