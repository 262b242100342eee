import { AwsServiceError } from '../errors.js';

/**
 * The emulator raises one throttling and one internal error for every service; each service's model names them
 * differently. IoT: ThrottlingException (400) and InternalFailureException (500), as they are.
 * SSM and DynamoDB: ThrottlingException (400) and InternalServerError (500), per their service models.
 * SQS: RequestThrottled (400, query code `RequestThrottled`) and InternalFailure (500, the SQS API reference's
 * Common Errors: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
 */
export type ErrorService = 'iot' | 'sqs' | 'ssm' | 'dynamodb';

const RENAMED: Record<Exclude<ErrorService, 'iot'>, Record<string, string>> = {
  sqs: { ThrottlingException: 'RequestThrottled', InternalFailureException: 'InternalFailure' },
  ssm: { InternalFailureException: 'InternalServerError' },
  dynamodb: { InternalFailureException: 'InternalServerError' },
};

export function asServiceNamed(service: ErrorService, error: AwsServiceError): AwsServiceError {
  if (service === 'iot') return error;
  const code = RENAMED[service][error.code];
  if (code === undefined) return error;
  return new AwsServiceError(code, error.statusCode, error.message, { cause: error, details: error.details });
}
