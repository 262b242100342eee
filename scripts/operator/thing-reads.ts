import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  type IoTClient,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { aws, awsOptional } from './errors.js';

/** A certificate as day-2 commands need it. */
export interface CertificateState {
  certificateId: string;
  certificateArn: string;
  status: string;
  caCertificateId?: string;
  certificatePem: string;
  policies: string[];
}

export const CERTIFICATE_ARN = /^arn:aws[a-z-]*:iot:[^:]*:\d{12}:cert\/([0-9a-f]{64})$/;

export async function describeThing(iot: IoTClient, thingName: string) {
  return awsOptional(`DescribeThing ${thingName}`, () => iot.send(new DescribeThingCommand({ thingName })));
}

export async function thingPrincipals(iot: IoTClient, thingName: string): Promise<string[]> {
  const principals: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws(`ListThingPrincipals ${thingName}`, () =>
      iot.send(new ListThingPrincipalsCommand({ thingName, maxResults: 100, nextToken })),
    );
    principals.push(...(page.principals ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return principals;
}

export async function describeCertificate(
  iot: IoTClient,
  certificateId: string,
): Promise<CertificateState | undefined> {
  const response = await awsOptional(`DescribeCertificate ${certificateId}`, () =>
    iot.send(new DescribeCertificateCommand({ certificateId })),
  );
  const d = response?.certificateDescription;
  if (!d?.certificateId || !d.certificateArn) return undefined;
  const policies: string[] = [];
  let marker: string | undefined;
  do {
    const page = await aws(`ListAttachedPolicies ${certificateId}`, () =>
      iot.send(new ListAttachedPoliciesCommand({ target: d.certificateArn, pageSize: 100, marker })),
    );
    policies.push(...(page.policies ?? []).flatMap((policy) => (policy.policyName ? [policy.policyName] : [])));
    marker = page.nextMarker;
  } while (marker);
  return {
    certificateId: d.certificateId,
    certificateArn: d.certificateArn,
    status: d.status ?? 'UNKNOWN',
    ...(d.caCertificateId ? { caCertificateId: d.caCertificateId } : {}),
    certificatePem: d.certificatePem ?? '',
    policies,
  };
}

/** The certificates attached to a thing (other principals are left out). */
export async function thingCertificates(iot: IoTClient, thingName: string): Promise<CertificateState[]> {
  const ids = (await thingPrincipals(iot, thingName)).flatMap((arn) => CERTIFICATE_ARN.exec(arn)?.[1] ?? []);
  const described = await Promise.all(ids.map((id) => describeCertificate(iot, id)));
  return described.filter((certificate): certificate is CertificateState => certificate !== undefined);
}
