import { EmulatorError } from '../errors.js';

export type RuleSqlErrorCode = 'SQL_SYNTAX' | 'SQL_UNSUPPORTED' | 'SQL_INVALID_TOPIC_FILTER';

/** A rule's SQL the local rules engine cannot parse or evaluate. Reported, never ignored. */
export class RuleSqlError extends EmulatorError {
  constructor(code: RuleSqlErrorCode, message: string) {
    super(code, message);
    this.name = 'RuleSqlError';
  }
}
