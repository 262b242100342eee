import { BINDING } from './model.js';

/**
 * The `jitr_profile` attribute holds the identity profile, then `/<tenantId>` when the CA names a tenant: one attribute
 * for both, because AWS IoT allows only 3 attributes on a Thing without a thing type (jitr_ca, jitr_profile,
 * jitr_device_id). Profiles never contain `/`. Things written before carry the tenant in a separate `jitr_tenant`.
 */
export function profileBinding(profile: string, tenantId: string | undefined): string {
  return tenantId ? `${profile}/${tenantId}` : profile;
}

/** The identity profile a Thing is bound to, if any. */
export function boundProfile(attributes: Record<string, string> | undefined): string | undefined {
  const value = attributes?.[BINDING.profile];
  if (value === undefined) return undefined;
  const slash = value.indexOf('/');
  return slash < 0 ? value : value.slice(0, slash);
}

/** The tenant a Thing is bound to: from `jitr_profile`, else the older separate `jitr_tenant`; undefined for none. */
export function boundTenant(attributes: Record<string, string> | undefined): string | undefined {
  const value = attributes?.[BINDING.profile];
  const slash = value === undefined ? -1 : value.indexOf('/');
  if (value !== undefined && slash >= 0) return value.slice(slash + 1);
  return attributes?.[BINDING.legacyTenant];
}
