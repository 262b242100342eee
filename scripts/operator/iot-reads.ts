import {
  type CACertificateDescription,
  DescribeCACertificateCommand,
  GetPolicyCommand,
  GetTopicRuleCommand,
  type IoTClient,
  ListPolicyVersionsCommand,
  ListThingsCommand,
  type PolicyVersion,
  type TopicRule,
} from '@aws-sdk/client-iot';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BINDING } from '../../functions/onboard/model.js';
import type { OperatorClients } from '../aws/clients.js';
import { asCliError, aws, awsErrorName, awsOptional } from './errors.js';

/** Reads shared by the operator commands; "does not exist" comes back as undefined. */

export async function callerScope(clients: OperatorClients): Promise<{ region: string; accountId: string }> {
  const region = await aws('resolving the AWS region', () => clients.iot.config.region());
  const identity = await aws('STS GetCallerIdentity', () => clients.sts.send(new GetCallerIdentityCommand({})));
  if (!identity.Account) throw asCliError(new Error('STS returned no account'), 'STS GetCallerIdentity');
  return { region, accountId: identity.Account };
}

export async function describeCa(iot: IoTClient, certificateId: string): Promise<CACertificateDescription | undefined> {
  const response = await awsOptional(`DescribeCACertificate ${certificateId}`, () =>
    iot.send(new DescribeCACertificateCommand({ certificateId })),
  );
  return response?.certificateDescription;
}

export interface PolicyState {
  defaultDocument: string;
  defaultVersionId: string;
  versions: PolicyVersion[];
}

export async function readPolicy(iot: IoTClient, policyName: string): Promise<PolicyState | undefined> {
  const policy = await awsOptional(`GetPolicy ${policyName}`, () => iot.send(new GetPolicyCommand({ policyName })));
  if (!policy) return undefined;
  const listed = await aws(`ListPolicyVersions ${policyName}`, () =>
    iot.send(new ListPolicyVersionsCommand({ policyName })),
  );
  return {
    defaultDocument: policy.policyDocument ?? '{}',
    defaultVersionId: policy.defaultVersionId ?? '',
    versions: listed.policyVersions ?? [],
  };
}

/** GetTopicRule; AWS answers an unknown rule with UnauthorizedException, which means "absent" here. */
export async function readRule(iot: IoTClient, ruleName: string): Promise<TopicRule | undefined> {
  try {
    const response = await iot.send(new GetTopicRuleCommand({ ruleName }));
    return response.rule;
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'UnauthorizedException' || name === 'ResourceNotFoundException') return undefined;
    throw asCliError(error, `GetTopicRule ${ruleName}`);
  }
}

export async function queueUrlOf(sqs: SQSClient, queueName: string): Promise<string | undefined> {
  try {
    const response = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    return response.QueueUrl;
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') return undefined;
    throw asCliError(error, `SQS GetQueueUrl ${queueName}`);
  }
}

/** Things the onboard Lambda created for this CA carry its certificateId in an attribute: how many there are. */
export async function countThingsBoundTo(iot: IoTClient, caCertificateId: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await aws('ListThings', () =>
      iot.send(
        new ListThingsCommand({
          attributeName: BINDING.ca,
          attributeValue: caCertificateId,
          maxResults: 250,
          nextToken,
        }),
      ),
    );
    count += page.things?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}
