import { randomBytes, X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parseCertificate } from '../../certs/parse.js';
import { alreadyExists, notFound } from '../errors.js';
import { type AccountScope, caCertificateArn, certificateArn, policyArn, thingArn, topicRuleArn } from './arns.js';
import { pendingActivationRecord } from './auto-register.js';
import type { StoreEvents } from './events.js';
import { Links } from './links.js';
import type {
  CaCertificateRecord,
  CertificateRecord,
  CertificateStatus,
  PolicyRecord,
  PolicyVersionRecord,
  ThingPrincipalAttachment,
  ThingRecord,
  TopicRuleRecord,
} from './model.js';
import { CRL_DISTRIBUTION_BUCKET, ObjectStore } from './objects.js';
import { ParameterStore } from './parameters.js';
import { QueueStore } from './queues.js';
import { type RegistrySnapshot, readSnapshot } from './snapshot.js';
import { TableStore } from './tables.js';
import { ThingGroupStore } from './thing-groups.js';

export type { StoreEvents } from './events.js';

/** The default version of a policy (every stored policy has exactly one). */
export function defaultPolicyVersion(policy: PolicyRecord): PolicyVersionRecord | undefined {
  return policy.versions.find((version) => version.isDefaultVersion);
}

/**
 * The emulator's registry: the records AWS IoT Core keeps, indexed for the gateway's per-connection lookups.
 * Methods are synchronous and do no AWS validation: the control plane checks requests, then writes here.
 */
export class RegistryStore {
  readonly events = new EventEmitter<StoreEvents>();
  readonly queues = new QueueStore();
  readonly parameters = new ParameterStore();
  readonly objects = new ObjectStore();
  readonly thingGroups = new ThingGroupStore();
  readonly tables = new TableStore();
  readonly scope: AccountScope;
  private registrationCode: string = randomBytes(32).toString('hex');
  private readonly cas = new Map<string, CaCertificateRecord>();
  private readonly caSubjects = new Map<string, string>();
  private readonly certificates = new Map<string, CertificateRecord>();
  private readonly things = new Map<string, ThingRecord>();
  /** principal -> thing names; `exclusive` holds the EXCLUSIVE_THING pairs as `principal\nthing`. */
  private readonly thingPrincipals = new Links();
  private readonly exclusive = new Set<string>();
  private readonly policies = new Map<string, PolicyRecord>();
  /** policy name -> targets (principal ARNs). */
  private readonly policyTargets = new Links();
  private readonly rules = new Map<string, TopicRuleRecord>();
  private eventConfigurations: Record<string, { Enabled: boolean }> = {};

  constructor(scope: AccountScope) {
    this.scope = { region: scope.region, accountId: scope.accountId };
    this.events.setMaxListeners(0);
    this.objects.createBucket(CRL_DISTRIBUTION_BUCKET);
  }

  // ---- account ----
  /** Stable per account (and across restarts from a saved state), as AWS's GetRegistrationCode. */
  getRegistrationCode(): string {
    return this.registrationCode;
  }

  getEventConfigurations(): Record<string, { Enabled: boolean }> {
    return structuredClone(this.eventConfigurations);
  }

  setEventConfigurations(update: Record<string, { Enabled: boolean }>): void {
    this.eventConfigurations = { ...this.eventConfigurations, ...structuredClone(update) };
  }

  // ---- CA certificates ----
  getCa(id: string): CaCertificateRecord | undefined {
    return this.cas.get(id);
  }

  listCas(): CaCertificateRecord[] {
    return [...this.cas.values()];
  }

  /** CAs whose Subject equals `subject` in Node's X509Certificate format (pass a device certificate's `issuer`). */
  findCasBySubject(subject: string): CaCertificateRecord[] {
    const found: CaCertificateRecord[] = [];
    for (const [id, caSubject] of this.caSubjects) {
      const ca = this.cas.get(id);
      if (ca && caSubject === subject) found.push(ca);
    }
    return found;
  }

  putCa(record: CaCertificateRecord): void {
    this.cas.set(record.certificateId, record);
    this.caSubjects.set(record.certificateId, new X509Certificate(record.certificatePem).subject);
    this.events.emit('ca-updated', record);
  }

