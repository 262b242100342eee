import type { CaFacts, CertificateFacts, ThingFacts } from './model.js';

export interface CertificateSummary {
  certificateId: string;
  certificateArn: string;
  status: string;
  /** epoch ms */
  creationDate: number;
}

/**
 * The IoT control-plane operations the workflow uses, in domain terms. Implemented against the AWS SDK
 * (iot-adapter.ts); every mutation tolerates "already done" so the workflow can be replayed after a crash.
 */
export interface IotPort {
  describeCertificate(certificateId: string): Promise<CertificateFacts | null>;
  describeCaCertificate(caCertificateId: string): Promise<CaFacts | null>;
  describeThing(thingName: string): Promise<ThingFacts | null>;
  listThingPrincipals(thingName: string): Promise<string[]>;
  /** 'conflict': a Thing of that name exists with other attributes (another CA got there first). */
  createThing(input: {
    thingName: string;
    thingTypeName?: string;
    attributes: Record<string, string>;
  }): Promise<'created' | 'conflict'>;
  addThingToThingGroup(thingName: string, thingGroupName: string): Promise<void>;
  attachPolicy(policyName: string, certificateArn: string): Promise<void>;
  /** Attaches with EXCLUSIVE_THING: the certificate can then belong to no other Thing. */
  attachThingPrincipal(thingName: string, certificateArn: string): Promise<void>;
  updateCertificateStatus(certificateId: string, status: 'ACTIVE' | 'REVOKED' | 'INACTIVE'): Promise<void>;
  detachPolicy(policyName: string, certificateArn: string): Promise<void>;
  detachThingPrincipal(thingName: string, certificateArn: string): Promise<void>;
  /** 'conflict': still attached somewhere (detachment is eventually consistent on AWS); the reconciler retries. */
  deleteCertificate(certificateId: string): Promise<'deleted' | 'conflict'>;
  listCertificatesByCa(
    caCertificateId: string,
    page: { marker?: string; pageSize: number },
  ): Promise<{ certificates: CertificateSummary[]; nextMarker?: string }>;
}

export type IotOperation = keyof IotPort;
