import { randomUUID } from 'node:crypto';
import { AwsServiceError, alreadyExists, invalidRequest, notFound } from '../../errors.js';
import { certificateIdFromArn } from '../../state/arns.js';
import type { ThingRecord } from '../../state/model.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import {
  bodyBoolean,
  bodyInteger,
  bodyObject,
  bodyString,
  header,
  label,
  oneOfValues,
  queryBoolean,
  queryInteger,
  queryString,
  stringMap,
} from './input.js';
import { paginate } from './pagination.js';
import { thingDescription } from './render.js';

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const PRINCIPAL_TYPES = ['EXCLUSIVE_THING', 'NON_EXCLUSIVE_THING'] as const;

function thingName(request: IotRequest): string {
  const name = label(request, 'thingName');
  if (!THING_NAME.test(name)) throw invalidRequest('thingName must match [a-zA-Z0-9:_-]{1,128}');
  return name;
}

export function requireThing(context: IotContext, name: string): ThingRecord {
  const thing = context.store.getThing(name);
  if (!thing) throw notFound(`Thing ${name} does not exist`);
  return thing;
}

/**
 * AWS IoT Core quotas, "Thing attributes": at most 3 attributes on a Thing without a thing type, 50 with one; more is an
 * InvalidRequestException. https://docs.aws.amazon.com/general/latest/gr/iot-core.html#thing-limits
 */
const MAX_ATTRIBUTES_UNTYPED = 3;
const MAX_ATTRIBUTES_TYPED = 50;

function checkAttributeCount(attributes: Record<string, string>, thingTypeName: string | undefined): void {
  const limit = thingTypeName ? MAX_ATTRIBUTES_TYPED : MAX_ATTRIBUTES_UNTYPED;
  const count = Object.keys(attributes).length;
  if (count > limit) {
    throw invalidRequest(
      `A thing ${thingTypeName ? 'with' : 'without'} a thing type can have at most ${limit} attributes, got ${count}`,
    );
  }
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/** CreateThing is idempotent: the same name with the same attributes and type returns the existing thing. */
function createThing(context: IotContext, request: IotRequest) {
  const { store } = context;
  const name = thingName(request);
  const attributes = stringMap(bodyObject(request, 'attributePayload')?.attributes, 'attributePayload.attributes');
  const thingTypeName = bodyString(request, 'thingTypeName');
  const existing = store.getThing(name);
  if (existing) {
    if (sameAttributes(existing.attributes, attributes) && existing.thingTypeName === thingTypeName) {
      return { thingName: existing.thingName, thingArn: existing.thingArn, thingId: existing.thingId };
    }
    throw alreadyExists(`Thing ${name} already exists with different attributes`, {
      resourceId: existing.thingId,
      resourceArn: existing.thingArn,
    });
  }
  checkAttributeCount(attributes, thingTypeName);
  const record: ThingRecord = {
    thingName: name,
    thingId: randomUUID(),
    thingArn: store.thingArn(name),
    ...(thingTypeName ? { thingTypeName } : {}),
    attributes,
    version: 1,
    creationDate: context.now(),
  };
  store.putThing(record);
  return { thingName: record.thingName, thingArn: record.thingArn, thingId: record.thingId };
}

function describeThing(context: IotContext, request: IotRequest) {
  return thingDescription(requireThing(context, thingName(request)));
}

function checkVersion(thing: ThingRecord, expected: number | undefined): void {
  if (expected !== undefined && expected !== thing.version) {
    throw new AwsServiceError('VersionConflictException', 409, `expectedVersion ${expected} is not ${thing.version}`);
  }
}

/** UpdateThing: `merge` keeps other attributes and removes those set to ""; otherwise the attributes are replaced. */
function updateThing(context: IotContext, request: IotRequest) {
  const thing = requireThing(context, thingName(request));
  checkVersion(thing, bodyInteger(request, 'expectedVersion'));
  const payload = bodyObject(request, 'attributePayload');
  let attributes = thing.attributes;
  if (payload) {
    const given = stringMap(payload.attributes, 'attributePayload.attributes');
    attributes = payload.merge === true ? { ...thing.attributes, ...given } : given;
    attributes = Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== ''));
  }
  const typeName = bodyBoolean(request, 'removeThingType')
    ? undefined
    : (bodyString(request, 'thingTypeName') ?? thing.thingTypeName);
  checkAttributeCount(attributes, typeName);
  const { thingTypeName: _dropped, ...rest } = thing;
  context.store.putThing({
    ...rest,
    ...(typeName ? { thingTypeName: typeName } : {}),
    attributes,
    version: thing.version + 1,
  });
  return undefined;
}

/** DeleteThing succeeds for a thing that does not exist; a thing with principals attached cannot be deleted. */
function deleteThing(context: IotContext, request: IotRequest) {
  const name = thingName(request);
  const thing = context.store.getThing(name);
  if (!thing) return undefined;
  checkVersion(thing, queryInteger(request, 'expectedVersion', { min: 0, max: Number.MAX_SAFE_INTEGER }));
  if (context.store.principalsForThing(name).length > 0) {
    throw invalidRequest(`Cannot delete thing ${name}: it is still attached to one or more principals`);
  }
  context.store.deleteThing(name);
  return undefined;
}

