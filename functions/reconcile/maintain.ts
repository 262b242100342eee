import type { TrustedCa } from '../fleet-config.js';
import { bindingAttributes, bindingProblem } from '../onboard/decide.js';
import { type Action, BINDING, type CertificateFacts, type ThingFacts } from '../onboard/model.js';
import { planRetirement } from '../onboard/rotation.js';

export interface MaintenanceInput {
  /** An ACTIVE certificate of the CA, and the Thing its identity names (null: no such Thing). */
  certificate: CertificateFacts;
  thingName: string;
  /** The certificate's exact device id (recorded on a Thing this creates; a Thing recording another is not touched). */
  deviceId?: string;
  thing: ThingFacts | null;
  /** Certificate ARNs attached to the Thing. */
  principals: string[];
  /** Descriptions of the Thing's other attached certificates. */
  others: CertificateFacts[];
  ca: TrustedCa;
  now: number;
}

export interface MaintenancePlan {
  /** The certificate is ACTIVE but was not attached to its Thing (activated outside this pipeline): attach it. */
  completes: boolean;
  stages: Action[][];
}

/**
 * The reconciler's decision for one ACTIVE certificate of a trusted CA. Pure.
 * - ACTIVE but missing its Thing or attachment (someone activated it by hand): complete what is missing.
 * - Retire the Thing's certificates superseded for longer than the grace window, expired, or beyond the cap.
 * A Thing bound to another CA or tenant is not ours to touch (the onboarding path revokes such certificates; an ACTIVE one
 * there was activated outside the pipeline and is left for an operator).
 */
export function planMaintenance(input: MaintenanceInput): MaintenancePlan {
  const { certificate, thingName, thing, ca } = input;
  const attachPolicy: Action = {
    type: 'attachPolicy',
    policyName: ca.policyName,
    certificateArn: certificate.certificateArn,
  };
  const attachThing: Action = { type: 'attachThing', thingName, certificateArn: certificate.certificateArn };
  if (thing === null) {
    const createThing: Action = {
      type: 'createThing',
      thingName,
      attributes: {
        ...bindingAttributes(ca),
        ...(input.deviceId !== undefined ? { [BINDING.deviceId]: input.deviceId } : {}),
      },
      ...(ca.thingTypeName ? { thingTypeName: ca.thingTypeName } : {}),
    };
    return { completes: true, stages: [[createThing, attachPolicy], [attachThing]] };
  }
  if (bindingProblem(thing, ca)) return { completes: false, stages: [] };
  const recordedId = thing.attributes[BINDING.deviceId];
  if (recordedId !== undefined && recordedId !== input.deviceId) return { completes: false, stages: [] };

  const completes = !input.principals.includes(certificate.certificateArn);
  const stages: Action[][] = completes ? [[attachPolicy], [attachThing]] : [];
  const retire = planRetirement([certificate, ...input.others], {
    graceHours: ca.rotationGraceHours,
    maxCertificatesPerThing: ca.maxCertificatesPerThing,
    sameOwner: (caId) => caId !== undefined && (caId === ca.certificateId || ca.rolloverFrom.includes(caId)),
    now: input.now,
  });
  if (retire.length > 0) {
    stages.push(
      retire.map((old) => ({
        type: 'retire',
        certificateId: old.certificateId,
        certificateArn: old.certificateArn,
        thingName,
        policyName: ca.policyName,
      })),
    );
  }
  return { completes, stages };
}
