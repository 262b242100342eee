import { randomUUID } from 'node:crypto';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ExitCode } from '../cli/errors.js';
import { aws, awsErrorName, awsOptional, OperatorError } from './errors.js';

/**
 * A lease on the fleet configuration, kept in its own SSM parameter `<name>.lock`. SSM has no conditional write for a
 * value, but it has two atomic primitives this builds on:
 * - PutParameter with Overwrite=false fails with ParameterAlreadyExists when the name exists: exactly one of several
 *   writers creates the lock;
 * - every write gets the next version number: of several writers that take over an expired lock, exactly one is
 *   answered with the version after the one they all read, and only that one holds it.
 * A holder that crashed leaves a lock that expires after `ttlMs` (clocks of operators' machines are assumed to agree
 * within a few seconds, as NTP keeps them).
 */
export interface LockOptions {
  /** How long a lock is valid without its holder releasing it. */
  ttlMs?: number;
  /** How long to wait for another holder before giving up with FLEET_CONFIG_CONTENDED. */
  waitMs?: number;
  now?: () => number;
}

export interface HeldLock {
  name: string;
  owner: string;
  version: number;
  expiresAt: number;
}

export const DEFAULT_LOCK_TTL_MS = 30_000;
export const DEFAULT_LOCK_WAIT_MS = 45_000;

export const lockParameterName = (configName: string) => `${configName}.lock`;

export function contended(name: string, detail: string): OperatorError {
  return new OperatorError(
    'FLEET_CONFIG_CONTENDED',
    `SSM parameter ${name}: ${detail}; nothing was changed by this command, run it again`,
    ExitCode.failure,
  );
}

interface LockValue {
  owner: string;
  expiresAt: number;
}

function parseLock(text: string | undefined): LockValue | undefined {
  try {
    const value = JSON.parse(text ?? '') as Partial<LockValue>;
    if (typeof value.owner === 'string' && typeof value.expiresAt === 'number') {
      return { owner: value.owner, expiresAt: value.expiresAt };
    }
  } catch {
    // an unreadable lock is treated as expired
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function acquireLock(ssm: SSMClient, configName: string, options: LockOptions = {}): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const name = lockParameterName(configName);
  const owner = randomUUID();
  const giveUpAt = now() + (options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  for (let attempt = 0; ; attempt++) {
    const expiresAt = now() + ttlMs;
    const value = JSON.stringify({ owner, expiresAt });
    const created = await putLock(ssm, name, value, false);
    if (created !== undefined) return { name, owner, version: created, expiresAt };
    const current = await awsOptional(`reading SSM parameter ${name}`, () =>
      ssm.send(new GetParameterCommand({ Name: name })),
    );
    const seen = current?.Parameter;
    if (seen?.Version !== undefined && (parseLock(seen.Value)?.expiresAt ?? 0) <= now()) {
      // Expired: every writer that saw version N may overwrite it, but only the one answered with N+1 holds the lock.
      const version = await putLock(ssm, name, value, true);
      if (version === seen.Version + 1) return { name, owner, version, expiresAt };
    }
    if (now() >= giveUpAt) {
      throw contended(configName, `another command holds ${name} (another preconfigure, revoke or ca retire running?)`);
    }
    await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random() / 2));
  }
}

/** The new version, or undefined when the lock exists and `overwrite` is false. */
async function putLock(ssm: SSMClient, name: string, value: string, overwrite: boolean): Promise<number | undefined> {
  try {
    const response = await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: overwrite,
        ...(overwrite ? {} : { Description: 'jitr: lease on the fleet configuration while a command updates it' }),
      }),
    );
    return response.Version;
  } catch (error) {
    if (!overwrite && awsErrorName(error) === 'ParameterAlreadyExists') return undefined;
    return aws(`writing SSM parameter ${name}`, () => Promise.reject(error));
  }
}

/** True while the lease still has `marginMs` to run and the parameter still names this holder. */
export async function stillHeld(ssm: SSMClient, lock: HeldLock, marginMs: number, now = Date.now): Promise<boolean> {
  if (now() + marginMs >= lock.expiresAt) return false;
  const current = await awsOptional(`reading SSM parameter ${lock.name}`, () =>
    ssm.send(new GetParameterCommand({ Name: lock.name })),
  );
  return current?.Parameter?.Version === lock.version && parseLock(current.Parameter.Value)?.owner === lock.owner;
}

/** Deletes the lock if it is still this holder's (a lock that expired and was taken over is left to its new holder). */
export async function releaseLock(ssm: SSMClient, lock: HeldLock): Promise<void> {
  const current = await awsOptional(`reading SSM parameter ${lock.name}`, () =>
    ssm.send(new GetParameterCommand({ Name: lock.name })),
  );
  if (parseLock(current?.Parameter?.Value)?.owner !== lock.owner) return;
  await awsOptional(`deleting SSM parameter ${lock.name}`, () =>
    ssm.send(new DeleteParameterCommand({ Name: lock.name })),
  );
}
