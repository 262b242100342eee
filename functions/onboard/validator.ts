import { createDenyList, type DenyList } from '../../certs/deny.js';
import type { LoadedCertificate } from '../../certs/parse.js';
import { parseCertificate } from '../../certs/parse.js';
import { validateDeviceCertificate } from '../../certs/validate.js';
import type { TrustedCa } from '../fleet-config.js';
import type { ValidateDevice } from './model.js';

/** Deny lists and parsed CA certificates live as long as the configuration / CA cache entry that produced them. */
const denyLists = new WeakMap<TrustedCa, DenyList>();
const issuers = new Map<string, LoadedCertificate>();
const MAX_CACHED_ISSUERS = 64;

function denyListFor(ca: TrustedCa): DenyList {
  let deny = denyLists.get(ca);
  if (!deny) {
    deny = createDenyList(ca.deny);
    denyLists.set(ca, deny);
  }
  return deny;
}

/** The CA certificate parsed once per container: certs/ caches its derived fields per parsed object. */
function issuerFor(pem: string): LoadedCertificate | string {
  const cached = issuers.get(pem);
  if (cached) return cached;
  try {
    const loaded = parseCertificate(pem);
    if (issuers.size >= MAX_CACHED_ISSUERS) issuers.clear();
    issuers.set(pem, loaded);
    return loaded;
  } catch {
    return pem; // let validation report it with its own reason code
  }
}

/** Device-certificate validation by certs/, with the CA's profile, tenant, pattern and deny list from the fleet config. */
export const validateWithCerts: ValidateDevice = ({ certificatePem, caCertificatePem, ca, at }) => {
  const result = validateDeviceCertificate({
    certificate: certificatePem,
    issuer: issuerFor(caCertificatePem),
    profile: {
      profile: ca.profile,
      ...(ca.tenantId !== undefined ? { tenantId: ca.tenantId } : {}),
      ...(ca.pattern !== undefined ? { pattern: ca.pattern } : {}),
    },
    at,
    deny: denyListFor(ca),
  });
  return {
    verdict: result.verdict,
    reasons: result.reasons,
    ...(result.deviceId !== undefined ? { deviceId: result.deviceId } : {}),
    ...(result.thingName !== undefined ? { thingName: result.thingName } : {}),
  };
};
