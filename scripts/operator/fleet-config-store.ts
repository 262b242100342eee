import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  FLEET_CONFIG_MAX_CHARACTERS,
  type FleetConfig,
  type FleetConfigInput,
  parseFleetConfig,
  parseFleetConfigJson,
} from '../../functions/fleet-config.js';
import { ExitCode } from '../cli/errors.js';
import { aws, awsOptional, OperatorError } from './errors.js';
import {
  acquireLock,
  contended,
  DEFAULT_LOCK_TTL_MS,
  type LockOptions,
  releaseLock,
  stillHeld,
} from './fleet-config-lock.js';

/** The fleet configuration parameter as it stands: absent, present but unusable, or valid. */
export type FleetConfigState =
  { state: 'missing' } | { state: 'invalid'; message: string } | { state: 'valid'; config: FleetConfig };

export async function readFleetConfig(ssm: SSMClient, name: string): Promise<FleetConfigState> {
  const response = await awsOptional(`reading SSM parameter ${name}`, () =>
    ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
  );
  const text = response?.Parameter?.Value;
  if (text === undefined) return { state: 'missing' };
  try {
    return { state: 'valid', config: parseFleetConfigJson(text) };
  } catch (error) {
    return { state: 'invalid', message: (error as Error).message };
  }
}

/** The valid configuration, an empty one when the parameter does not exist yet, or FLEET_CONFIG_INVALID (exit 1). */
export async function requireFleetConfig(
  ssm: SSMClient,
  name: string,
  options: { allowMissing: boolean },
): Promise<FleetConfig | undefined> {
  const current = await readFleetConfig(ssm, name);
  if (current.state === 'valid') return current.config;
  if (current.state === 'missing') {
    if (options.allowMissing) return undefined;
    throw new OperatorError(
      'FLEET_CONFIG_MISSING',
      `SSM parameter ${name} does not exist; run jitr preconfigure first`,
      ExitCode.failure,
    );
  }
  throw new OperatorError(
    'FLEET_CONFIG_INVALID',
    `SSM parameter ${name} holds no usable fleet configuration (${current.message}); fix or delete it, then run again`,
    ExitCode.failure,
  );
}

/** Validates with the Lambda's own schema before writing, so the pipeline never reads a document it would reject. */
export async function writeFleetConfig(ssm: SSMClient, name: string, config: FleetConfigInput): Promise<FleetConfig> {
  return (await writeVersioned(ssm, name, config)).config;
}

async function writeVersioned(
  ssm: SSMClient,
  name: string,
  config: FleetConfigInput,
): Promise<{ config: FleetConfig; version: number | undefined }> {
  const checked = parseFleetConfig(config);
  const value = JSON.stringify(checked);
  if (value.length > FLEET_CONFIG_MAX_CHARACTERS) {
    throw new OperatorError(
      'FLEET_CONFIG_TOO_LARGE',
      `the fleet configuration would be ${value.length} characters, over the ${FLEET_CONFIG_MAX_CHARACTERS} an SSM ` +
        `parameter holds; nothing was written. Revoke many devices through their CA's CRL (docs/revocation.md) ` +
        `rather than deny lists`,
      ExitCode.failure,
    );
  }
  const response = await aws(`writing SSM parameter ${name}`, () =>
    ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        // Standard parameters hold 4 KB; deny lists can outgrow that. Intelligent-Tiering moves to Advanced when needed.
        Tier: 'Intelligent-Tiering',
        Description:
          'jitr fleet configuration: trusted CAs, device profiles, deny lists (written by jitr preconfigure)',
      }),
    ),
  );
  return { config: checked, version: response.Version };
}

