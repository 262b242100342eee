import { CreateThingCommand, DescribeThingCommand, UpdateThingCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf } from './control-plane-fixtures.js';

// https://docs.aws.amazon.com/general/latest/gr/iot-core.html#thing-limits (AWS IoT Core quotas, "Thing attributes")
// "Maximum number of attributes for a thing without a thing type": 3; with a thing type: 50.
describe('control plane: thing attribute count', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);
  const attributes = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, 'v']));

  it('creates an untyped thing with 3 attributes and refuses one with 4', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'three', attributePayload: { attributes: attributes(3) } }));
    const failure = await failureOf(
      iot().send(new CreateThingCommand({ thingName: 'four', attributePayload: { attributes: attributes(4) } })),
    );
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    await expect(iot().send(new DescribeThingCommand({ thingName: 'four' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('allows 50 attributes on a thing with a thing type and refuses 51', async () => {
    const typed = { thingTypeName: 'sensor' };
    await iot().send(
      new CreateThingCommand({ thingName: 'fifty', ...typed, attributePayload: { attributes: attributes(50) } }),
    );
    const failure = await failureOf(
      iot().send(
        new CreateThingCommand({ thingName: 'fifty-one', ...typed, attributePayload: { attributes: attributes(51) } }),
      ),
    );
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  it('counts the attributes after a merge and its removals', async () => {
    await iot().send(new CreateThingCommand({ thingName: 'merged', attributePayload: { attributes: attributes(3) } }));
    const failure = await failureOf(
      iot().send(
        new UpdateThingCommand({ thingName: 'merged', attributePayload: { attributes: { extra: 'v' }, merge: true } }),
      ),
    );
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    // Removing one ("" with merge) while adding another keeps 3: accepted.
    await iot().send(
      new UpdateThingCommand({
        thingName: 'merged',
        attributePayload: { attributes: { a0: '', extra: 'v' }, merge: true },
      }),
    );
    const thing = await iot().send(new DescribeThingCommand({ thingName: 'merged' }));
    expect(thing.attributes).toEqual({ a1: 'v', a2: 'v', extra: 'v' });
  });

  it('refuses removing the thing type from a thing holding more than 3 attributes', async () => {
    await iot().send(
      new CreateThingCommand({
        thingName: 'typed',
        thingTypeName: 'sensor',
        attributePayload: { attributes: attributes(4) },
      }),
    );
    const failure = await failureOf(iot().send(new UpdateThingCommand({ thingName: 'typed', removeThingType: true })));
    expect(failure).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });
});
