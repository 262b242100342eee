import type { ThingGroupRecord } from './model.js';

/** Static thing groups and their members (thing names), kept in step both ways. */
export class ThingGroupStore {
  private readonly groups = new Map<string, ThingGroupRecord>();
  private readonly members = new Map<string, Set<string>>();
  private readonly memberships = new Map<string, Set<string>>();

  get(name: string): ThingGroupRecord | undefined {
    return this.groups.get(name);
  }

  list(): ThingGroupRecord[] {
    return [...this.groups.values()];
  }

  put(record: ThingGroupRecord): void {
    this.groups.set(record.thingGroupName, record);
  }

  delete(name: string): void {
    for (const thing of this.members.get(name) ?? []) this.memberships.get(thing)?.delete(name);
    this.members.delete(name);
    this.groups.delete(name);
  }

  add(groupName: string, thingName: string): void {
    link(this.members, groupName, thingName);
    link(this.memberships, thingName, groupName);
  }

  remove(groupName: string, thingName: string): void {
    unlink(this.members, groupName, thingName);
    unlink(this.memberships, thingName, groupName);
  }

  /** A deleted thing leaves every group. */
  forgetThing(thingName: string): void {
    for (const group of this.memberships.get(thingName) ?? []) unlink(this.members, group, thingName);
    this.memberships.delete(thingName);
  }

  thingsIn(groupName: string): string[] {
    return [...(this.members.get(groupName) ?? [])];
  }

  groupsOf(thingName: string): string[] {
    return [...(this.memberships.get(thingName) ?? [])];
  }

  toJSON(): { groups: ThingGroupRecord[]; members: { thingGroupName: string; things: string[] }[] } {
    return {
      groups: this.list(),
      members: [...this.members].map(([thingGroupName, things]) => ({ thingGroupName, things: [...things] })),
    };
  }

  load(saved: ReturnType<ThingGroupStore['toJSON']>): void {
    for (const group of saved.groups) this.put({ ...group });
    for (const { thingGroupName, things } of saved.members) for (const thing of things) this.add(thingGroupName, thing);
  }
}

function link(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key) ?? new Set<string>();
  values.add(value);
  index.set(key, values);
}

function unlink(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key);
  values?.delete(value);
  if (values?.size === 0) index.delete(key);
}
