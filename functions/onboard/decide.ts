import { foldedLookAlike } from '../../certs/profiles.js';
import { type FleetConfig, type TrustedCa, trustedCa } from '../fleet-config.js';
import {
  type Action,
  BINDING,
  type CertificateFacts,
  type Facts,
  type Plan,
  type Step,
  type ThingFacts,
  type ValidateDevice,
} from './model.js';
import { boundTenant, profileBinding } from './fleet-binding.js';
import { isRevokedBinding } from './revoked-binding.js';
import { planRotation } from './rotation.js';

/** Reason codes the workflow adds to those of certs/ validation. */
export const REASON = {
  caNotTrusted: 'CA_NOT_TRUSTED',
  caNotRegistered: 'CA_NOT_REGISTERED',
  caInactive: 'CA_INACTIVE',
  caMismatch: 'CA_MISMATCH',
  certificateNotFound: 'CERTIFICATE_NOT_FOUND',
  alreadyActive: 'ALREADY_ACTIVE',
  noThingName: 'NO_THING_NAME',
  thingNotManaged: 'THING_NOT_MANAGED',
  thingOtherCa: 'THING_BOUND_TO_OTHER_CA',
  /** The Thing is bound to another CA this same fleet trusts, and this CA is not its successor: an operator decides. */
  thingTrustedCa: 'THING_BOUND_TO_TRUSTED_CA',
  /** `jitr revoke` marked the Thing: no certificate joins it until `jitr readmit`. */
  deviceRevoked: 'DEVICE_REVOKED',
  thingOtherTenant: 'THING_BOUND_TO_OTHER_TENANT',
  superseded: 'SUPERSEDED',
  deviceIdConfusable: 'DEVICE_ID_CONFUSABLE',
  revokedByCa: 'CERTIFICATE_REVOKED_BY_CA',
  malformedEvent: 'MALFORMED_EVENT',
} as const;

const done = (plan: Plan): Step => ({ kind: 'act', plan });

/** The certificate's terminal or foreign states: nothing to do. ACTIVE is handled separately (duplicate). */
function statusReason(status: string): string {
  return `CERTIFICATE_${status.toUpperCase()}`;
}

export function certificateIdFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1).toLowerCase();
}

/** The Thing belongs to this CA's fleet: created by this CA (or one it rolled over from), for the same tenant. */
export function bindingProblem(thing: ThingFacts, ca: TrustedCa): string | undefined {
  const boundCa = thing.attributes[BINDING.ca];
  if (!boundCa) return REASON.thingNotManaged;
  if (isRevokedBinding(boundCa)) return REASON.deviceRevoked;
  if (boundCa !== ca.certificateId && !ca.rolloverFrom.includes(boundCa)) return REASON.thingOtherCa;
  if (boundTenant(thing.attributes) !== ca.tenantId) return REASON.thingOtherTenant;
  return undefined;
}

/** The Thing is bound to another CA this fleet trusts, for the same tenant and profile: a rollover not recorded. */
export function heldForOperator(thing: ThingFacts, ca: TrustedCa, config: FleetConfig): boolean {
  const boundCa = thing.attributes[BINDING.ca];
  const other = boundCa !== undefined ? trustedCa(config, boundCa) : undefined;
  return (
    other !== undefined &&
    other.profile === ca.profile &&
    other.tenantId === ca.tenantId &&
    boundTenant(thing.attributes) === ca.tenantId
  );
}

export function bindingAttributes(ca: TrustedCa): Record<string, string> {
  return {
    [BINDING.ca]: ca.certificateId,
    [BINDING.profile]: profileBinding(ca.profile, ca.tenantId),
  };
}

function revoke(certificate: CertificateFacts, attachedPolicy?: string): Action[][] {
  const stages: Action[][] = [[{ type: 'setStatus', certificateId: certificate.certificateId, status: 'REVOKED' }]];
  if (attachedPolicy) {
    stages.push([{ type: 'detachPolicy', policyName: attachedPolicy, certificateArn: certificate.certificateArn }]);
  }
  return stages;
}

/** Does an ACTIVE certificate on the Thing name another exact device id than `deviceId`? */
function ownedByAnotherId(facts: Facts, deviceId: string, ca: TrustedCa, validate: ValidateDevice): boolean {
  const caCertificatePem = facts.ca?.certificatePem;
  if (!caCertificatePem) return false;
  return (facts.siblings ?? []).some((sibling) => {
    if (sibling.status !== 'ACTIVE') return false;
    const owner = validate({ certificatePem: sibling.certificatePem, caCertificatePem, ca, at: new Date(facts.now) });
    return owner.deviceId !== undefined && owner.deviceId !== deviceId;
  });
}

