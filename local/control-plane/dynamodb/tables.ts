import { randomUUID } from 'node:crypto';
import type { AccountScope } from '../../state/arns.js';
import type { AttributeDefinition, KeyElement, TableRecord } from '../../state/tables.js';
import type { RegistryStore } from '../../state/store.js';
import { type RpcInput, rpcString } from '../rpc-input.js';
import { resourceInUse, tableNotFound, validation } from './errors.js';

/** Table operations: CreateTable, DescribeTable, DeleteTable, ListTables, UpdateTimeToLive, DescribeTimeToLive. */
export interface DynamoContext {
  store: RegistryStore;
  now(): number;
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export const tableArn = (scope: AccountScope, name: string) =>
  `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${name}`;

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html (TableName: 3-255, [a-zA-Z0-9_.-]+)
export function tableName(input: RpcInput): string {
  const name = input.TableName;
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    throw validation(
      `1 validation error detected: Value '${String(name)}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255`,
    );
  }
  return name;
}

export function liveTable(context: DynamoContext, input: RpcInput) {
  const name = tableName(input);
  const table = context.store.tables.get(name);
  if (!table) throw tableNotFound();
  return table;
}

function describe(
  context: DynamoContext,
  table: Omit<TableRecord, 'items'> & { items: Map<string, unknown> },
  status: string,
) {
  return {
    TableName: table.name,
    TableArn: tableArn(context.store.scope, table.name),
    TableId: table.tableId,
    TableStatus: status,
    KeySchema: table.keySchema,
    AttributeDefinitions: table.attributeDefinitions,
    CreationDateTime: table.createdAt / 1000,
    ItemCount: table.items.size,
    TableSizeBytes: 0,
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    ...(table.billingMode === 'PAY_PER_REQUEST'
      ? {
          BillingModeSummary: {
            BillingMode: 'PAY_PER_REQUEST',
            LastUpdateToPayPerRequestDateTime: table.createdAt / 1000,
          },
        }
      : {}),
    DeletionProtectionEnabled: false,
  };
}

