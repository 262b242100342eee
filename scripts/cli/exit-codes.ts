/**
 * One exit code per situation, whichever command meets it. docs/cli.md ("Exit codes") lists the same table, and
 * test/unit/cli/exit-codes.test.ts checks the two against each other and against every code the CLI throws.
 * A CliError whose code is listed here always exits with the listed code (scripts/cli/errors.ts).
 */
export const EXIT_CODE_OF_ERROR: Record<string, 0 | 1 | 2 | 3> = {
  // The command line itself.
  USAGE: 2,
  UNKNOWN_COMMAND: 2,
  UNKNOWN_FLAG: 2,
  // Names and things the operator named.
  BAD_THING_NAME: 2,
  THING_NOT_FOUND: 2,
  CERTIFICATE_NOT_FOUND: 2,
  NO_TRUSTED_CA_FOR_PROFILE: 2,
  CA_NOT_FOUND: 2,
  ROLLOVER_FROM_ITSELF: 2,
  ROLLOVER_CA_NOT_TRUSTED: 2,
  ROLLOVER_PROFILE_MISMATCH: 2,
  // Where to connect.
  NO_ENDPOINT: 2,
  BAD_ENDPOINT: 2,
  BAD_LOCAL_READY: 2,
  LOCAL_NOT_READY: 2,
  LOCAL_RUNNING: 2,
  LOCAL_START_FAILED: 2,
  PORT_IN_USE: 2,
  NOT_IN_PROJECT: 2,
  // Files.
  FILE_UNREADABLE: 2,
  FILE_UNWRITABLE: 2,
  FILE_EXISTS: 2,
  MALFORMED_CERTIFICATE: 2,
  CA_KEY_MISMATCH: 2,
  CA_KEY_UNREADABLE: 2,
  VERIFICATION_NOT_SIGNED_BY_CA: 2,
  NOT_A_CA_CERTIFICATE: 2,
  TENANT_MISMATCH: 2,
  VERIFICATION_CODE_MISMATCH: 2,
  PROOF_REQUIRED: 2,
  NOT_ISSUED_BY_CA: 2,
  INVALID_REVOCATIONS: 2,
  // AWS access.
  AWS_REGION_MISSING: 2,
  AWS_CREDENTIALS_MISSING: 2,
  AWS_FAILURE: 1,
  // The deployment's state.
  FLEET_CONFIG_MISSING: 1,
  FLEET_CONFIG_INVALID: 1,
  FLEET_CONFIG_CONTENDED: 1,
  FLEET_CONFIG_TOO_LARGE: 1,
  DLQ_NOT_FOUND: 1,
  CA_STILL_IN_USE: 1,
  VEND_BAD_RESPONSE: 1,
  INTERNAL: 1,
};

/** Codes made from a service's error name (`AWS_ThrottlingException`): exit 1, as AWS_FAILURE. */
export const AWS_ERROR_PREFIX = 'AWS_';

export function exitCodeOfError(code: string): 0 | 1 | 2 | 3 | undefined {
  return EXIT_CODE_OF_ERROR[code];
}
