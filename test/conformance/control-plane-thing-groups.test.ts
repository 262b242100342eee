import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DescribeThingGroupCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsInThingGroupCommand,
  RemoveThingFromThingGroupCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf } from './control-plane-fixtures.js';

describe('control plane: static thing groups', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThingGroup.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeThingGroup.html
  it('creates a thing group idempotently and describes it', async () => {
    const input = { thingGroupName: 'fleet-a', thingGroupProperties: { thingGroupDescription: 'Fleet A' } };
    const created = await iot().send(new CreateThingGroupCommand(input));
    const again = await iot().send(new CreateThingGroupCommand(input));
    expect(again.thingGroupId).toBe(created.thingGroupId);
    const group = await iot().send(new DescribeThingGroupCommand({ thingGroupName: 'fleet-a' }));
    expect(group).toMatchObject({
      thingGroupArn: 'arn:aws:iot:us-east-1:000000000000:thinggroup/fleet-a',
      thingGroupProperties: { thingGroupDescription: 'Fleet A' },
      version: 1,
    });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AddThingToThingGroup.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListThingsInThingGroup.html
  it('adds a thing to a group, lists it both ways, and removes it', async () => {
    await iot().send(new CreateThingGroupCommand({ thingGroupName: 'fleet-b' }));
    await iot().send(new CreateThingCommand({ thingName: 'member-1' }));
    await iot().send(new AddThingToThingGroupCommand({ thingGroupName: 'fleet-b', thingName: 'member-1' }));
    await iot().send(new AddThingToThingGroupCommand({ thingGroupName: 'fleet-b', thingName: 'member-1' }));
    expect((await iot().send(new ListThingsInThingGroupCommand({ thingGroupName: 'fleet-b' }))).things).toEqual([
      'member-1',
    ]);
    const groups = await iot().send(new ListThingGroupsForThingCommand({ thingName: 'member-1' }));
    expect(groups.thingGroups?.map((g) => g.groupName)).toEqual(['fleet-b']);
    await iot().send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'fleet-b', thingName: 'member-1' }));
    expect((await iot().send(new ListThingsInThingGroupCommand({ thingGroupName: 'fleet-b' }))).things).toEqual([]);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AddThingToThingGroup.html (ResourceNotFoundException)
  it('refuses to add a thing to a group that does not exist', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'lonely' }));
    const failure = await failureOf(
      iot().send(new AddThingToThingGroupCommand({ thingGroupName: 'no-such-group', thingName: 'lonely' })),
    );
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListThingGroups.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteThingGroup.html
  it('lists groups by name prefix and deletes a group', async () => {
    await iot().send(new CreateThingGroupCommand({ thingGroupName: 'prefix-one' }));
    await iot().send(new CreateThingGroupCommand({ thingGroupName: 'prefix-two' }));
    const listed = await iot().send(new ListThingGroupsCommand({ namePrefixFilter: 'prefix-' }));
    expect(listed.thingGroups?.map((g) => g.groupName)).toEqual(['prefix-one', 'prefix-two']);
    await iot().send(new DeleteThingGroupCommand({ thingGroupName: 'prefix-one' }));
    const failure = await failureOf(iot().send(new DescribeThingGroupCommand({ thingGroupName: 'prefix-one' })));
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('drops a deleted thing from its groups', async () => {
    await iot().send(new CreateThingGroupCommand({ thingGroupName: 'fleet-c' }));
    await iot().send(new CreateThingCommand({ thingName: 'leaver' }));
    await iot().send(new AddThingToThingGroupCommand({ thingGroupName: 'fleet-c', thingName: 'leaver' }));
    await iot().send(new DeleteThingCommand({ thingName: 'leaver' }));
    expect((await iot().send(new ListThingsInThingGroupCommand({ thingGroupName: 'fleet-c' }))).things).toEqual([]);
  });
});
