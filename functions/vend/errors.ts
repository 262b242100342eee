import { OnboardError } from '../errors.js';

/**
 * A request the vending endpoint answers with an HTTP error. `code` is stable and machine-readable; `status` is the
 * HTTP status; `field` names the request field at fault (400s only). The message never holds a token or key material.
 */
export class VendError extends OnboardError {
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown; field?: string }) {
    super(code, message, options);
    this.name = 'VendError';
    this.status = status;
    this.field = options?.field;
  }
}

/** 400: a request field is missing, of the wrong type or out of bounds. */
export const invalidField = (field: string, message: string, code = 'INVALID_FIELD') =>
  new VendError(code, 400, message, { field });

/**
 * 401 / 403 with a fixed message: why a credential was refused (unknown, wrong, void, another device's) stays in the
 * log line's reason, never in the response.
 */
export class AuthError extends VendError {
  readonly reason: string;

  constructor(status: 401 | 403, reason: string) {
    super(
      status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
      status,
      status === 401 ? 'authentication required' : 'forbidden',
    );
    this.name = 'AuthError';
    this.reason = reason;
  }
}

/** The Thing of that name belongs to another provisioning path (a JITR CA, or made by hand): never touched. */
export const thingForeign = (thingName: string) =>
  new VendError('THING_FOREIGN', 409, `thing ${thingName} exists and is not managed by this endpoint`);

/** The vending configuration is missing or invalid: every request is refused (fail closed). */
export const notConfigured = (message: string, cause?: unknown) =>
  new VendError('VEND_NOT_CONFIGURED', 503, message, { cause });

/** balenaCloud failed or answered something unexpected. */
export const upstreamFailed = (message: string, cause?: unknown) =>
  new VendError('UPSTREAM_FAILED', 502, message, { cause });
