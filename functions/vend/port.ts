import type { CertificateFacts, ThingFacts } from '../onboard/model.js';
import type { IotPort } from '../onboard/port.js';

/** A certificate IoT just issued. `privateKey` exists only for CreateKeysAndCertificate, and only in this object. */
export interface IssuedCertificate {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  privateKey?: string;
}

/**
 * The IoT operations the vending workflow uses: the onboarding adapter's (shared, same "already done" tolerance) plus
 * the ones only vending needs.
 */
export interface VendIotPort extends Pick<
  IotPort,
  | 'describeThing'
  | 'createThing'
  | 'listThingPrincipals'
  | 'describeCertificate'
  | 'attachPolicy'
  | 'attachThingPrincipal'
  | 'updateCertificateStatus'
  | 'detachPolicy'
  | 'detachThingPrincipal'
  | 'deleteCertificate'
> {
  createKeysAndCertificate(): Promise<IssuedCertificate>;
  /** Throws a 400 INVALID_CSR VendError when IoT refuses the request. */
  createCertificateFromCsr(csrPem: string): Promise<IssuedCertificate>;
  listAttachedPolicies(certificateArn: string): Promise<string[]>;
  /** Tolerates a Thing that is already gone; 'conflict': it still has principals attached. */
  deleteThing(thingName: string): Promise<'deleted' | 'conflict'>;
  /** Sets one attribute of the Thing (merged; "" removes it). */
  setThingAttribute(thingName: string, name: string, value: string): Promise<void>;
}

export type { CertificateFacts, ThingFacts };
