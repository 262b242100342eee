/** Why a device certificate is rejected. Stable codes: the Lambda, the CLI and operators' alarms key on them. */
export const REASON_CODES = [
  'MALFORMED_CERTIFICATE',
  'SIGNATURE_INVALID',
  'ISSUER_MISMATCH',
  'NOT_YET_VALID',
  'EXPIRED',
  'CA_CERTIFICATE_AS_DEVICE',
  'WEAK_KEY',
  'EKU_NOT_CLIENT_AUTH',
  'DEVICE_ID_MISSING',
  'DEVICE_ID_INVALID',
  'TENANT_MISMATCH',
  'DENIED',
  'WEAK_SIGNATURE',
  'UNHANDLED_CRITICAL_EXTENSION',
  'NAME_CONSTRAINTS_VIOLATED',
  'KEY_USAGE_INVALID',
  'POLICY_CONSTRAINTS_VIOLATED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  message: string;
}

export function reason(code: ReasonCode, message: string): Reason {
  return { code, message };
}
