import type { IoTClient } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { iotAdapter } from '../../../../functions/onboard/iot-adapter.js';

// A stubbed client, on purpose: these are AWS answers the local emulator does not produce (DetachThingPrincipal is
// eventually consistent on AWS, so DeleteCertificate right after it may still see the attachment).
function clientFailingWith(name: string): { client: IoTClient; commands: string[] } {
  const commands: string[] = [];
  const client = {
    send: async (command: object) => {
      commands.push(command.constructor.name);
      throw Object.assign(new Error(`${name} from AWS`), { name });
    },
  } as unknown as IoTClient;
  return { client, commands };
}

describe('iotAdapter', () => {
  it.each(['DeleteConflictException', 'CertificateStateException'])(
    'reports a deletion IoT refuses with %s as a conflict for the reconciler to retry',
    async (name) => {
      const { client } = clientFailingWith(name);

      await expect(iotAdapter(client).deleteCertificate('c'.repeat(64))).resolves.toBe('conflict');
    },
  );

  it('treats "not found" as already done when detaching and deleting', async () => {
    const { client } = clientFailingWith('ResourceNotFoundException');
    const iot = iotAdapter(client);

    await expect(iot.deleteCertificate('c'.repeat(64))).resolves.toBe('deleted');
    await expect(iot.detachPolicy('p', 'arn')).resolves.toBeUndefined();
    await expect(iot.detachThingPrincipal('t', 'arn')).resolves.toBeUndefined();
    await expect(iot.describeThing('t')).resolves.toBeNull();
  });

  it('lets throttling and every other failure through, so Lambda retries the event', async () => {
    const { client } = clientFailingWith('ThrottlingException');
    const iot = iotAdapter(client);

    await expect(iot.updateCertificateStatus('c'.repeat(64), 'ACTIVE')).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await expect(iot.describeCertificate('c'.repeat(64))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('attaches principals to Things exclusively', async () => {
    const sent: Record<string, unknown>[] = [];
    const client = {
      send: async (command: { input: Record<string, unknown> }) => sent.push(command.input),
    } as unknown as IoTClient;

    await iotAdapter(client).attachThingPrincipal('dev-1', 'arn:aws:iot:us-east-1:000000000000:cert/c');

    expect(sent[0]).toMatchObject({ thingName: 'dev-1', thingPrincipalType: 'EXCLUSIVE_THING' });
  });
});
