/** Base error of `local/`: every failure of the emulator carries a stable machine-readable code. */
export class EmulatorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorError';
    this.code = code;
  }
}

/**
 * A failure the emulated AWS service reports to its caller: `code` is the AWS error type
 * (e.g. ResourceNotFoundException), `statusCode` the HTTP status AWS answers with.
 */
export class AwsServiceError extends EmulatorError {
  readonly statusCode: number;
  /** Extra members of the error body AWS documents for this error (e.g. resourceId, resourceArn). */
  readonly details: Record<string, unknown>;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(code, message, options);
    this.name = 'AwsServiceError';
    this.statusCode = statusCode;
    this.details = options?.details ?? {};
  }
}

export const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', 404, message);
export const alreadyExists = (message: string, details?: { resourceId?: string; resourceArn?: string }) =>
  new AwsServiceError('ResourceAlreadyExistsException', 409, message, details ? { details } : {});
export const invalidRequest = (message: string) => new AwsServiceError('InvalidRequestException', 400, message);
export const certificateState = (message: string) => new AwsServiceError('CertificateStateException', 406, message);
export const certificateValidation = (message: string) =>
  new AwsServiceError('CertificateValidationException', 400, message);
export const deleteConflict = (message: string) => new AwsServiceError('DeleteConflictException', 409, message);
export const versionsLimitExceeded = (message: string) =>
  new AwsServiceError('VersionsLimitExceededException', 409, message);
/** HTTP 400, as the AWS IoT service model types ThrottlingException (the SDK retries it by name, not by status). */
export const throttling = (message = 'Rate exceeded') => new AwsServiceError('ThrottlingException', 400, message);
export const internalFailure = (message = 'Internal failure') =>
  new AwsServiceError('InternalFailureException', 500, message);

/** A configuration the emulator cannot start with (bad --faults spec, bad --state file, ...). */
export class EmulatorConfigError extends EmulatorError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EmulatorConfigError';
  }
}
