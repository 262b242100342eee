import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoClientFor, TEST_CREDENTIALS, withEmulator } from '../helpers/aws.js';
import { failureOf } from './control-plane-fixtures.js';

const run = promisify(execFile);

describe('control plane: DynamoDB', () => {
  const local = withEmulator({ accountId: '111122223333' });
  const dynamo = () => dynamoClientFor(local.emulator, { maxAttempts: 1 });
  const table = 'jitr-test-idempotency';
  const nowS = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    await dynamo().send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
  // "CreateTable is an asynchronous operation ... DynamoDB immediately returns a response with a TableStatus of
  // CREATING. After the table is created, DynamoDB sets the TableStatus to ACTIVE." An existing name: ResourceInUseException.
  it('creates a table (CREATING, then ACTIVE) and refuses a second table of the same name', async () => {
    const created = await dynamo().send(
      new CreateTableCommand({
        TableName: 'jitr-test-lifecycle',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    expect(created.TableDescription).toMatchObject({
      TableStatus: 'CREATING',
      TableArn: `arn:aws:dynamodb:${local.emulator.region}:111122223333:table/jitr-test-lifecycle`,
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    const described = await dynamo().send(new DescribeTableCommand({ TableName: 'jitr-test-lifecycle' }));
    expect(described.Table?.TableStatus).toBe('ACTIVE');
    const again = await failureOf(
      dynamo().send(
        new CreateTableCommand({
          TableName: 'jitr-test-lifecycle',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        }),
      ),
    );
    expect(again).toMatchObject({ name: 'ResourceInUseException', status: 400 });
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html: DELETING, then gone.
    const deleted = await dynamo().send(new DeleteTableCommand({ TableName: 'jitr-test-lifecycle' }));
    expect(deleted.TableDescription?.TableStatus).toBe('DELETING');
    const gone = await failureOf(dynamo().send(new DescribeTableCommand({ TableName: 'jitr-test-lifecycle' })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html (BillingMode):
  // PROVISIONED (the default) needs ProvisionedThroughput; every key attribute must be defined, and nothing else.
  it('refuses a provisioned table without throughput and a key attribute that is not defined', async () => {
    const noThroughput = await failureOf(
      dynamo().send(
        new CreateTableCommand({
          TableName: 'jitr-test-bad',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        }),
      ),
    );
    expect(noThroughput.name).toBe('ValidationException');
    const undefinedKey = await failureOf(
      dynamo().send(
        new CreateTableCommand({
          TableName: 'jitr-test-bad',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'other', AttributeType: 'S' }],
        }),
      ),
    );
    expect(undefinedKey.name).toBe('ValidationException');
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
  // ConditionExpression, and ReturnValuesOnConditionCheckFailure ALL_OLD: "the item attributes as they appeared before
  // they were updated" come back in ConditionalCheckFailedException's Item. The condition is Powertools' own.
  it("writes an item once under Powertools' condition and returns the existing item on the failed second put", async () => {
    const put = (status: string) =>
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: 'key-1' }, expiration: { N: String(nowS() + 3600) }, status: { S: status } },
        ConditionExpression:
          'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#expiry': 'expiration',
          '#status': 'status',
          '#in_progress_expiry': 'in_progress_expiration',
        },
        ExpressionAttributeValues: {
          ':now': { N: String(Date.now() / 1000) },
          ':now_in_millis': { N: String(Date.now()) },
          ':inprogress': { S: 'INPROGRESS' },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    await dynamo().send(put('INPROGRESS'));
    const second = await failureOf(dynamo().send(put('INPROGRESS')));
    expect(second).toMatchObject({ name: 'ConditionalCheckFailedException', status: 400 });
    expect(second.error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((second.error as unknown as ConditionalCheckFailedException).Item?.status).toEqual({ S: 'INPROGRESS' });
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html and
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
  it('updates attributes with SET, returns ALL_NEW, and refuses to update a key attribute', async () => {
    const updated = await dynamo().send(
      new UpdateItemCommand({
        TableName: table,
        Key: { id: { S: 'key-2' } },
        UpdateExpression: 'SET #status = :status, #count = if_not_exists(#count, :zero) + :one',
        ExpressionAttributeNames: { '#status': 'status', '#count': 'count' },
        ExpressionAttributeValues: { ':status': { S: 'COMPLETED' }, ':zero': { N: '0' }, ':one': { N: '1' } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ id: { S: 'key-2' }, status: { S: 'COMPLETED' }, count: { N: '1' } });
    const keyUpdate = await failureOf(
      dynamo().send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: 'key-2' } },
          UpdateExpression: 'SET id = :other',
          ExpressionAttributeValues: { ':other': { S: 'key-3' } },
        }),
      ),
    );
    expect(keyUpdate.name).toBe('ValidationException');
    expect(keyUpdate.message).toMatch(/part of the key/);
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html and
  // ...ExpressionAttributeValues.html: every placeholder supplied must be used, and every one used must be supplied.
  it('refuses unused and undefined expression placeholders, and a malformed expression', async () => {
    const unused = await failureOf(
      dynamo().send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: 'key-4' } },
          ConditionExpression: 'attribute_not_exists(id)',
          ExpressionAttributeValues: { ':spare': { S: 'x' } },
        }),
      ),
    );
    expect(unused.message).toMatch(/unused in expressions/);
    const undefinedName = await failureOf(
      dynamo().send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: 'key-4' } },
          ConditionExpression: 'attribute_not_exists(#id)',
        }),
      ),
    );
    expect(undefinedName.message).toMatch(/attribute name used in the document path is not defined/);
    const malformed = await failureOf(
      dynamo().send(
        new PutItemCommand({ TableName: table, Item: { id: { S: 'key-4' } }, ConditionExpression: 'id = = id' }),
      ),
    );
    expect(malformed).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(malformed.message).toMatch(/Syntax error/);
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html (Key: "you must provide all of the
  // attributes" of the primary key); PutItem: "you must provide all of the attributes for the primary key", typed as defined.
  it('refuses a key that does not match the schema and an item without its key', async () => {
    const wrongType = await failureOf(dynamo().send(new GetItemCommand({ TableName: table, Key: { id: { N: '1' } } })));
    expect(wrongType.message).toBe('The provided key element does not match the schema');
    const extra = await failureOf(
      dynamo().send(new GetItemCommand({ TableName: table, Key: { id: { S: 'a' }, other: { S: 'b' } } })),
    );
    expect(extra.name).toBe('ValidationException');
    const missing = await failureOf(
      dynamo().send(new PutItemCommand({ TableName: table, Item: { other: { S: 'b' } } })),
    );
    expect(missing.message).toMatch(/Missing the key id in the item/);
    const noTable = await failureOf(
      dynamo().send(new GetItemCommand({ TableName: 'nope-table', Key: { id: { S: 'a' } } })),
    );
    expect(noTable.name).toBe('ResourceNotFoundException');
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html: the TTL attribute is a Number
  // of epoch seconds; expired items are deleted (the emulator does so at their next access). UpdateTimeToLive refuses
  // to enable TTL twice.
  it('enables TTL once, and an expired item reads as absent and no longer blocks a conditional put', async () => {
    const spec = { Enabled: true, AttributeName: 'expiration' };
    await dynamo().send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: spec }));
    const twice = await failureOf(
      dynamo().send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: spec })),
    );
    expect(twice.name).toBe('ValidationException');
    const described = await dynamo().send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(described.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiration' });
    await dynamo().send(
      new PutItemCommand({ TableName: table, Item: { id: { S: 'old' }, expiration: { N: String(nowS() - 60) } } }),
    );
    expect(
      (await dynamo().send(new GetItemCommand({ TableName: table, Key: { id: { S: 'old' } } }))).Item,
    ).toBeUndefined();
    await dynamo().send(
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: 'old' } },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html (ConditionExpression, ALL_OLD)
  it('deletes an item under a condition and returns what it held', async () => {
    await dynamo().send(new PutItemCommand({ TableName: table, Item: { id: { S: 'gone' }, n: { N: '5' } } }));
    const refused = await failureOf(
      dynamo().send(
        new DeleteItemCommand({
          TableName: table,
          Key: { id: { S: 'gone' } },
          ConditionExpression: 'n > :limit',
          ExpressionAttributeValues: { ':limit': { N: '10' } },
        }),
      ),
    );
    expect(refused.name).toBe('ConditionalCheckFailedException');
    const deleted = await dynamo().send(
      new DeleteItemCommand({ TableName: table, Key: { id: { S: 'gone' } }, ReturnValues: 'ALL_OLD' }),
    );
    expect(deleted.Attributes).toEqual({ id: { S: 'gone' }, n: { N: '5' } });
  });

  it('serves Powertools Idempotency: a repeated payload returns the saved result without running again', async () => {
    let runs = 0;
    const persistenceStore = new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: dynamo() });
    // As a Lambda would: the invocation's remaining time bounds an in-progress record (without it Powertools warns).
    const config = new IdempotencyConfig({});
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 30_000 } as never);
    const once = makeIdempotent(async (event: { order: string }) => ({ order: event.order, run: ++runs }), {
      persistenceStore,
      config,
    });
    const first = await once({ order: 'a' });
    const second = await once({ order: 'a' });
    expect(first).toEqual({ order: 'a', run: 1 });
    expect(second).toEqual(first);
    expect(runs).toBe(1);
  });

  it('answers the AWS CLI', async () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: local.emulator.region,
    };
    const endpoint = ['--endpoint-url', local.emulator.controlPlane];
    await run('aws', ['dynamodb', 'put-item', ...endpoint, '--table-name', table, '--item', '{"id":{"S":"cli"}}'], {
      env,
    });
    const { stdout } = await run(
      'aws',
      ['dynamodb', 'get-item', ...endpoint, '--table-name', table, '--key', '{"id":{"S":"cli"}}', '--output', 'json'],
      { env },
    );
    expect(JSON.parse(stdout)).toEqual({ Item: { id: { S: 'cli' } } });
  });
});
