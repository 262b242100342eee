/** One SSM parameter with its latest version. Times are epoch ms. */
export interface ParameterRecord {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  dataType: string;
  description?: string;
  /** Standard (values up to 4 KB) or Advanced (up to 8 KB); an advanced parameter never returns to standard. */
  tier?: ParameterTier;
  lastModifiedDate: number;
}

export type ParameterTier = 'Standard' | 'Advanced';

/** AWS keeps the 100 most recent versions of a parameter. */
export const PARAMETER_HISTORY_LIMIT = 100;

/** The emulator's SSM Parameter Store: latest version of each parameter, and earlier versions (in memory only). */
export class ParameterStore {
  private readonly parameters = new Map<string, ParameterRecord>();
  private readonly history = new Map<string, ParameterRecord[]>();

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
    const versions = [...(this.history.get(record.name) ?? []), stored].slice(-PARAMETER_HISTORY_LIMIT);
    this.history.set(record.name, versions);
    return stored;
  }

  /** One version of a parameter, if it still exists (the latest 100 are kept; a reloaded state keeps only the latest). */
  getVersion(name: string, version: number): ParameterRecord | undefined {
    const versions = this.history.get(name) ?? [];
    return (
      versions.find((record) => record.version === version) ??
      (this.parameters.get(name)?.version === version ? this.parameters.get(name) : undefined)
    );
  }

  /** Deleting a parameter deletes its history: a new parameter of the same name starts again at version 1. */
  delete(name: string): boolean {
    this.history.delete(name);
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