  deleteCa(id: string): void {
    this.cas.delete(id);
    this.caSubjects.delete(id);
    this.events.emit('ca-deleted', id);
  }

  caArn(id: string): string {
    return caCertificateArn(this.scope, id);
  }

  // ---- certificates ----
  getCertificate(id: string): CertificateRecord | undefined {
    return this.certificates.get(id);
  }

  listCertificates(): CertificateRecord[] {
    return [...this.certificates.values()];
  }

  /** Inserts or replaces a certificate record, emitting `certificate-registered` or `certificate-updated`. */
  putCertificate(record: CertificateRecord): void {
    const previous = this.certificates.get(record.certificateId);
    this.certificates.set(record.certificateId, record);
    if (previous) this.events.emit('certificate-updated', record, previous.status);
    else this.events.emit('certificate-registered', record);
  }

  setCertificateStatus(id: string, status: CertificateStatus, now: number): CertificateRecord {
    const record = this.certificates.get(id);
    if (!record) throw notFound(`Certificate ${id} does not exist`);
    this.putCertificate({ ...record, status, lastModifiedDate: now, customerVersion: record.customerVersion + 1 });
    return this.certificates.get(id)!;
  }

  deleteCertificate(id: string): void {
    this.certificates.delete(id);
    this.events.emit('certificate-deleted', id);
  }

  certArn(id: string): string {
    return certificateArn(this.scope, id);
  }

  /**
   * JITR: records an unknown device certificate from `caCertificateId` as PENDING_ACTIVATION and returns it.
   * A certificate already known is returned unchanged (the gateway publishes the event again for a pending one).
   */
  autoRegisterCertificate(input: { certificatePem: string; caCertificateId: string; now: number }): CertificateRecord {
    const loaded = parseCertificate(input.certificatePem);
    const existing = this.certificates.get(loaded.certificateId);
    if (existing) return existing;
    if (!this.cas.has(input.caCertificateId)) throw notFound(`CA certificate ${input.caCertificateId} does not exist`);
    const record = pendingActivationRecord(loaded, {
      ...input,
      arn: this.certArn(loaded.certificateId),
      scope: this.scope,
    });
    this.putCertificate(record);
    return record;
  }

  // ---- things and principals ----
  getThing(name: string): ThingRecord | undefined {
    return this.things.get(name);
  }

  listThings(): ThingRecord[] {
    return [...this.things.values()];
  }

  putThing(record: ThingRecord): void {
    this.things.set(record.thingName, record);
    this.events.emit('thing-updated', record);
  }

  deleteThing(name: string): void {
    this.things.delete(name);
    this.thingGroups.forgetThing(name);
    this.events.emit('thing-deleted', name);
  }

  thingArn(name: string): string {
    return thingArn(this.scope, name);
  }

  attachThingPrincipal(thingName: string, principal: string, exclusive: boolean): void {
    if (!this.things.has(thingName)) throw notFound(`Thing ${thingName} does not exist`);
    this.thingPrincipals.link(principal, thingName);
    if (exclusive) this.exclusive.add(`${principal}\n${thingName}`);
    else this.exclusive.delete(`${principal}\n${thingName}`);
    this.events.emit('attachments-changed', principal);
  }

  detachThingPrincipal(thingName: string, principal: string): void {
    this.thingPrincipals.unlink(principal, thingName);
    this.exclusive.delete(`${principal}\n${thingName}`);
    this.events.emit('attachments-changed', principal);
  }

  attachmentsForPrincipal(principal: string): ThingPrincipalAttachment[] {
    return this.thingPrincipals.rightsOf(principal).map((thingName) => ({
      thingName,
      principal,
      exclusive: this.exclusive.has(`${principal}\n${thingName}`),
    }));
  }

  thingsForPrincipal(principal: string): string[] {
    return this.thingPrincipals.rightsOf(principal);
  }

  principalsForThing(thingName: string): string[] {
    return this.thingPrincipals.leftsOf(thingName);
  }

  // ---- policies ----
  getPolicy(name: string): PolicyRecord | undefined {
    return this.policies.get(name);
  }

  listPolicies(): PolicyRecord[] {
    return [...this.policies.values()];
  }

