import { randomUUID } from 'node:crypto';
import type { RegistryStore } from '../state/store.js';
import type { AttributeDefinition, KeyElement } from '../state/tables.js';
import { LambdaRunnerError } from './errors.js';

/** An AWS::DynamoDB::Table of serverless.yml's resources, as `serverless deploy` would create it. */
export interface LocalTable {
  logicalId: string;
  name: string;
  keySchema: KeyElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  ttlAttribute?: string;
}

/** Reads a table resource's (already variable-resolved) Properties; a table the emulator cannot make is an error. */
export function localTable(logicalId: string, properties: Record<string, unknown>, fallbackName: string): LocalTable {
  const keySchema = properties.KeySchema as KeyElement[] | undefined;
  const definitions = properties.AttributeDefinitions as AttributeDefinition[] | undefined;
  if (!Array.isArray(keySchema) || keySchema.length === 0 || !Array.isArray(definitions)) {
    throw new LambdaRunnerError(
      'SERVICE_INVALID',
      `${logicalId}: a DynamoDB table needs KeySchema and AttributeDefinitions`,
    );
  }
  const ttl = properties.TimeToLiveSpecification as { AttributeName?: unknown; Enabled?: unknown } | undefined;
  return {
    logicalId,
    name: typeof properties.TableName === 'string' ? properties.TableName : fallbackName,
    keySchema: keySchema.map((k) => ({ AttributeName: String(k.AttributeName), KeyType: k.KeyType })),
    attributeDefinitions: definitions.map((d) => ({
      AttributeName: String(d.AttributeName),
      AttributeType: d.AttributeType,
    })),
    billingMode: properties.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(ttl?.Enabled === true && typeof ttl.AttributeName === 'string' ? { ttlAttribute: ttl.AttributeName } : {}),
  };
}

/** Creates the tables that do not exist yet (a restart from `--state` keeps the ones it has, with their items). */
export function deployTables(store: RegistryStore, tables: readonly LocalTable[], now: number): void {
  for (const table of tables) {
    if (store.tables.get(table.name)) continue;
    const created = store.tables.create({
      name: table.name,
      keySchema: table.keySchema,
      attributeDefinitions: table.attributeDefinitions,
      billingMode: table.billingMode,
      createdAt: now,
      tableId: randomUUID(),
    });
    if (table.ttlAttribute) created.timeToLive = { attributeName: table.ttlAttribute, enabled: true };
  }
}
