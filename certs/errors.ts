/** Base error of `certs/`: every failure has a stable machine-readable code. */
export class CertificateError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
    this.code = code;
  }
}

/** Input that is not an X.509 certificate (empty, truncated, a key, garbage). */
export class MalformedCertificateError extends CertificateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_CERTIFICATE', message, options);
    this.name = 'MalformedCertificateError';
  }
}
