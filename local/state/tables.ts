/**
 * The emulator's DynamoDB tables. Items are kept in the wire form (AttributeValue maps) under a key made from their
 * primary key attributes; the control plane validates requests before it writes here.
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

export type Item = Record<string, AttributeValue>;

export interface KeyElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: 'S' | 'N' | 'B';
}

export interface TableRecord {
  name: string;
  keySchema: KeyElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  /** epoch ms */
  createdAt: number;
  tableId: string;
  /** UpdateTimeToLive's specification; expired items are treated as already deleted. */
  timeToLive?: { attributeName: string; enabled: boolean };
  items: { key: string; item: Item }[];
}

interface LiveTable extends Omit<TableRecord, 'items'> {
  items: Map<string, Item>;
}

/** A stable map key for an item's primary key: the key attributes in schema order with their type tags. */
export function keyString(table: Pick<TableRecord, 'keySchema'>, item: Item): string {
  return JSON.stringify(table.keySchema.map((element) => item[element.AttributeName] ?? null));
}

export class TableStore {
  private readonly tables = new Map<string, LiveTable>();

  get(name: string): LiveTable | undefined {
    return this.tables.get(name);
  }

  names(): string[] {
    return [...this.tables.keys()].sort();
  }

  create(record: Omit<TableRecord, 'items'>): LiveTable {
    const table: LiveTable = { ...record, items: new Map() };
    this.tables.set(record.name, table);
    return table;
  }

  delete(name: string): boolean {
    return this.tables.delete(name);
  }

  toJSON(): TableRecord[] {
    return [...this.tables.values()].map((table) => ({
      ...table,
      items: [...table.items.entries()].map(([key, item]) => ({ key, item })),
    }));
  }

  load(records: TableRecord[]): void {
    this.tables.clear();
    for (const record of records) {
      this.tables.set(record.name, { ...record, items: new Map(record.items.map(({ key, item }) => [key, item])) });
    }
  }
}