function listThings(context: IotContext, request: IotRequest) {
  const attributeName = queryString(request, 'attributeName');
  const attributeValue = queryString(request, 'attributeValue');
  const typeName = queryString(request, 'thingTypeName');
  const prefix = queryBoolean(request, 'usePrefixAttributeValue') === true;
  if (attributeValue !== undefined && attributeName === undefined) {
    throw invalidRequest('attributeValue needs attributeName');
  }
  const matches = context.store.listThings().filter((thing) => {
    if (typeName !== undefined && thing.thingTypeName !== typeName) return false;
    if (attributeName === undefined) return true;
    const value = thing.attributes[attributeName];
    if (value === undefined) return false;
    if (attributeValue === undefined) return true;
    return prefix ? value.startsWith(attributeValue) : value === attributeValue;
  });
  const page = paginate(matches, {
    sortKey: (thing) => thing.thingName,
    size: queryInteger(request, 'maxResults', { min: 1, max: 250 }) ?? 50,
    ...tokenFrom(request),
  });
  return {
    things: page.items.map((thing) => ({
      thingName: thing.thingName,
      ...(thing.thingTypeName ? { thingTypeName: thing.thingTypeName } : {}),
      thingArn: thing.thingArn,
      attributes: thing.attributes,
      version: thing.version,
    })),
    ...(page.next ? { nextToken: page.next } : {}),
  };
}

function tokenFrom(request: IotRequest) {
  const token = queryString(request, 'nextToken');
  return token === undefined ? {} : { token };
}

function principal(request: IotRequest): string {
  const value = header(request, 'x-amzn-principal');
  if (!value) throw invalidRequest('principal is required');
  return value;
}

/**
 * AttachThingPrincipal. A certificate principal must exist. EXCLUSIVE_THING makes the thing the only one attached to
 * the principal, so it fails while the principal is attached elsewhere, and a later attach elsewhere fails too.
 */
function attachThingPrincipal(context: IotContext, request: IotRequest) {
  const { store } = context;
  const name = thingName(request);
  const who = principal(request);
  requireThing(context, name);
  const certificateId = certificateIdFromArn(who);
  if (certificateId !== undefined && !store.getCertificate(certificateId)) {
    throw notFound(`Certificate ${certificateId} does not exist`);
  }
  const type = oneOfValues(queryString(request, 'thingPrincipalType'), 'thingPrincipalType', PRINCIPAL_TYPES);
  const others = store.attachmentsForPrincipal(who).filter((attachment) => attachment.thingName !== name);
  if (type === 'EXCLUSIVE_THING' && others.length > 0) {
    throw invalidRequest('The principal is already attached to another thing; it cannot be attached exclusively');
  }
  if (others.some((attachment) => attachment.exclusive)) {
    throw invalidRequest('The principal is exclusively attached to another thing');
  }
  store.attachThingPrincipal(name, who, type === 'EXCLUSIVE_THING');
  return undefined;
}

function detachThingPrincipal(context: IotContext, request: IotRequest) {
  const name = thingName(request);
  const who = principal(request);
  requireThing(context, name);
  context.store.detachThingPrincipal(name, who);
  return undefined;
}

function listThingPrincipals(context: IotContext, request: IotRequest) {
  const name = thingName(request);
  requireThing(context, name);
  const page = paginate(context.store.principalsForThing(name), {
    sortKey: (value) => value,
    size: queryInteger(request, 'maxResults', { min: 1, max: 250 }) ?? 50,
    ...tokenFrom(request),
  });
  return { principals: page.items, ...(page.next ? { nextToken: page.next } : {}) };
}

function listPrincipalThings(context: IotContext, request: IotRequest) {
  const who = principal(request);
  const certificateId = certificateIdFromArn(who);
  if (certificateId !== undefined && !context.store.getCertificate(certificateId)) {
    throw notFound(`Certificate ${certificateId} does not exist`);
  }
  const page = paginate(context.store.thingsForPrincipal(who), {
    sortKey: (value) => value,
    size: queryInteger(request, 'maxResults', { min: 1, max: 250 }) ?? 50,
    ...tokenFrom(request),
  });
  return { things: page.items, ...(page.next ? { nextToken: page.next } : {}) };
}

export const thingOperations: IotOperation[] = [
  { name: 'CreateThing', method: 'POST', path: '/things/{thingName}', handler: createThing },
  { name: 'DescribeThing', method: 'GET', path: '/things/{thingName}', handler: describeThing },
  { name: 'UpdateThing', method: 'PATCH', path: '/things/{thingName}', handler: updateThing },
  { name: 'DeleteThing', method: 'DELETE', path: '/things/{thingName}', handler: deleteThing },
  { name: 'ListThings', method: 'GET', path: '/things', handler: listThings },
  {
    name: 'AttachThingPrincipal',
    method: 'PUT',
    path: '/things/{thingName}/principals',
    handler: attachThingPrincipal,
  },
  {
    name: 'DetachThingPrincipal',
    method: 'DELETE',
    path: '/things/{thingName}/principals',
    handler: detachThingPrincipal,
  },
  { name: 'ListThingPrincipals', method: 'GET', path: '/things/{thingName}/principals', handler: listThingPrincipals },
  { name: 'ListPrincipalThings', method: 'GET', path: '/principals/things', handler: listPrincipalThings },
];
