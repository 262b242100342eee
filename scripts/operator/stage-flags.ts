import type { CommandInput } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { optionalInteger, optionalString } from '../cli/flags.js';
import { DEFAULT_STAGE, isStage, LAMBDA_ARN } from './deployment.js';

/** `--stage S` (default dev), checked. */
export function stageFlag(input: CommandInput): string {
  const stage = optionalString(input, 'stage') ?? DEFAULT_STAGE;
  if (!isStage(stage)) throw new UsageError(`--stage must match [a-zA-Z0-9-]{1,32}, got "${stage}"`);
  return stage;
}

export function functionArnFlag(input: CommandInput): string | undefined {
  const arn = optionalString(input, 'function-arn');
  if (arn !== undefined && !LAMBDA_ARN.test(arn))
    throw new UsageError(`--function-arn is not a Lambda function ARN: "${arn}"`);
  return arn;
}

/** `--pending-minutes N`: how long a certificate may stay PENDING_ACTIVATION before it counts as stuck. */
export function pendingAfterMs(input: CommandInput): number {
  return (optionalInteger(input, 'pending-minutes', { min: 1, max: 100_000 }) ?? 30) * 60_000;
}
