import { randomUUID } from 'node:crypto';
import { AwsServiceError, alreadyExists, invalidRequest, notFound } from '../../errors.js';
import type { ThingGroupRecord } from '../../state/model.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import { bodyObject, bodyString, label, queryInteger, queryString, stringMap } from './input.js';
import { paginate } from './pagination.js';
import { seconds } from './render.js';
import { requireThing } from './things.js';

const GROUP_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
/** AWS: a thing can belong to at most 10 thing groups. */
const MAX_GROUPS_PER_THING = 10;

function groupName(request: IotRequest): string {
  const name = label(request, 'thingGroupName');
  if (!GROUP_NAME.test(name)) throw invalidRequest('thingGroupName must match [a-zA-Z0-9:_-]{1,128}');
  return name;
}

function requireGroup(context: IotContext, name: string): ThingGroupRecord {
  const group = context.store.thingGroups.get(name);
  if (!group) throw notFound(`Thing group ${name} does not exist`);
  return group;
}

const groupArn = (context: IotContext, name: string) =>
  `arn:aws:iot:${context.store.scope.region}:${context.store.scope.accountId}:thinggroup/${name}`;

/** CreateThingGroup is idempotent for the same properties, like CreateThing. */
function createThingGroup(context: IotContext, request: IotRequest) {
  const name = groupName(request);
  const properties = bodyObject(request, 'thingGroupProperties') ?? {};
  const description = properties.thingGroupDescription;
  if (description !== undefined && typeof description !== 'string') {
    throw invalidRequest('thingGroupDescription must be a string');
  }
  const attributes = stringMap(
    (properties.attributePayload as { attributes?: unknown } | undefined)?.attributes,
    'attributes',
  );
  const parent = bodyString(request, 'parentGroupName');
  if (parent !== undefined) requireGroup(context, parent);
  const existing = context.store.thingGroups.get(name);
  if (existing) {
    const same =
      existing.description === description &&
      existing.parentGroupName === parent &&
      JSON.stringify(existing.attributes) === JSON.stringify(attributes);
    if (!same) throw alreadyExists(`Thing group ${name} already exists with different properties`);
    return { thingGroupName: name, thingGroupArn: existing.thingGroupArn, thingGroupId: existing.thingGroupId };
  }
  const record: ThingGroupRecord = {
    thingGroupName: name,
    thingGroupId: randomUUID(),
    thingGroupArn: groupArn(context, name),
    ...(description !== undefined ? { description } : {}),
    attributes,
    ...(parent !== undefined ? { parentGroupName: parent } : {}),
    version: 1,
    creationDate: context.now(),
  };
  context.store.thingGroups.put(record);
  return { thingGroupName: name, thingGroupArn: record.thingGroupArn, thingGroupId: record.thingGroupId };
}

function describeThingGroup(context: IotContext, request: IotRequest) {
  const group = requireGroup(context, groupName(request));
  return {
    thingGroupName: group.thingGroupName,
    thingGroupId: group.thingGroupId,
    thingGroupArn: group.thingGroupArn,
    version: group.version,
    thingGroupProperties: {
      ...(group.description !== undefined ? { thingGroupDescription: group.description } : {}),
      attributePayload: { attributes: group.attributes },
    },
    thingGroupMetadata: {
      ...(group.parentGroupName !== undefined ? { parentGroupName: group.parentGroupName } : {}),
      creationDate: seconds(group.creationDate),
    },
  };
}

/** DeleteThingGroup succeeds for a group that does not exist, as DeleteThing does. */
function deleteThingGroup(context: IotContext, request: IotRequest) {
  const name = groupName(request);
  if (context.store.thingGroups.get(name)) context.store.thingGroups.delete(name);
  return undefined;
}

