import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeEndpointCommand, DescribeThingCommand } from '@aws-sdk/client-iot';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetCa } from '../../certs/fleet.js';
import { destroyClients } from '../../scripts/aws/clients.js';
import { deployStackQueue, localClients, preconfigureFleet } from '../../scripts/demo/local-setup.js';
import { simulateFleet } from '../../scripts/simulator/fleet.js';
import { issueSimulatedDevices } from '../../scripts/simulator/identities.js';
import { describeCertificateLookup } from '../../scripts/simulator/registry.js';
import { iotClientFor, sqsClientFor, ssmClientFor, TEST_CREDENTIALS, withEmulator } from '../helpers/aws.js';
import { DEBIAN_AWS_CLI, requireDebianAwsCli, run } from '../helpers/awscli.js';

// The docs' `aws ...` examples and the `jitr local start --state ...` line, run as written (read from the pages that hold
// them, so an edit there is what gets tested). They lived in README.md until it was split into task pages in docs/. The AWS CLI is Debian's awscli package: it speaks SQS's query protocol and ignores
// AWS_ENDPOINT_URL, the two ways the emulator once failed these examples.
const root = join(import.meta.dirname, '..', '..');
const pages = ['README.md', 'docs/local-emulator.md', 'docs/operator-commands.md', 'docs/vending.md'];
const readme = pages.map((page) => readFileSync(join(root, page), 'utf8')).join('\n');
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

/** Every `aws` command of the README's shell blocks, with the lines a quoted argument or a `\` carries over. */
function readmeAwsCommands(): string[] {
  const commands: string[] = [];
  for (const block of shellBlocks) {
    const lines = block.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('aws ')) continue;
      let command = lines[i]!;
      while ((command.split("'").length % 2 === 0 || command.endsWith('\\')) && i + 1 < lines.length) {
        command += `\n${lines[++i]}`;
      }
      commands.push(command);
    }
  }
  return commands;
}

function readmeLine(prefix: string): string {
  const lines = shellBlocks.flatMap((block) => block.split('\n')).filter((line) => line.startsWith(prefix));
  expect(lines, `README lines starting with ${prefix}`).toHaveLength(1);
  return lines[0]!;
}

/** A directory whose `aws` is Debian's CLI, given the emulator's endpoint when a command names none (AWS examples). */
function shimDirectory(work: string): string {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'aws'),
    [
      '#!/bin/bash',
      'for arg in "$@"; do [ "$arg" = --endpoint-url ] && exec "$JITR_TEST_AWS_CLI" "$@"; done',
      'exec "$JITR_TEST_AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" "$@"',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(bin, 'npx'),
    [
      '#!/bin/bash',
      '[ "$1" = jitr ] || exit 2',
      'shift',
      `exec "${process.execPath}" "${join(root, 'bin', 'jitr.js')}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'aws'), 0o755);
  chmodSync(join(bin, 'npx'), 0o755);
  return bin;
}

describe("README: the aws examples, with Debian's awscli", () => {
  const local = withEmulator();
  const work = mkdtempSync(join(tmpdir(), 'jitr-readme-aws-'));
  beforeAll(() => requireDebianAwsCli());
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('names the emulator endpoint in every example meant for it (old CLIs ignore AWS_ENDPOINT_URL)', () => {
    const commands = readmeAwsCommands();
    const forEmulator = commands.filter((command) => !command.includes('/jitr/prod/'));

    expect(commands.map((command) => command.split(' ').slice(0, 5).join(' '))).toContain(
      'aws --endpoint-url "$AWS_ENDPOINT_URL" sqs create-queue',
    );
    expect(forEmulator.filter((command) => !command.includes('--endpoint-url "$AWS_ENDPOINT_URL"'))).toEqual([]);
  });

  it('runs every aws command of the README against the emulator', async () => {
    const { emulator } = local;
    const bin = shimDirectory(work);
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: work,
      JITR_TEST_AWS_CLI: DEBIAN_AWS_CLI,
      AWS_ENDPOINT_URL: emulator.controlPlane,
      AWS_REGION: emulator.region,
      AWS_DEFAULT_REGION: emulator.region,
      // The README's examples set up the emulator by hand as its admin identity (docs/local-iam.md).
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      BALENA_API_TOKEN: 'example-balena-token',
    };

    const failures: string[] = [];
    for (const command of readmeAwsCommands()) {
      const result = await run('/bin/bash', ['-c', command], { env, cwd: work });
      if (result.code !== 0) failures.push(`${command}\n  exit ${result.code}: ${result.stderr.trim()}`);
    }

    expect(failures).toEqual([]);
    const sqs = sqsClientFor(emulator);
    for (const QueueName of ['onboard-dlq', 'jitr-dev-onboard-dlq']) {
      expect((await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl).toContain(QueueName);
    }
    expect((await iotClientFor(emulator).send(new DescribeThingCommand({ thingName: 'dev1' }))).thingName).toBe('dev1');
    const config = await ssmClientFor(emulator).send(new GetParameterCommand({ Name: '/jitr/prod/vend/config' }));
    expect(JSON.parse(config.Parameter?.Value ?? '{}')).toMatchObject({ version: 1, auth: { mode: 'balena' } });
  }, 120_000);
});

describe('README: jitr local start --state RELATIVE/PATH', () => {
  const work = mkdtempSync(join(tmpdir(), 'jitr-readme-state-'));
  let emulator: ChildProcess | undefined;
  let stderr = '';

  beforeAll(() => {
    // The emulator runs the functions of ./serverless.yml: a project directory, linked to this one.
    for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'functions', 'certs', 'node_modules']) {
      symlinkSync(join(root, entry), join(work, entry));
    }
  });
  afterAll(() => {
    emulator?.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('onboards devices, then saves the registry to the relative path on SIGTERM', async () => {
    const line = readmeLine('npx jitr local start --state ');
    const statePath = join(work, line.split(' ').at(-1)!);
    const child = spawn('/bin/bash', ['-c', line], {
      cwd: work,
      env: { PATH: `${shimDirectory(work)}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: work },
    });
    emulator = child;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = await new Promise<Record<string, string>>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      child.once('exit', (code) => reject(new Error(`jitr local start exited ${code}: ${stderr}`)));
    });
    const endpoint = { controlPlane: ready.controlPlane!, region: ready.region! };
    const clients = localClients(endpoint);
    const fleet = await createFleetCa('generic');
    try {
      await deployStackQueue(clients);
      await preconfigureFleet(clients, fleet);
      const host = await clients.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));

      const report = await simulateFleet({
        devices: await issueSimulatedDevices(fleet, 2),
        target: {
          url: ready.mqtt!,
          servername: host.endpointAddress ?? '',
          caPem: readFileSync(ready.serverCa!, 'utf8'),
        },
        certificateState: describeCertificateLookup(clients.iot),
        timeoutMs: 60_000,
      });

      expect(report.boot, JSON.stringify(report.results.map((r) => [r.outcome, r.reason]))).toMatchObject({
        devices: 2,
        online: 2,
      });
    } finally {
      destroyClients(clients);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/ERR_WORKER_PATH|lambda-start-failed/);
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    expect(readFileSync(statePath, 'utf8')).toContain(fleet.certificateId);
  }, 180_000);
});
