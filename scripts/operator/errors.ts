import { CliError, ExitCode } from '../cli/errors.js';

/** Base error of the operator commands: a stable code, and the exit code of the CLI contract. */
export class OperatorError extends CliError {
  constructor(code: string, message: string, exitCode: ExitCode = ExitCode.failure, options?: { cause?: unknown }) {
    super(code, message, exitCode, options);
    this.name = 'OperatorError';
  }
}

/** What the operator asked for cannot be done as asked (a bad file, a proof for another code): exit 2. */
export class OperatorInputError extends OperatorError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.usage, options);
    this.name = 'OperatorInputError';
  }
}

/** The name of an AWS SDK error (`ResourceNotFoundException`), if it is one. */
export function awsErrorName(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}

export function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'ResourceNotFoundException' || name === 'ParameterNotFound' || name === 'NotFoundException';
}

/**
 * Turns an AWS SDK failure into a CLI error with a stable code: missing region or credentials are the operator's setup
 * (exit 2), a service error is `AWS_<ErrorName>` (exit 1). Errors that already carry a CLI code pass through.
 */
export function asCliError(error: unknown, during: string): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/region is missing|region not accepted/i.test(message)) {
    return new OperatorInputError(
      'AWS_REGION_MISSING',
      `${during}: no valid AWS region; set AWS_REGION (or a region in your AWS_PROFILE)`,
      { cause: error },
    );
  }
  const name = awsErrorName(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(name ?? '')) {
    return new OperatorInputError('AWS_CREDENTIALS_MISSING', `${during}: ${message}`, { cause: error });
  }
  if (name && name !== 'Error' && name !== 'TypeError') {
    return new OperatorError(`AWS_${name}`, `${during}: ${name}: ${message}`, ExitCode.failure, { cause: error });
  }
  return new OperatorError('AWS_FAILURE', `${during}: ${message}`, ExitCode.failure, { cause: error });
}

/** Runs one AWS call and names what was being done if it fails. */
export async function aws<T>(during: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asCliError(error, during);
  }
}

/** Like `aws`, but "does not exist" is an answer (undefined), not a failure. */
export async function awsOptional<T>(during: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw asCliError(error, during);
  }
}