  putPolicy(record: PolicyRecord): void {
    if (!record.versions.some((version) => version.isDefaultVersion))
      throw new Error('a policy needs a default version');
    this.policies.set(record.policyName, record);
    this.events.emit('policy-updated', record.policyName);
  }

  deletePolicy(name: string): void {
    this.policies.delete(name);
    this.events.emit('policy-updated', name);
  }

  policyArn(name: string): string {
    return policyArn(this.scope, name);
  }

  attachPolicy(policyName: string, target: string): void {
    if (!this.policies.has(policyName)) throw notFound(`Policy ${policyName} does not exist`);
    this.policyTargets.link(policyName, target);
    this.events.emit('attachments-changed', target);
  }

  detachPolicy(policyName: string, target: string): void {
    this.policyTargets.unlink(policyName, target);
    this.events.emit('attachments-changed', target);
  }

  targetsForPolicy(policyName: string): string[] {
    return this.policyTargets.rightsOf(policyName);
  }

  /** The policies attached to a principal (certificate ARN), each with its default version in `versions`. */
  policiesForPrincipal(principal: string): PolicyRecord[] {
    return this.policyTargets.leftsOf(principal).flatMap((name) => this.policies.get(name) ?? []);
  }

  // ---- topic rules ----
  getTopicRule(name: string): TopicRuleRecord | undefined {
    return this.rules.get(name);
  }

  listTopicRules(): TopicRuleRecord[] {
    return [...this.rules.values()];
  }

  createTopicRule(record: TopicRuleRecord): void {
    if (this.rules.has(record.ruleName)) throw alreadyExists(`Rule ${record.ruleName} already exists`);
    this.putTopicRule(record);
  }

  putTopicRule(record: TopicRuleRecord): void {
    this.rules.set(record.ruleName, record);
    this.events.emit('topic-rules-changed', record.ruleName, record);
  }

  deleteTopicRule(name: string): void {
    this.rules.delete(name);
    this.events.emit('topic-rules-changed', name, undefined);
  }

  ruleArn(name: string): string {
    return topicRuleArn(this.scope, name);
  }

  // ---- persistence ----
  /** Everything a restart needs, as plain JSON (written by `--state`). */
  toJSON(): RegistrySnapshot {
    return {
      format: 'jitr-local-state',
      version: 1,
      scope: this.scope,
      registrationCode: this.registrationCode,
      eventConfigurations: this.eventConfigurations,
      cas: this.listCas(),
      certificates: this.listCertificates(),
      things: this.listThings(),
      thingPrincipals: this.thingPrincipals.entries().flatMap(([principal]) => this.attachmentsForPrincipal(principal)),
      policies: this.listPolicies(),
      policyTargets: this.policyTargets.entries().map(([policyName, targets]) => ({ policyName, targets })),
      topicRules: this.listTopicRules(),
      parameters: this.parameters.toJSON(),
      queues: this.queues.toJSON(),
      thingGroups: this.thingGroups.toJSON(),
      dynamoTables: this.tables.toJSON(),
    };
  }

  /** Rebuilds a store from `toJSON()` output; throws EmulatorConfigError (code BAD_STATE) for anything else. */
  static fromJSON(input: unknown, scope?: AccountScope): RegistryStore {
    const snapshot = readSnapshot(input);
    const store = new RegistryStore(scope ?? snapshot.scope);
    store.registrationCode = snapshot.registrationCode;
    store.eventConfigurations = snapshot.eventConfigurations;
    for (const ca of snapshot.cas) store.putCa(ca);
    for (const certificate of snapshot.certificates) store.certificates.set(certificate.certificateId, certificate);
    for (const thing of snapshot.things) store.things.set(thing.thingName, thing);
    for (const a of snapshot.thingPrincipals) store.attachThingPrincipal(a.thingName, a.principal, a.exclusive);
    for (const policy of snapshot.policies) store.policies.set(policy.policyName, policy);
    for (const { policyName, targets } of snapshot.policyTargets) {
      for (const target of targets) store.attachPolicy(policyName, target);
    }
    for (const rule of snapshot.topicRules) store.rules.set(rule.ruleName, rule);
    store.parameters.load(snapshot.parameters);
    store.queues.load(snapshot.queues);
    store.thingGroups.load(snapshot.thingGroups);
    store.tables.load(snapshot.dynamoTables);
    return store;
  }
}
