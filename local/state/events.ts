import type {
  CaCertificateRecord,
  CertificateRecord,
  CertificateStatus,
  ThingRecord,
  TopicRuleRecord,
} from './model.js';

/** What the gateway and rules engine can observe. Listeners run synchronously inside the mutation. */
export interface StoreEvents {
  'ca-updated': [record: CaCertificateRecord];
  'ca-deleted': [certificateId: string];
  /** A new certificate record, whichever way it came (register, create, JITR auto-registration). */
  'certificate-registered': [record: CertificateRecord];
  'certificate-updated': [record: CertificateRecord, previousStatus: CertificateStatus];
  'certificate-deleted': [certificateId: string];
  'thing-updated': [record: ThingRecord];
  'thing-deleted': [thingName: string];
  'attachments-changed': [principal: string];
  'policy-updated': [policyName: string];
  'topic-rules-changed': [ruleName: string, rule: TopicRuleRecord | undefined];
}