function keySchemaOf(input: RpcInput): { keySchema: KeyElement[]; definitions: AttributeDefinition[] } {
  const keySchema = input.KeySchema;
  const definitions = input.AttributeDefinitions;
  if (!Array.isArray(keySchema) || keySchema.length < 1 || keySchema.length > 2) {
    throw validation(
      "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2 and greater than or equal to 1",
    );
  }
  if (!Array.isArray(definitions))
    throw validation("The parameter 'AttributeDefinitions' is required but was not present in the request");
  const elements = keySchema.map((element: { AttributeName?: unknown; KeyType?: unknown }) => {
    if (typeof element?.AttributeName !== 'string' || (element.KeyType !== 'HASH' && element.KeyType !== 'RANGE')) {
      throw validation('Invalid KeySchema: every element needs an AttributeName and a KeyType of HASH or RANGE');
    }
    return { AttributeName: element.AttributeName, KeyType: element.KeyType } as KeyElement;
  });
  if (elements[0]!.KeyType !== 'HASH' || (elements[1] && elements[1].KeyType !== 'RANGE')) {
    throw validation('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  }
  const defs = definitions.map((d: { AttributeName?: unknown; AttributeType?: unknown }) => {
    if (typeof d?.AttributeName !== 'string' || !['S', 'N', 'B'].includes(d.AttributeType as string)) {
      throw validation(
        'Invalid AttributeDefinitions: every definition needs an AttributeName and an AttributeType of S, N or B',
      );
    }
    return { AttributeName: d.AttributeName, AttributeType: d.AttributeType } as AttributeDefinition;
  });
  for (const element of elements) {
    if (!defs.some((d) => d.AttributeName === element.AttributeName)) {
      throw validation(
        'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. ' +
          `Keys: [${elements.map((e) => e.AttributeName).join(', ')}], AttributeDefinitions: [${defs.map((d) => d.AttributeName).join(', ')}]`,
      );
    }
  }
  if (defs.length !== elements.length) {
    throw validation(
      'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
    );
  }
  return { keySchema: elements, definitions: defs };
}

function createTable(context: DynamoContext, input: RpcInput) {
  const name = tableName(input);
  if (input.GlobalSecondaryIndexes !== undefined || input.LocalSecondaryIndexes !== undefined) {
    throw validation('jitr local does not serve secondary indexes');
  }
  const { keySchema, definitions } = keySchemaOf(input);
  const billing = rpcString(input, 'BillingMode') ?? 'PROVISIONED';
  if (billing !== 'PROVISIONED' && billing !== 'PAY_PER_REQUEST') {
    throw validation(
      `1 validation error detected: Value '${billing}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]`,
    );
  }
  const throughput = input.ProvisionedThroughput as
    { ReadCapacityUnits?: unknown; WriteCapacityUnits?: unknown } | undefined;
  if (
    billing === 'PROVISIONED' &&
    (typeof throughput?.ReadCapacityUnits !== 'number' || typeof throughput.WriteCapacityUnits !== 'number')
  ) {
    throw validation(
      'One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED',
    );
  }
  if (billing === 'PAY_PER_REQUEST' && throughput !== undefined) {
    throw validation(
      'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST',
    );
  }
  if (context.store.tables.get(name)) throw resourceInUse(`Table already exists: ${name}`);
  const table = context.store.tables.create({
    name,
    keySchema,
    attributeDefinitions: definitions,
    billingMode: billing,
    createdAt: context.now(),
    tableId: randomUUID(),
  });
  // A new table answers CREATING, then ACTIVE: the emulator creates it at once, so DescribeTable already says ACTIVE.
  return { TableDescription: describe(context, table, 'CREATING') };
}

function describeTable(context: DynamoContext, input: RpcInput) {
  return { Table: describe(context, liveTable(context, input), 'ACTIVE') };
}

function deleteTable(context: DynamoContext, input: RpcInput) {
  const table = liveTable(context, input);
  context.store.tables.delete(table.name);
  return { TableDescription: describe(context, table, 'DELETING') };
}

function listTables(context: DynamoContext, input: RpcInput) {
  const start = rpcString(input, 'ExclusiveStartTableName');
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw validation(
      `1 validation error detected: Value '${String(input.Limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`,
    );
  }
  const names = context.store.tables.names().filter((name) => start === undefined || name > start);
  const page = names.slice(0, limit);
  return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page.at(-1) } : {}) };
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
function updateTimeToLive(context: DynamoContext, input: RpcInput) {
  const table = liveTable(context, input);
  const spec = input.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
  if (typeof spec?.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string' || spec.AttributeName === '') {
    throw validation('TimeToLiveSpecification needs Enabled and a non-empty AttributeName');
  }
  const current = table.timeToLive;
  if (spec.Enabled && current?.enabled) throw validation('TimeToLive is already enabled');
  if (!spec.Enabled && !current?.enabled) throw validation('TimeToLive is already disabled');
  if (!spec.Enabled && current && current.attributeName !== spec.AttributeName) {
    throw validation(
      `The attribute name ${spec.AttributeName} does not match the TimeToLive attribute ${current.attributeName}`,
    );
  }
  table.timeToLive = { attributeName: spec.AttributeName, enabled: spec.Enabled };
  return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
}

function describeTimeToLive(context: DynamoContext, input: RpcInput) {
  const ttl = liveTable(context, input).timeToLive;
  return {
    TimeToLiveDescription: ttl?.enabled
      ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.attributeName }
      : { TimeToLiveStatus: 'DISABLED' },
  };
}

export const tableOperations = {
  CreateTable: createTable,
  DescribeTable: describeTable,
  DeleteTable: deleteTable,
  ListTables: listTables,
  UpdateTimeToLive: updateTimeToLive,
  DescribeTimeToLive: describeTimeToLive,
};
