import type { FleetConfig, TrustedCa } from '../../functions/fleet-config.js';
import { parseFleetConfig } from '../../functions/fleet-config.js';
import { canonical } from './policy.js';

/** What preconfigure decides about a CA's entry: profile, tenant, pattern, policy; everything else is kept. */
export interface TrustedCaSettings {
  certificateId: string;
  profile: TrustedCa['profile'];
  policyName: string;
  tenantId?: string;
  pattern?: string;
  label?: string;
  /** CAs this one succeeds, given with --rollover-from (azure-sphere CAs of the same tenant are found by themselves). */
  rolloverFrom?: string[];
  /** The CA's CRL; `null` removes it; absent keeps what the entry has. */
  crl?: { source: string; failClosed: boolean } | null;
}

/**
 * The CAs whose Things this CA may take over: those given, those already recorded, and for azure-sphere every other
 * trusted CA of the same tenant (a renewed tenant CA: Azure Sphere names the tenant in the CA's subject). Pure.
 */
export function predecessorsOf(config: FleetConfig, settings: TrustedCaSettings, recorded: string[] = []): string[] {
  const sameTenant =
    settings.profile === 'azure-sphere' && settings.tenantId !== undefined
      ? config.trustedCas
          .filter((ca) => ca.profile === 'azure-sphere' && ca.tenantId === settings.tenantId)
          .map((ca) => ca.certificateId)
      : [];
  const all = [...recorded, ...(settings.rolloverFrom ?? []), ...sameTenant].map((id) => id.toLowerCase());
  return [...new Set(all)].filter((id) => id !== settings.certificateId);
}

export type MergeAction = 'create' | 'update' | 'unchanged';

/**
 * Adds the CA beside the others, or updates its settings in place, keeping what operators set by hand (deny lists,
 * rotation, thing type and group); the CAs it rolls over from are the recorded ones plus predecessorsOf. Pure.
 */
export function mergeTrustedCa(
  current: FleetConfig | undefined,
  settings: TrustedCaSettings,
): { config: FleetConfig; action: MergeAction } {
  const base: FleetConfig = current ?? { version: 1, trustedCas: [] };
  const index = base.trustedCas.findIndex((ca) => ca.certificateId === settings.certificateId);
  const existing = index >= 0 ? base.trustedCas[index] : undefined;
  const { tenantId: _t, pattern: _p, label: _l, crl: _c, ...kept } = existing ?? ({} as Partial<TrustedCa>);
  const label = settings.label ?? existing?.label;
  const rolloverFrom = predecessorsOf(base, settings, existing?.rolloverFrom);
  const crl = settings.crl === undefined ? existing?.crl : (settings.crl ?? undefined);
  const entry = {
    ...kept,
    rolloverFrom,
    certificateId: settings.certificateId,
    profile: settings.profile,
    policyName: settings.policyName,
    ...(settings.tenantId !== undefined ? { tenantId: settings.tenantId } : {}),
    ...(settings.pattern !== undefined ? { pattern: settings.pattern } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(crl !== undefined ? { crl } : {}),
  };
  const trustedCas = [...base.trustedCas];
  if (index >= 0) trustedCas[index] = entry as TrustedCa;
  else trustedCas.push(entry as TrustedCa);
  const config = parseFleetConfig({ ...base, trustedCas });
  if (!existing) return { config, action: 'create' };
  const same = canonical(config.trustedCas[index]) === canonical(existing);
  return { config: same ? base : config, action: same ? 'unchanged' : 'update' };
}

/** Adds values to a CA's deny list; returns undefined when every value was already there. Pure. */
export function addToDenyList(
  config: FleetConfig,
  caCertificateIds: string[],
  add: { deviceIds?: string[]; certificateIds?: string[] },
): FleetConfig | undefined {
  let changed = false;
  const merge = (values: string[], extra: string[] | undefined) => {
    const next = [...values];
    for (const value of extra ?? []) {
      if (!next.some((v) => v.toLowerCase() === value.toLowerCase())) {
        next.push(value.toLowerCase());
        changed = true;
      }
    }
    return next;
  };
  const trustedCas = config.trustedCas.map((ca) =>
    caCertificateIds.includes(ca.certificateId)
      ? {
          ...ca,
          deny: {
            ...ca.deny,
            deviceIds: merge(ca.deny.deviceIds, add.deviceIds),
            certificateIds: merge(ca.deny.certificateIds, add.certificateIds),
          },
        }
      : ca,
  );
  return changed ? parseFleetConfig({ ...config, trustedCas }) : undefined;
}

/** Takes device ids off every CA's deny list; returns undefined when none of them was there. Pure. */
export function removeFromDenyList(config: FleetConfig, deviceIds: string[]): FleetConfig | undefined {
  const remove = new Set(deviceIds.map((id) => id.toLowerCase()));
  let changed = false;
  const trustedCas = config.trustedCas.map((ca) => {
    const kept = ca.deny.deviceIds.filter((id) => !remove.has(id.toLowerCase()));
    if (kept.length === ca.deny.deviceIds.length) return ca;
    changed = true;
    return { ...ca, deny: { ...ca.deny, deviceIds: kept } };
  });
  return changed ? parseFleetConfig({ ...config, trustedCas }) : undefined;
}
