import type {
  CaCertificateRecord,
  CertificateRecord,
  PolicyRecord,
  PolicyVersionRecord,
  ThingRecord,
  TopicRuleRecord,
} from '../../state/model.js';

/** AWS REST-JSON timestamps: epoch seconds as a number (with milliseconds as the fraction). */
export const seconds = (epochMs: number) => epochMs / 1000;

export function caDescription(ca: CaCertificateRecord) {
  return {
    certificateArn: ca.certificateArn,
    certificateId: ca.certificateId,
    status: ca.status,
    certificatePem: ca.certificatePem,
    ownedBy: ca.ownedBy,
    creationDate: seconds(ca.creationDate),
    autoRegistrationStatus: ca.autoRegistrationStatus,
    lastModifiedDate: seconds(ca.lastModifiedDate),
    customerVersion: ca.customerVersion,
    generationId: ca.generationId,
    validity: { notBefore: seconds(ca.validity.notBefore), notAfter: seconds(ca.validity.notAfter) },
    certificateMode: ca.certificateMode,
  };
}

export function certificateDescription(certificate: CertificateRecord) {
  return {
    certificateArn: certificate.certificateArn,
    certificateId: certificate.certificateId,
    ...(certificate.caCertificateId ? { caCertificateId: certificate.caCertificateId } : {}),
    status: certificate.status,
    certificatePem: certificate.certificatePem,
    ownedBy: certificate.ownedBy,
    creationDate: seconds(certificate.creationDate),
    lastModifiedDate: seconds(certificate.lastModifiedDate),
    customerVersion: certificate.customerVersion,
    generationId: certificate.generationId,
    validity: { notBefore: seconds(certificate.validity.notBefore), notAfter: seconds(certificate.validity.notAfter) },
    certificateMode: certificate.certificateMode,
  };
}

export function certificateSummary(certificate: CertificateRecord) {
  return {
    certificateArn: certificate.certificateArn,
    certificateId: certificate.certificateId,
    status: certificate.status,
    certificateMode: certificate.certificateMode,
    creationDate: seconds(certificate.creationDate),
  };
}

export function thingDescription(thing: ThingRecord) {
  return {
    defaultClientId: thing.thingName,
    thingName: thing.thingName,
    thingId: thing.thingId,
    thingArn: thing.thingArn,
    ...(thing.thingTypeName ? { thingTypeName: thing.thingTypeName } : {}),
    attributes: thing.attributes,
    version: thing.version,
  };
}

export function policyVersionSummary(version: PolicyVersionRecord) {
  return {
    versionId: version.versionId,
    isDefaultVersion: version.isDefaultVersion,
    createDate: seconds(version.createDate),
  };
}

export function policySummary(policy: PolicyRecord) {
  return { policyName: policy.policyName, policyArn: policy.policyArn };
}

export function topicRule(rule: TopicRuleRecord) {
  return {
    ruleName: rule.ruleName,
    sql: rule.sql,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    createdAt: seconds(rule.createdAt),
    actions: rule.actions,
    ruleDisabled: rule.ruleDisabled,
    ...(rule.awsIotSqlVersion !== undefined ? { awsIotSqlVersion: rule.awsIotSqlVersion } : {}),
    ...(rule.errorAction !== undefined ? { errorAction: rule.errorAction } : {}),
  };
}
