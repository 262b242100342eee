/** One SSM parameter with its latest version. Times are epoch ms. */
export interface ParameterRecord {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  dataType: string;
  description?: string;
  lastModifiedDate: number;
}

/** The emulator's SSM Parameter Store: latest version of each parameter. */
export class ParameterStore {
  private readonly parameters = new Map<string, ParameterRecord>();

  get(name: string): ParameterRecord | undefined {
    return this.parameters.get(name);
  }

  list(): ParameterRecord[] {
    return [...this.parameters.values()];
  }

  /** Stores a new version (version 1 for a new name); the caller decides whether overwriting is allowed. */
  put(record: Omit<ParameterRecord, 'version'>): ParameterRecord {
    const previous = this.parameters.get(record.name);
    const stored: ParameterRecord = { ...record, version: (previous?.version ?? 0) + 1 };
    this.parameters.set(record.name, stored);
    return stored;
  }

  delete(name: string): boolean {
    return this.parameters.delete(name);
  }

  toJSON(): ParameterRecord[] {
    return this.list();
  }

  load(records: ParameterRecord[]): void {
    this.parameters.clear();
    for (const record of records) this.parameters.set(record.name, { ...record });
  }
}
