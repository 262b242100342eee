import type { SSMClient } from '@aws-sdk/client-ssm';
import { parseCrl, verifyCrl } from '../../certs/crl.js';
import { CertificateError } from '../../certs/errors.js';
import { parseCertificate } from '../../certs/parse.js';
import { ssmParameterReader } from '../../functions/aws/clients.js';
import { s3ObjectReader } from '../../functions/aws/s3-object.js';
import { type CrlReaders, fetchCrl, httpGet } from '../../functions/crl/fetch.js';
import { parseCrlLocation } from '../../functions/crl/location.js';
import type { TrustedCa } from '../../functions/fleet-config.js';

/** What doctor found about a trusted CA's CRL, read from where the Lambdas read it, with the operator's credentials. */
export type CrlHealth =
  | { source: string; failClosed: boolean; state: 'current'; crlNumber?: string; nextUpdate: string; revoked: number }
  | { source: string; failClosed: boolean; state: 'problem'; code: string; message: string }
  /** `dp`: each device names its own CRL; nothing to read without a device. */
  | { source: string; failClosed: boolean; state: 'per-device' };

/** The Lambda's CRL readers over the operator's clients (S3 signed with the SSM client's region and credentials). */
export async function operatorCrlReaders(ssm: SSMClient): Promise<CrlReaders> {
  const endpoint = await ssm.config.endpoint?.();
  const endpointUrl = endpoint
    ? `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path === '/' ? '' : endpoint.path}`
    : undefined;
  return {
    http: httpGet,
    ssm: ssmParameterReader(ssm),
    s3: s3ObjectReader({
      region: ssm.config.region,
      credentials: ssm.config.credentials,
      ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    }),
  };
}

/** Reads and checks one CA's CRL at `at` as the onboarding Lambda would. Never throws: a failure is the finding. */
export async function crlHealth(
  readers: CrlReaders,
  trusted: TrustedCa,
  caCertificatePem: string,
  at: number,
): Promise<CrlHealth | undefined> {
  if (!trusted.crl) return undefined;
  const base = { source: trusted.crl.source, failClosed: trusted.crl.failClosed };
  const parsed = parseCrlLocation(trusted.crl.source);
  if (!parsed.ok) return { ...base, state: 'problem', code: 'CRL_UNREACHABLE', message: parsed.problem };
  if (parsed.location.kind === 'dp') return { ...base, state: 'per-device' };
  try {
    const crl = parseCrl(await fetchCrl(parsed.location, readers));
    const check = verifyCrl(crl, parseCertificate(caCertificatePem).der, new Date(at));
    if (!check.trusted) return { ...base, state: 'problem', code: check.code, message: check.message };
    return {
      ...base,
      state: 'current',
      ...(crl.crlNumber !== undefined ? { crlNumber: crl.crlNumber } : {}),
      nextUpdate: crl.nextUpdate!.toISOString(),
      revoked: crl.entries.size,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const known = error instanceof CertificateError || code === 'CRL_UNREACHABLE';
    return {
      ...base,
      state: 'problem',
      code: known && typeof code === 'string' ? code : 'CRL_UNREACHABLE',
      message: (error as Error).message,
    };
  }
}
