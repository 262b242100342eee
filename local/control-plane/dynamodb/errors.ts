import { AwsServiceError } from '../../errors.js';

/** DynamoDB's error types (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html). */
export const validation = (message: string) => new AwsServiceError('ValidationException', 400, message);

export const tableNotFound = (name?: string) =>
  new AwsServiceError(
    'ResourceNotFoundException',
    400,
    name === undefined ? 'Requested resource not found' : `Requested resource not found: Table: ${name} not found`,
  );

export const resourceInUse = (message: string) => new AwsServiceError('ResourceInUseException', 400, message);

/** `Item` is the old item when the request asked for ReturnValuesOnConditionCheckFailure ALL_OLD. */
export const conditionalCheckFailed = (item?: Record<string, unknown>) =>
  new AwsServiceError('ConditionalCheckFailedException', 400, 'The conditional request failed', {
    ...(item ? { details: { Item: item } } : {}),
  });
