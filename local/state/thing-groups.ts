import { Links } from './links.js';
import type { ThingGroupRecord } from './model.js';

/** Static thing groups and their members (thing names). */
export class ThingGroupStore {
  private readonly groups = new Map<string, ThingGroupRecord>();
  /** group name -> thing names. */
  private readonly members = new Links();

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
    this.members.forgetLeft(name);
    this.groups.delete(name);
  }

  add(groupName: string, thingName: string): void {
    this.members.link(groupName, thingName);
  }

  remove(groupName: string, thingName: string): void {
    this.members.unlink(groupName, thingName);
  }

  /** A deleted thing leaves every group. */
  forgetThing(thingName: string): void {
    this.members.forgetRight(thingName);
  }

  thingsIn(groupName: string): string[] {
    return this.members.rightsOf(groupName);
  }

  groupsOf(thingName: string): string[] {
    return this.members.leftsOf(thingName);
  }

  toJSON(): { groups: ThingGroupRecord[]; members: { thingGroupName: string; things: string[] }[] } {
    return {
      groups: this.list(),
      members: this.members.entries().map(([thingGroupName, things]) => ({ thingGroupName, things })),
    };
  }

  load(saved: ReturnType<ThingGroupStore['toJSON']>): void {
    for (const group of saved.groups) this.put({ ...group });
    for (const { thingGroupName, things } of saved.members) for (const thing of things) this.add(thingGroupName, thing);
  }
}
