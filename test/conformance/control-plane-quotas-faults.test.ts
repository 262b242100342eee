import {
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeThingCommand,
  GetRegistrationCodeCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { startLocal } from '../../local/server.js';
import { captureEmulatorLogs, printOnFailure } from '../helpers/emulator-logs.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf } from './control-plane-fixtures.js';

describe('control plane: quotas', () => {
  // One token every 100 s: the first call passes, the next ones are over quota whatever the machine's speed.
  const local = withEmulator({ quotas: 'aws', quotaScale: 0.01 });

  // https://docs.aws.amazon.com/general/latest/gr/iot-core.html (API TPS quotas, e.g. CreateThing 15/s, DescribeThing 350/s)
  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThing.html (ThrottlingException: "The rate exceeds the limit.",
  // HTTP Status Code: 400; the AWS IoT service model types it `httpStatusCode: 400`, not 429)
  it('answers ThrottlingException (HTTP 400) to a call over its operation quota', async () => {
    const iot = iotClientFor(local.emulator, { maxAttempts: 1 });
    await iot.send(new CreateThingCommand({ thingName: 'quota-1' }));
    const failure = await failureOf(iot.send(new CreateThingCommand({ thingName: 'quota-2' })));
    expect(failure).toMatchObject({ name: 'ThrottlingException', status: 400 });
  });

  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html (throttling errors are retried)
  it('makes the SDK retry a throttled call', async () => {
    const iot = iotClientFor(local.emulator, { maxAttempts: 3 });
    const missing = { certificateId: 'a'.repeat(64) };
    expect((await failureOf(iot.send(new DeleteCertificateCommand(missing)))).name).toBe('ResourceNotFoundException');
    const failure = await failureOf(iot.send(new DeleteCertificateCommand(missing)));
    expect(failure.name).toBe('ThrottlingException');
    expect((failure.error.$metadata as { attempts?: number }).attempts).toBe(3);
  });

  it('leaves operations without a documented quota unthrottled', async () => {
    const iot = iotClientFor(local.emulator, { maxAttempts: 1 });
    let answered = 0;
    for (let i = 0; i < 20; i++) {
      const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
      if (registrationCode) answered++;
    }
    expect(answered).toBe(20);
  });
});

describe('control plane: injected faults', () => {
  const logs = captureEmulatorLogs();
  printOnFailure(() => logs);
  /** The outcome of each of `count` CreateThing calls against a fresh emulator. */
  async function outcomes(faults: string, seed: number, count: number): Promise<string[]> {
    const emulator = await startLocal({ logs, faults, seed });
    try {
      const iot = iotClientFor(emulator, { maxAttempts: 1 });
      const results: string[] = [];
      for (let i = 0; i < count; i++) {
        try {
          await iot.send(new CreateThingCommand({ thingName: `fault-${i}` }));
          results.push('ok');
        } catch (error) {
          results.push((error as Error).name);
        }
      }
      return results;
    } finally {
      await emulator.stop();
    }
  }

  it('injects the listed kinds into the listed operations only', async () => {
    const emulator = await startLocal({ logs, faults: 'rate=1,ops=CreateThing,kinds=500' });
    try {
      const iot = iotClientFor(emulator, { maxAttempts: 1 });
      const failure = await failureOf(iot.send(new CreateThingCommand({ thingName: 'never' })));
      expect(failure).toMatchObject({ name: 'InternalFailureException', status: 500 });
      const other = await failureOf(iot.send(new DescribeThingCommand({ thingName: 'never' })));
      expect(other.name).toBe('ResourceNotFoundException');
    } finally {
      await emulator.stop();
    }
  });

  it('repeats the same faults for the same seed', async () => {
    const spec = 'rate=0.5,ops=CreateThing,kinds=throttle|500';
    const first = await outcomes(spec, 42, 24);
    const again = await outcomes(spec, 42, 24);
    const otherSeed = await outcomes(spec, 43, 24);
    expect(again).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'ThrottlingException', 'InternalFailureException']));
    expect(otherSeed).not.toEqual(first);
  });

  it('drops the connection of a call given a timeout fault, and keeps serving', async () => {
    const emulator = await startLocal({ logs, faults: 'rate=1,ops=CreateThing,kinds=timeout' });
    try {
      const iot = iotClientFor(emulator, { maxAttempts: 1 });
      const failure = await failureOf(iot.send(new CreateThingCommand({ thingName: 'timed-out' })));
      expect(failure.status).toBeUndefined();
      const code = await iot.send(new GetRegistrationCodeCommand({}));
      expect(code.registrationCode).toBeDefined();
    } finally {
      await emulator.stop();
    }
  });

  it('refuses a bad fault spec with code BAD_FAULT_SPEC', async () => {
    await expect(startLocal({ logs, faults: 'rate=0.1,kinds=meteor' })).rejects.toMatchObject({
      code: 'BAD_FAULT_SPEC',
    });
  });
});
