import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  type FleetConfig,
  type FleetConfigInput,
  parseFleetConfig,
  parseFleetConfigJson,
} from '../../functions/fleet-config.js';
import { ExitCode } from '../cli/errors.js';
import { aws, awsOptional, OperatorError } from './errors.js';

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
  const checked = parseFleetConfig(config);
  await aws(`writing SSM parameter ${name}`, () =>
    ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: JSON.stringify(checked),
        Type: 'String',
        Overwrite: true,
        // Standard parameters hold 4 KB; deny lists can outgrow that. Intelligent-Tiering moves to Advanced when needed.
        Tier: 'Intelligent-Tiering',
        Description:
          'jitr fleet configuration: trusted CAs, device profiles, deny lists (written by jitr preconfigure)',
      }),
    ),
  );
  return checked;
}

const MAX_UPDATE_ROUNDS = 4;

/**
 * Read-modify-write with a check: SSM has no conditional put, so after writing, the document is read back and the
 * change re-applied if another writer (a second preconfigure, a revoke) replaced it meanwhile. `change` returns the new
 * document, or undefined when the current one already holds the change.
 */
export async function updateFleetConfig(
  ssm: SSMClient,
  name: string,
  change: (current: FleetConfig | undefined) => FleetConfig | undefined,
): Promise<void> {
  for (let round = 0; round < MAX_UPDATE_ROUNDS; round++) {
    const current = await requireFleetConfig(ssm, name, { allowMissing: true });
    const next = change(current);
    if (next === undefined) return;
    await writeFleetConfig(ssm, name, next);
  }
  throw new OperatorError(
    'FLEET_CONFIG_CONTENDED',
    `SSM parameter ${name} kept changing under this command (another preconfigure or revoke running?); run it again`,
    ExitCode.failure,
  );
}
