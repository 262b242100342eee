import { EmulatorError } from '../errors.js';

export type LambdaErrorCode =
  | 'SERVICE_NOT_FOUND'
  | 'SERVICE_INVALID'
  | 'UNRESOLVED_VARIABLE'
  | 'UNSUPPORTED_INTRINSIC'
  | 'FUNCTION_NOT_FOUND'
  | 'BUNDLE_FAILED'
  | 'HANDLER_NOT_FOUND';

/** A serverless.yml the local runner cannot read, or a function it cannot run. */
export class LambdaRunnerError extends EmulatorError {
  constructor(code: LambdaErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'LambdaRunnerError';
  }
}
