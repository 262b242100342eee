import type { RpcInput } from '../rpc-input.js';
import { itemOperations } from './items.js';
import { type DynamoContext, tableOperations } from './tables.js';

/**
 * DynamoDB, AWS JSON 1.0 protocol (`x-amz-target: DynamoDB_20120810.<Operation>`), for what the project uses:
 * the tables serverless.yml declares and the item calls Powertools Idempotency's DynamoDB persistence layer makes.
 */
export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';
export const DYNAMODB_ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';

export const dynamoOperations: Record<string, (context: DynamoContext, input: RpcInput) => unknown> = {
  ...tableOperations,
  ...itemOperations,
};

export { type DynamoContext, tableArn } from './tables.js';