/** The group and thing of Add/RemoveThingToThingGroup, by name or by ARN. */
function membership(context: IotContext, request: IotRequest): { group: string; thing: string } {
  const group = bodyString(request, 'thingGroupName') ?? bodyString(request, 'thingGroupArn')?.split('/').pop();
  const thing = bodyString(request, 'thingName') ?? bodyString(request, 'thingArn')?.split('/').pop();
  if (!group) throw invalidRequest('thingGroupName or thingGroupArn is required');
  if (!thing) throw invalidRequest('thingName or thingArn is required');
  requireGroup(context, group);
  requireThing(context, thing);
  return { group, thing };
}

function addThingToThingGroup(context: IotContext, request: IotRequest) {
  const { group, thing } = membership(context, request);
  const current = context.store.thingGroups.groupsOf(thing);
  if (!current.includes(group) && current.length >= MAX_GROUPS_PER_THING) {
    throw new AwsServiceError(
      'LimitExceededException',
      410,
      `A thing can be in at most ${MAX_GROUPS_PER_THING} groups`,
    );
  }
  context.store.thingGroups.add(group, thing);
  return undefined;
}

function removeThingFromThingGroup(context: IotContext, request: IotRequest) {
  const { group, thing } = membership(context, request);
  context.store.thingGroups.remove(group, thing);
  return undefined;
}

function pageOf(values: string[], request: IotRequest) {
  const token = queryString(request, 'nextToken');
  return paginate(values, {
    sortKey: (value) => value,
    size: queryInteger(request, 'maxResults', { min: 1, max: 250 }) ?? 50,
    ...(token === undefined ? {} : { token }),
  });
}

function listThingsInThingGroup(context: IotContext, request: IotRequest) {
  const group = requireGroup(context, groupName(request));
  const page = pageOf(context.store.thingGroups.thingsIn(group.thingGroupName), request);
  return { things: page.items, ...(page.next ? { nextToken: page.next } : {}) };
}

function listThingGroupsForThing(context: IotContext, request: IotRequest) {
  const thing = requireThing(context, label(request, 'thingName'));
  const page = pageOf(context.store.thingGroups.groupsOf(thing.thingName), request);
  return {
    thingGroups: page.items.map((name) => ({ groupName: name, groupArn: groupArn(context, name) })),
    ...(page.next ? { nextToken: page.next } : {}),
  };
}

function listThingGroups(context: IotContext, request: IotRequest) {
  const prefix = queryString(request, 'namePrefixFilter') ?? '';
  const parent = queryString(request, 'parentGroup');
  const names = context.store.thingGroups
    .list()
    .filter(
      (group) => group.thingGroupName.startsWith(prefix) && (parent === undefined || group.parentGroupName === parent),
    )
    .map((group) => group.thingGroupName);
  const page = pageOf(names, request);
  return {
    thingGroups: page.items.map((name) => ({ groupName: name, groupArn: groupArn(context, name) })),
    ...(page.next ? { nextToken: page.next } : {}),
  };
}

export const thingGroupOperations: IotOperation[] = [
  { name: 'CreateThingGroup', method: 'POST', path: '/thing-groups/{thingGroupName}', handler: createThingGroup },
  { name: 'DescribeThingGroup', method: 'GET', path: '/thing-groups/{thingGroupName}', handler: describeThingGroup },
  { name: 'DeleteThingGroup', method: 'DELETE', path: '/thing-groups/{thingGroupName}', handler: deleteThingGroup },
  { name: 'ListThingGroups', method: 'GET', path: '/thing-groups', handler: listThingGroups },
  {
    name: 'AddThingToThingGroup',
    method: 'PUT',
    path: '/thing-groups/addThingToThingGroup',
    handler: addThingToThingGroup,
  },
  {
    name: 'RemoveThingFromThingGroup',
    method: 'PUT',
    path: '/thing-groups/removeThingFromThingGroup',
    handler: removeThingFromThingGroup,
  },
  {
    name: 'ListThingsInThingGroup',
    method: 'GET',
    path: '/thing-groups/{thingGroupName}/things',
    handler: listThingsInThingGroup,
  },
  {
    name: 'ListThingGroupsForThing',
    method: 'GET',
    path: '/things/{thingName}/thing-groups',
    handler: listThingGroupsForThing,
  },
];
