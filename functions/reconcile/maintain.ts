import type { TrustedCa } from '../fleet-config.js';
import { bindingProblem } from '../onboard/decide.js';
import type { Action, CertificateFacts, ThingFacts } from '../onboard/model.js';
import { planRetirement } from '../onboard/rotation.js';

/**
 * The reconciler's decision for one Thing of a trusted CA: which of its attached certificates to retire now (superseded
 * for longer than the grace window, past notAfter, or beyond the per-Thing cap). Things bound to another CA or tenant
 * are not ours to touch. Pure.
 */
export function planMaintenance(thing: ThingFacts, attached: CertificateFacts[], ca: TrustedCa, now: number): Action[] {
  if (bindingProblem(thing, ca)) return [];
  const retire = planRetirement(attached, {
    graceHours: ca.rotationGraceHours,
    maxCertificatesPerThing: ca.maxCertificatesPerThing,
    sameOwner: (caId) => caId !== undefined && (caId === ca.certificateId || ca.rolloverFrom.includes(caId)),
    now,
  });
  return retire.map((old) => ({
    type: 'retire',
    certificateId: old.certificateId,
    certificateArn: old.certificateArn,
    thingName: thing.thingName,
    policyName: ca.policyName,
  }));
}