/** The valid configuration (or undefined when absent) and its SSM version; `:version` reads an earlier one. */
async function readVersioned(
  ssm: SSMClient,
  name: string,
  version?: number,
): Promise<{ config: FleetConfig | undefined; version: number | undefined }> {
  const selector = version === undefined ? name : `${name}:${version}`;
  const response = await awsOptional(`reading SSM parameter ${selector}`, () =>
    ssm.send(new GetParameterCommand({ Name: selector, WithDecryption: true })),
  );
  const text = response?.Parameter?.Value;
  if (text === undefined) return { config: undefined, version: undefined };
  try {
    return { config: parseFleetConfigJson(text), version: response?.Parameter?.Version };
  } catch (error) {
    throw new OperatorError(
      'FLEET_CONFIG_INVALID',
      `SSM parameter ${selector} holds no usable fleet configuration (${(error as Error).message}); fix or delete it, then run again`,
      ExitCode.failure,
    );
  }
}

/** The write must start with this much of the lease left (at most a third of it), so it lands while the lease holds. */
const WRITE_MARGIN_MS = 5_000;

export type UpdateOptions = LockOptions;

/**
 * Read-modify-write of the fleet configuration that loses no other writer's change (SSM PutParameter has no
 * compare-and-swap; see docs/operations.md#concurrent-operator-commands):
 * 1. take the lease `<name>.lock` (fleet-config-lock.ts); waiting too long fails with FLEET_CONFIG_CONTENDED, nothing
 *    changed;
 * 2. read the document with its version V, apply `change`, check the lease still has WRITE_MARGIN_MS to run, write;
 * 3. the write must come back as version V+1. Anything else means another write landed between the read and the
 *    write (possible only when this command stalled past its lease): the document that write made is read back by
 *    version and `change` applied to it under a new lease, so both changes stand; if yet another writer built on the
 *    late document meanwhile, the command fails with FLEET_CONFIG_CONTENDED and says which version to check.
 * `change` returns the new document, or undefined when the current one already holds the change.
 */
export async function updateFleetConfig(
  ssm: SSMClient,
  name: string,
  change: (current: FleetConfig | undefined) => FleetConfig | undefined,
  options: UpdateOptions = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const lock = await acquireLock(ssm, name, options);
  let written: { read: number; wrote: number } | undefined;
  try {
    const current = await readVersioned(ssm, name);
    const next = change(current.config);
    if (next === undefined) return;
    const margin = Math.min(WRITE_MARGIN_MS, (options.ttlMs ?? DEFAULT_LOCK_TTL_MS) / 3);
    if (!(await stillHeld(ssm, lock, margin, now))) {
      throw contended(name, `the lease ${lock.name} ran out before the write`);
    }
    const result = await writeVersioned(ssm, name, next);
    const read = current.version ?? 0;
    if (result.version === undefined || result.version === read + 1) return;
    written = { read, wrote: result.version };
  } finally {
    await releaseLock(ssm, lock);
  }
  await reapplyOverLateWrite(ssm, name, change, written, options);
}

/** This command's write replaced version `wrote - 1`, which it never read: apply the change to that one instead. */
async function reapplyOverLateWrite(
  ssm: SSMClient,
  name: string,
  change: (current: FleetConfig | undefined) => FleetConfig | undefined,
  written: { read: number; wrote: number },
  options: UpdateOptions,
): Promise<void> {
  const replaced = written.wrote - 1;
  const lost = (detail: string) =>
    new OperatorError(
      'FLEET_CONFIG_CONTENDED',
      `SSM parameter ${name}: this command's write landed late (version ${written.wrote}) over version ${replaced}, ` +
        `written by another command meanwhile; ${detail}. Compare versions ${replaced} and ${written.wrote} ` +
        `(aws ssm get-parameter --name ${name}:${replaced}) and run the other command again`,
      ExitCode.failure,
    );
  const lock = await acquireLock(ssm, name, options);
  try {
    const current = await readVersioned(ssm, name);
    if (current.version !== written.wrote) throw lost(`version ${current.version} was written on top of it since`);
    const overwritten = await readVersioned(ssm, name, replaced);
    const merged = change(overwritten.config) ?? overwritten.config;
    if (!merged) throw lost('that version cannot be read back');
    const result = await writeVersioned(ssm, name, merged);
    if (result.version !== undefined && result.version !== written.wrote + 1) throw lost('the repair raced too');
  } finally {
    await releaseLock(ssm, lock);
  }
}
