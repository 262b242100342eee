/**
 * The emulator's registry: the records AWS IoT Core keeps for the operations JITR uses.
 * Shared vocabulary of the control plane (which owns mutations) and the gateway / rules engine (which read).
 * Timestamps are epoch milliseconds; the control plane renders them as AWS does (epoch seconds in JSON).
 */

export type CaStatus = 'ACTIVE' | 'INACTIVE';
export type AutoRegistrationStatus = 'ENABLE' | 'DISABLE';
export type CertificateMode = 'DEFAULT' | 'SNI_ONLY';
export type CertificateStatus =
  'ACTIVE' | 'INACTIVE' | 'REVOKED' | 'PENDING_TRANSFER' | 'REGISTER_INACTIVE' | 'PENDING_ACTIVATION';

export interface CaCertificateRecord {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  status: CaStatus;
  autoRegistrationStatus: AutoRegistrationStatus;
  certificateMode: CertificateMode;
  ownedBy: string;
  creationDate: number;
  lastModifiedDate: number;
  customerVersion: number;
  generationId: string;
  /** notBefore / notAfter of the CA certificate, epoch ms. */
  validity: { notBefore: number; notAfter: number };
  registrationConfig?: { templateBody?: string; roleArn?: string; templateName?: string };
}

export interface CertificateRecord {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  /** Issuing CA's certificateId when registered with (or auto-registered by) a CA; absent for RegisterCertificateWithoutCA. */
  caCertificateId?: string;
  status: CertificateStatus;
  certificateMode: CertificateMode;
  ownedBy: string;
  creationDate: number;
  lastModifiedDate: number;
  customerVersion: number;
  generationId: string;
  validity: { notBefore: number; notAfter: number };
}

export interface ThingRecord {
  thingName: string;
  thingId: string;
  thingArn: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
  creationDate: number;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  isDefaultVersion: boolean;
  createDate: number;
}

export interface PolicyRecord {
  policyName: string;
  policyArn: string;
  versions: PolicyVersionRecord[];
  /** Next version id to hand out (AWS never reuses a version id). */
  nextVersionId: number;
  creationDate: number;
  lastModifiedDate: number;
}

export interface TopicRuleAction {
  lambda?: { functionArn: string };
  sqs?: { queueUrl: string; roleArn?: string; useBase64?: boolean };
  republish?: { topic: string; roleArn?: string; qos?: number };
  [other: string]: unknown;
}

export interface TopicRuleRecord {
  ruleName: string;
  ruleArn: string;
  sql: string;
  description?: string;
  awsIotSqlVersion?: string;
  ruleDisabled: boolean;
  actions: TopicRuleAction[];
  errorAction?: TopicRuleAction;
  createdAt: number;
}

/** principal (certificate ARN) -> thing names, with whether the attachment is EXCLUSIVE_THING. */
export interface ThingPrincipalAttachment {
  thingName: string;
  principal: string;
  exclusive: boolean;
}

export interface ThingGroupRecord {
  thingGroupName: string;
  thingGroupId: string;
  thingGroupArn: string;
  description?: string;
  attributes: Record<string, string>;
  parentGroupName?: string;
  version: number;
  creationDate: number;
}
