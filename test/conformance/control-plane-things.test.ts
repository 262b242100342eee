import {
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DeleteThingCommand,
  DescribeThingCommand,
  DetachThingPrincipalCommand,
  ListPrincipalThingsCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  UpdateThingCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf, registeredCa, registeredDevice } from './control-plane-fixtures.js';

describe('control plane: things and principals', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThing.html
  // "If this call is made multiple times using the same thing name and configuration, the call will succeed."
  it('creates a thing idempotently for the same attributes', async () => {
    const input = { thingName: 'idem-thing', attributePayload: { attributes: { fleet: 'a' } } };
    const first = await iot().send(new CreateThingCommand(input));
    const second = await iot().send(new CreateThingCommand(input));
    expect(second).toMatchObject({ thingName: 'idem-thing', thingArn: first.thingArn, thingId: first.thingId });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThing.html
  // "If this call is made with the same thing name but different configuration a ResourceAlreadyExistsException is thrown."
  it('refuses to create an existing thing with different attributes', async () => {
    await iot().send(
      new CreateThingCommand({ thingName: 'diff-thing', attributePayload: { attributes: { fleet: 'a' } } }),
    );
    const failure = await failureOf(
      iot().send(new CreateThingCommand({ thingName: 'diff-thing', attributePayload: { attributes: { fleet: 'b' } } })),
    );
    expect(failure).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThing.html (thingName pattern [a-zA-Z0-9:_-]+)
  it('refuses a thing name outside the allowed characters', async () => {
    const failure = await failureOf(iot().send(new CreateThingCommand({ thingName: 'bad name!' })));
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeThing.html
  it('describes a thing with its attributes, version and default client id', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'described', attributePayload: { attributes: { k: 'v' } } }));
    const thing = await iot().send(new DescribeThingCommand({ thingName: 'described' }));
    expect(thing).toMatchObject({
      thingName: 'described',
      defaultClientId: 'described',
      attributes: { k: 'v' },
      version: 1,
    });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AttributePayload.html
  // merge: true adds to the existing attributes; an empty value removes an attribute.
  it('merges attributes on UpdateThing and bumps the version', async () => {
    await iot().send(
      new CreateThingCommand({ thingName: 'merged', attributePayload: { attributes: { a: '1', b: '2' } } }),
    );
    await iot().send(
      new UpdateThingCommand({ thingName: 'merged', attributePayload: { attributes: { b: '', c: '3' }, merge: true } }),
    );
    const thing = await iot().send(new DescribeThingCommand({ thingName: 'merged' }));
    expect(thing.attributes).toEqual({ a: '1', c: '3' });
    expect(thing.version).toBe(2);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateThing.html (expectedVersion -> VersionConflictException)
  it('refuses an UpdateThing with a stale expectedVersion', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'versioned' }));
    const failure = await failureOf(iot().send(new UpdateThingCommand({ thingName: 'versioned', expectedVersion: 7 })));
    expect(failure).toMatchObject({ name: 'VersionConflictException', status: 409 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteThing.html
  // "Returns successfully with no error if the deletion is successful or you specify a thing that doesn't exist."
  it('deletes a thing, and succeeds for one that does not exist', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'doomed' }));
    await iot().send(new DeleteThingCommand({ thingName: 'doomed' }));
    await iot().send(new DeleteThingCommand({ thingName: 'doomed' }));
    const failure = await failureOf(iot().send(new DescribeThingCommand({ thingName: 'doomed' })));
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListThings.html (attributeName / attributeValue filter)
  it('lists things filtered by an attribute', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'f-1', attributePayload: { attributes: { tenant: 'x1' } } }));
    await iot().send(new CreateThingCommand({ thingName: 'f-2', attributePayload: { attributes: { tenant: 'y2' } } }));
    const { things } = await iot().send(new ListThingsCommand({ attributeName: 'tenant', attributeValue: 'x1' }));
    expect(things?.map((thing) => thing.thingName)).toEqual(['f-1']);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AttachThingPrincipal.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListThingPrincipals.html
  it('attaches a certificate to a thing and lists it both ways', async () => {
    const device = await registeredDevice(iot(), await registeredCa(iot()));
    await iot().send(new CreateThingCommand({ thingName: 'owner' }));
    await iot().send(new AttachThingPrincipalCommand({ thingName: 'owner', principal: device.certificateArn }));
    const { principals } = await iot().send(new ListThingPrincipalsCommand({ thingName: 'owner' }));
    const { things } = await iot().send(new ListPrincipalThingsCommand({ principal: device.certificateArn }));
    expect(principals).toEqual([device.certificateArn]);
    expect(things).toEqual(['owner']);
    await iot().send(new DetachThingPrincipalCommand({ thingName: 'owner', principal: device.certificateArn }));
    expect((await iot().send(new ListThingPrincipalsCommand({ thingName: 'owner' }))).principals).toEqual([]);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AttachThingPrincipal.html
  // "EXCLUSIVE_THING - ... The thing will be the only thing that's attached to the principal."
  it('keeps an EXCLUSIVE_THING principal on its one thing', async () => {
    const device = await registeredDevice(iot(), await registeredCa(iot()));
    await iot().send(new CreateThingCommand({ thingName: 'exclusive-a' }));
    await iot().send(new CreateThingCommand({ thingName: 'exclusive-b' }));
    await iot().send(
      new AttachThingPrincipalCommand({
        thingName: 'exclusive-a',
        principal: device.certificateArn,
        thingPrincipalType: 'EXCLUSIVE_THING',
      }),
    );
    const failure = await failureOf(
      iot().send(new AttachThingPrincipalCommand({ thingName: 'exclusive-b', principal: device.certificateArn })),
    );
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect((await iot().send(new ListPrincipalThingsCommand({ principal: device.certificateArn }))).things).toEqual([
      'exclusive-a',
    ]);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_AttachThingPrincipal.html (ResourceNotFoundException)
  it('refuses to attach a principal to a thing that does not exist', async () => {
    const device = await registeredDevice(iot(), await registeredCa(iot()));
    const failure = await failureOf(
      iot().send(new AttachThingPrincipalCommand({ thingName: 'missing-thing', principal: device.certificateArn })),
    );
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});
