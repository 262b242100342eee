import { resolve } from 'node:path';
import { LOCAL_CREDENTIALS, type LocalReady, parseLocalReady } from '../aws/local-ready.js';
import type { Command, CommandInput, CommandOutcome } from '../cli/command.js';
import { optionalInteger, optionalString } from '../cli/flags.js';
import { DEFAULT_READY_FILE, waitForReadyFile } from '../emulator/ready-file.js';

/** A value the shell takes literally: single quotes, with each ' written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The variables that point the jitr CLI, the AWS SDKs and the AWS CLI at the emulator. */
export function localVariables(ready: LocalReady, jitrLocal: string): Record<string, string> {
  const credentials = ready.credentials ?? LOCAL_CREDENTIALS;
  return {
    AWS_ENDPOINT_URL: ready.controlPlane,
    AWS_REGION: ready.region,
    // The AWS CLI v1 (Debian's awscli) reads only AWS_DEFAULT_REGION.
    AWS_DEFAULT_REGION: ready.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    JITR_LOCAL: jitrLocal,
  };
}

async function run(input: CommandInput): Promise<CommandOutcome> {
  const waitS = optionalInteger(input, 'wait', { min: 0, max: 3600 }) ?? 30;
  const flagged = optionalString(input, 'ready-file');
  const fromEnv = flagged === undefined ? input.io.env.JITR_LOCAL : undefined;
  let ready: LocalReady;
  let jitrLocal: string;
  if (fromEnv?.trim().startsWith('{')) {
    ready = parseLocalReady(fromEnv);
    jitrLocal = fromEnv;
  } else {
    const path = resolve(flagged ?? fromEnv ?? DEFAULT_READY_FILE);
    ready = await waitForReadyFile(path, waitS * 1000);
    jitrLocal = path;
  }
  const variables = localVariables(ready, jitrLocal);
  const lines = [
    ...Object.entries(variables).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    // A profile or session token from the shell would send the AWS CLI to SSO or sign with the wrong keys.
    'unset AWS_PROFILE AWS_SESSION_TOKEN',
  ];
  return { data: { variables, unset: ['AWS_PROFILE', 'AWS_SESSION_TOKEN'] }, human: lines.join('\n') };
}

export const command: Command = {
  path: ['local', 'env'],
  summary: 'Print the shell exports that point jitr, the AWS SDKs and the AWS CLI at the running emulator',
  usage: 'Usage: jitr local env [--ready-file FILE] [--wait S] [--json]',
  description:
    'Reads the ready file of `jitr local start` (waiting for it to appear, so it can follow a start in the background at once) and prints export lines for AWS_ENDPOINT_URL, AWS_REGION, the access keys the emulator accepts, and JITR_LOCAL, which every jitr command that calls AWS honours. Use it as eval "$(jitr local env)". Exit 2 (LOCAL_NOT_READY) when no emulator is ready in time.',
  flags: {
    'ready-file': `the ready file to read (default: JITR_LOCAL if set, else ${DEFAULT_READY_FILE})`,
    wait: 'seconds to wait for the ready file to appear (default: 30)',
  },
  examples: ['eval "$(jitr local env)"', 'jitr local env --ready-file /tmp/emulator.json --wait 0 --json'],
  options: { 'ready-file': { type: 'string' }, wait: { type: 'string' } },
  run,
};
