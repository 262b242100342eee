import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  ListCertificatesByCACommand,
  ListThingPrincipalsCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { CaFacts, CertificateFacts, ThingFacts } from './model.js';
import type { CertificateSummary, IotPort } from './port.js';

function errorName(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}

/** Runs `call`; returns `fallback` when the SDK error's name is one of `tolerated` (the "already done" answers). */
async function tolerate<T>(call: () => Promise<T>, tolerated: Record<string, () => T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = errorName(error);
    const fallback = name ? tolerated[name] : undefined;
    if (fallback) return fallback();
    throw error;
  }
}

const millis = (date: Date | undefined): number => (date ? date.getTime() : 0);

/** The workflow's IoT operations over the AWS SDK v3 (one Command per call: the bundle keeps only these). */
export function iotAdapter(client: IoTClient): IotPort {
  return {
    async describeCertificate(certificateId) {
      return tolerate<CertificateFacts | null>(
        async () => {
          const { certificateDescription: d } = await client.send(new DescribeCertificateCommand({ certificateId }));
          if (!d?.certificateId || !d.certificateArn || !d.certificatePem) return null;
          return {
            certificateId: d.certificateId.toLowerCase(),
            certificateArn: d.certificateArn,
            status: d.status ?? 'UNKNOWN',
            ...(d.caCertificateId ? { caCertificateId: d.caCertificateId.toLowerCase() } : {}),
            certificatePem: d.certificatePem,
            notBefore: millis(d.validity?.notBefore),
            notAfter: millis(d.validity?.notAfter),
            registeredAt: millis(d.creationDate),
          };
        },
        { ResourceNotFoundException: () => null },
      );
    },

    async describeCaCertificate(caCertificateId) {
      return tolerate<CaFacts | null>(
        async () => {
          const { certificateDescription: d } = await client.send(
            new DescribeCACertificateCommand({ certificateId: caCertificateId }),
          );
          if (!d?.certificateId || !d.certificatePem) return null;
          return {
            certificateId: d.certificateId.toLowerCase(),
            status: d.status ?? 'UNKNOWN',
            certificatePem: d.certificatePem,
          };
        },
        { ResourceNotFoundException: () => null },
      );
    },

    async describeThing(thingName) {
      return tolerate<ThingFacts | null>(
        async () => {
          const thing = await client.send(new DescribeThingCommand({ thingName }));
          return {
            thingName: thing.thingName ?? thingName,
            attributes: thing.attributes ?? {},
            ...(thing.thingTypeName ? { thingTypeName: thing.thingTypeName } : {}),
          };
        },
        { ResourceNotFoundException: () => null },
      );
    },

    async listThingPrincipals(thingName) {
      const principals: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await tolerate(
          () => client.send(new ListThingPrincipalsCommand({ thingName, nextToken, maxResults: 25 })),
          { ResourceNotFoundException: () => ({ $metadata: {}, principals: [], nextToken: undefined }) },
        );
        principals.push(...(page.principals ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return principals;
    },

    async createThing({ thingName, thingTypeName, attributes }) {
      return tolerate<'created' | 'conflict'>(
        async () => {
          await client.send(
            new CreateThingCommand({ thingName, thingTypeName, attributePayload: { attributes, merge: false } }),
          );
          return 'created';
        },
        { ResourceAlreadyExistsException: () => 'conflict' },
      );
    },

    async addThingToThingGroup(thingName, thingGroupName) {
      await client.send(new AddThingToThingGroupCommand({ thingName, thingGroupName }));
    },

    async attachPolicy(policyName, certificateArn) {
      await client.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
    },

    async attachThingPrincipal(thingName, certificateArn) {
      await client.send(
        new AttachThingPrincipalCommand({
          thingName,
          principal: certificateArn,
          thingPrincipalType: 'EXCLUSIVE_THING',
        }),
      );
    },

    async updateCertificateStatus(certificateId, status) {
      await client.send(new UpdateCertificateCommand({ certificateId, newStatus: status }));
    },

    async detachPolicy(policyName, certificateArn) {
      await tolerate(() => client.send(new DetachPolicyCommand({ policyName, target: certificateArn })), {
        ResourceNotFoundException: () => ({ $metadata: {} }),
      });
    },

    async detachThingPrincipal(thingName, certificateArn) {
      await tolerate(() => client.send(new DetachThingPrincipalCommand({ thingName, principal: certificateArn })), {
        ResourceNotFoundException: () => ({ $metadata: {} }),
      });
    },

    async deleteCertificate(certificateId) {
      return tolerate<'deleted' | 'conflict'>(
        async () => {
          await client.send(new DeleteCertificateCommand({ certificateId, forceDelete: false }));
          return 'deleted';
        },
        {
          ResourceNotFoundException: () => 'deleted',
          DeleteConflictException: () => 'conflict',
          CertificateStateException: () => 'conflict',
        },
      );
    },

    async listCertificatesByCa(caCertificateId, { marker, pageSize }) {
      const page = await client.send(
        new ListCertificatesByCACommand({ caCertificateId, marker, pageSize, ascendingOrder: true }),
      );
      const certificates: CertificateSummary[] = (page.certificates ?? []).flatMap((c) =>
        c.certificateId && c.certificateArn
          ? [
              {
                certificateId: c.certificateId.toLowerCase(),
                certificateArn: c.certificateArn,
                status: c.status ?? 'UNKNOWN',
                creationDate: millis(c.creationDate),
              },
            ]
          : [],
      );
      return page.nextMarker ? { certificates, nextMarker: page.nextMarker } : { certificates };
    },
  };
}
