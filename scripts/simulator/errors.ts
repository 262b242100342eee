import { CliError, ExitCode } from '../cli/errors.js';

/** Bad simulator input (endpoint, CA directory, ready line): a usage or I/O error, exit 2. */
export class SimulatorError extends CliError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.usage, options);
    this.name = 'SimulatorError';
  }
}