/**
 * The onboarding decision, one step at a time: given what has been read so far, either ask for the next reads or return
 * the final plan (decision, reason codes, ordered action stages). Pure: no I/O, the clock is `facts.now`.
 *
 * Order of the plan for a new device: CreateThing + AttachPolicy, then AttachThingPrincipal (EXCLUSIVE_THING), then
 * UpdateCertificate ACTIVE — a certificate is never ACTIVE before it is attached to its Thing and policy, and every action
 * tolerates "already done", so replaying the same plan after a crash finishes the job.
 */
export function decide(facts: Facts, config: FleetConfig, validate: ValidateDevice): Step {
  const step = decideStep(facts, config, validate);
  // failOpen: the device went ahead without a CRL; the plan says so, and the decision line counts it.
  const revocation = facts.revocation;
  if (step.kind === 'act' && revocation?.status === 'unknown' && step.plan.crlProblem === undefined) {
    return { kind: 'act', plan: { ...step.plan, crlProblem: revocation.code } };
  }
  return step;
}

function decideStep(facts: Facts, config: FleetConfig, validate: ValidateDevice): Step {
  const { event } = facts;
  const ca = trustedCa(config, event.caCertificateId);
  if (!ca) return done({ decision: 'ignored', reasons: [REASON.caNotTrusted], stages: [] });

  if (facts.certificate === undefined) return { kind: 'read', reads: ['certificate'] };
  const certificate = facts.certificate;
  if (certificate === null) return done({ decision: 'ignored', reasons: [REASON.certificateNotFound], stages: [] });
  if (certificate.caCertificateId && certificate.caCertificateId !== ca.certificateId) {
    return done({ decision: 'ignored', reasons: [REASON.caMismatch], stages: [] });
  }
  if (certificate.status === 'ACTIVE')
    return done({ decision: 'duplicate', reasons: [REASON.alreadyActive], stages: [] });
  if (certificate.status !== 'PENDING_ACTIVATION') {
    return done({ decision: 'ignored', reasons: [statusReason(certificate.status)], stages: [] });
  }

  if (facts.ca === undefined) return { kind: 'read', reads: ['ca'] };
  if (facts.ca === null) return done({ decision: 'deferred', reasons: [REASON.caNotRegistered], stages: [] });
  // An operator deactivated the CA: do not activate, but do not revoke either (REVOKED is final, and a device's key may
  // live in a secure element for its whole life). The certificate stays pending; the reconciler retries it.
  if (facts.ca.status !== 'ACTIVE') return done({ decision: 'deferred', reasons: [REASON.caInactive], stages: [] });

  const verdict = validate({
    certificatePem: certificate.certificatePem,
    caCertificatePem: facts.ca.certificatePem,
    ca,
    at: new Date(facts.now),
  });
  const identity = { deviceId: verdict.deviceId, thingName: verdict.thingName };
  if (verdict.verdict !== 'accept') {
    const reasons = verdict.reasons.map((reason) => reason.code);
    // An id that Unicode folding turns into another (ASCII) id is an attempt to pass for that device.
    const lookAlike = verdict.deviceId !== undefined && foldedLookAlike(verdict.deviceId) !== undefined;
    if (lookAlike) reasons.push(REASON.deviceIdConfusable);
    return done({
      decision: 'rejected',
      reasons,
      ...(lookAlike ? { security: true } : {}),
      ...identity,
      stages: revoke(certificate),
    });
  }
  const thingName = verdict.thingName;
  const deviceId = verdict.deviceId;
  if (!thingName || deviceId === undefined)
    return done({ decision: 'rejected', reasons: [REASON.noThingName], ...identity, stages: revoke(certificate) });
  const confusable = (): Step =>
    done({
      decision: 'rejected',
      reasons: [REASON.deviceIdConfusable],
      security: true,
      ...identity,
      stages: revoke(certificate, facts.attachedPolicy),
    });

  if (ca.crl) {
    if (facts.revocation === undefined) return { kind: 'read', reads: ['revocation'] };
    const revocation = facts.revocation;
    if (revocation.status === 'revoked') {
      const reasons = [REASON.revokedByCa];
      return done({
        decision: 'rejected',
        reasons,
        crlReason: revocation.reason,
        ...identity,
        stages: revoke(certificate),
      });
    }
    // failClosed: no activation without a current CRL, and no revocation either (REVOKED is final and the CRL may
    // come back): the certificate stays pending, the device retries and the reconciler sweeps it again.
    if (revocation.status === 'unknown' && ca.crl.failClosed) {
      return done({
        decision: 'deferred',
        reasons: [revocation.code],
        crlProblem: revocation.code,
        ...identity,
        stages: [],
      });
    }
  }

  if (facts.thing === undefined) return { kind: 'read', reads: ['thing'], thingName };
  const attach: Action[] = [{ type: 'attachThing', thingName, certificateArn: certificate.certificateArn }];
  const activate: Action[] = [{ type: 'setStatus', certificateId: certificate.certificateId, status: 'ACTIVE' }];
  const attachPolicy: Action = {
    type: 'attachPolicy',
    policyName: ca.policyName,
    certificateArn: certificate.certificateArn,
  };
  const joinGroup: Action[] = ca.thingGroupName
    ? [{ type: 'addThingToGroup', thingName, thingGroupName: ca.thingGroupName }]
    : [];

  if (facts.thing === null) {
    const createThing: Action = {
      type: 'createThing',
      thingName,
      attributes: { ...bindingAttributes(ca), [BINDING.deviceId]: deviceId },
      ...(ca.thingTypeName ? { thingTypeName: ca.thingTypeName } : {}),
    };
    return done({
      decision: 'onboarded',
      reasons: [],
      ...identity,
      stages: [[createThing, attachPolicy], [...attach, ...joinGroup], activate],
    });
  }

  const problem = bindingProblem(facts.thing, ca);
  if (problem === REASON.deviceRevoked) {
    return done({
      decision: 'rejected',
      reasons: [problem],
      ...identity,
      stages: revoke(certificate, facts.attachedPolicy),
    });
  }
  if (problem === REASON.thingOtherCa && heldForOperator(facts.thing, ca, config)) {
    // Two CAs of this fleet claim the device for the same tenant: a renewed CA whose predecessor was not recorded
    // (rolloverFrom). REVOKED is final, so the certificate stays pending for an operator, who records the rollover
    // (its next connection then onboards it) or revokes it. Across tenants no rollover applies: revoked below.
    const detach: Action[][] = facts.attachedPolicy
      ? [[{ type: 'detachPolicy', policyName: facts.attachedPolicy, certificateArn: certificate.certificateArn }]]
      : [];
    return done({
      decision: 'deferred',
      reasons: [REASON.thingTrustedCa],
      security: true,
      ...identity,
      stages: detach,
    });
  }
  if (problem) {
    return done({
      decision: 'rejected',
      reasons: [problem],
      security: true,
      ...identity,
      stages: revoke(certificate, facts.attachedPolicy),
    });
  }

  // One device id, one Thing: ids that differ only by case share the thing name, never the Thing.
  const recordedId = facts.thing.attributes[BINDING.deviceId];
  if (recordedId !== undefined && recordedId !== deviceId) return confusable();

  if (facts.principals === undefined) return { kind: 'read', reads: ['principals'], thingName };
  const others = facts.principals.filter((arn) => certificateIdFromArn(arn) !== certificate.certificateId);
  if (others.length > 0 && facts.siblings === undefined) return { kind: 'read', reads: ['siblings'], thingName };
  // A Thing made before ids were recorded: its ACTIVE certificates say whose it is.
  if (recordedId === undefined && ownedByAnotherId(facts, deviceId, ca, validate)) return confusable();

  const sameOwner = (caId: string | undefined) =>
    caId !== undefined && (caId === ca.certificateId || ca.rolloverFrom.includes(caId));
  const rotation = planRotation(certificate, facts.siblings ?? [], {
    graceHours: ca.rotationGraceHours,
    maxCertificatesPerThing: ca.maxCertificatesPerThing,
    sameOwner,
    now: facts.now,
  });
  const retire: Action[] = rotation.retire.map((old) => ({
    type: 'retire',
    certificateId: old.certificateId,
    certificateArn: old.certificateArn,
    thingName,
    policyName: ca.policyName,
  }));
  if (!rotation.keepCandidate) {
    // Late event for a certificate a newer one replaced long ago: keep the newer one, park this one (INACTIVE, not final).
    const park: Action[] = [{ type: 'setStatus', certificateId: certificate.certificateId, status: 'INACTIVE' }];
    return done({
      decision: 'superseded',
      reasons: [REASON.superseded],
      ...identity,
      stages: retire.length > 0 ? [park, retire] : [park],
    });
  }
  const rotated = (facts.siblings ?? []).some((sibling) => sameOwner(sibling.caCertificateId));
  const stages: Action[][] = [[attachPolicy, ...joinGroup], attach, activate];
  if (retire.length > 0) stages.push(retire);
  return done({ decision: rotated ? 'rotated' : 'onboarded', reasons: [], ...identity, stages });
}
