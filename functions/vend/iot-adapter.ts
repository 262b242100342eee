import {
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  DeleteThingCommand,
  type IoTClient,
  ListAttachedPoliciesCommand,
  UpdateThingCommand,
} from '@aws-sdk/client-iot';
import { iotAdapter } from '../onboard/iot-adapter.js';
import { invalidField, VendError } from './errors.js';
import type { IssuedCertificate, VendIotPort } from './port.js';

const errorName = (error: unknown) => (error as { name?: unknown })?.name;

function issued(output: {
  certificateId?: string;
  certificateArn?: string;
  certificatePem?: string;
}): Omit<IssuedCertificate, 'privateKey'> {
  if (!output.certificateId || !output.certificateArn || !output.certificatePem) {
    throw new VendError('IOT_INCOMPLETE_ANSWER', 502, 'IoT issued a certificate without its id, ARN or PEM');
  }
  return {
    certificateId: output.certificateId.toLowerCase(),
    certificateArn: output.certificateArn,
    certificatePem: output.certificatePem,
  };
}

/** The vending workflow's IoT operations over the AWS SDK v3, re-using the onboarding adapter for the shared ones. */
export function vendIotAdapter(client: IoTClient): VendIotPort {
  const shared = iotAdapter(client);
  return {
    describeThing: shared.describeThing,
    createThing: shared.createThing,
    listThingPrincipals: shared.listThingPrincipals,
    describeCertificate: shared.describeCertificate,
    attachPolicy: shared.attachPolicy,
    attachThingPrincipal: shared.attachThingPrincipal,
    updateCertificateStatus: shared.updateCertificateStatus,
    detachPolicy: shared.detachPolicy,
    detachThingPrincipal: shared.detachThingPrincipal,
    deleteCertificate: shared.deleteCertificate,

    async createKeysAndCertificate() {
      const output = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: false }));
      const privateKey = output.keyPair?.PrivateKey;
      if (!privateKey) throw new VendError('IOT_INCOMPLETE_ANSWER', 502, 'IoT issued a certificate without its key');
      return { ...issued(output), privateKey };
    },

    async createCertificateFromCsr(csrPem) {
      try {
        const output = await client.send(
          new CreateCertificateFromCsrCommand({ certificateSigningRequest: csrPem, setAsActive: false }),
        );
        return issued(output);
      } catch (error) {
        if (errorName(error) === 'InvalidRequestException') {
          throw invalidField('csr', 'IoT refused the CSR (signature, key type or size)', 'INVALID_CSR');
        }
        throw error;
      }
    },

    async listAttachedPolicies(certificateArn) {
      const names: string[] = [];
      let marker: string | undefined;
      do {
        const page = await client.send(
          new ListAttachedPoliciesCommand({ target: certificateArn, marker, pageSize: 50 }),
        );
        for (const policy of page.policies ?? []) if (policy.policyName) names.push(policy.policyName);
        marker = page.nextMarker;
      } while (marker);
      return names;
    },

    async setThingAttribute(thingName, name, value) {
      await client.send(
        new UpdateThingCommand({ thingName, attributePayload: { attributes: { [name]: value }, merge: true } }),
      );
    },

    async deleteThing(thingName) {
      try {
        await client.send(new DeleteThingCommand({ thingName }));
        return 'deleted';
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return 'deleted';
        // IoT refuses to delete a Thing that still has principals attached.
        if (errorName(error) === 'InvalidRequestException') return 'conflict';
        throw error;
      }
    },
  };
}
