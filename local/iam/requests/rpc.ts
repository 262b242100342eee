import type { AuthorizationCheck } from './check.js';

/**
 * AWS JSON protocol services (`x-amz-target: <prefix>.<Operation>`) -> what IAM authorizes. A service added to the
 * control plane plugs in here: its target prefix, its IAM service prefix, and which input members name which ARN
 * template variables of the Service Authorization Reference.
 */
interface RpcService {
  iamPrefix: string;
  identifiers(input: Record<string, unknown>): Record<string, string | undefined>[];
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const texts = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);

/** SSM parameter ARNs drop the name's leading slash (`parameter/jitr/dev/fleet-config`). */
const parameter = (name: string | undefined) => ({ ParameterNameWithoutLeadingSlash: name?.replace(/^\//, '') });
/** An SQS queue is named by its URL (`.../<account>/<name>`) or, for CreateQueue and GetQueueUrl, by QueueName. */
const queueName = (input: Record<string, unknown>) => text(input.QueueName) ?? text(input.QueueUrl)?.split('/').pop();

export const rpcServices: Record<string, RpcService> = {
  AmazonSSM: {
    iamPrefix: 'ssm',
    identifiers: (input) => {
      const names = [text(input.Name), text(input.Path), ...texts(input.Names)].filter((n) => n !== undefined);
      return names.length > 0 ? names.map(parameter) : [{}];
    },
  },
  AmazonSQS: { iamPrefix: 'sqs', identifiers: (input) => [{ QueueName: queueName(input) }] },
  DynamoDB_20120810: { iamPrefix: 'dynamodb', identifiers: (input) => [{ TableName: text(input.TableName) }] },
};

/** The checks of one JSON-protocol request, or undefined for a target prefix no service here serves. */
export function rpcChecks(target: string, input: Record<string, unknown>): AuthorizationCheck[] | undefined {
  const [prefix = '', operation = ''] = target.split('.');
  const service = Object.hasOwn(rpcServices, prefix) ? rpcServices[prefix] : undefined;
  if (!service) return undefined;
  return service
    .identifiers(input)
    .map((identifiers) => ({ action: `${service.iamPrefix}:${operation}`, identifiers }));
}
