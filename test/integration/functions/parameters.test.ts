import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { cachedParameterReader } from '../../../functions/aws/parameters.js';
import { ssmClientFor, withEmulator } from '../../helpers/aws.js';

// The fleet configuration's reader (Powertools Parameters) against the emulator's SSM, over the real SDK.
describe('cachedParameterReader', () => {
  const local = withEmulator();
  const served = () => local.emulator.apiCalls.snapshot().served.GetParameter ?? 0;

  it('reads a parameter once per max age however often it is asked for', async () => {
    const ssm = ssmClientFor(local.emulator);
    await ssm.send(new PutParameterCommand({ Name: '/jitr/test/cached', Value: '{"version":1}', Type: 'String' }));
    const read = cachedParameterReader(ssm, 60);
    const before = served();

    const values = [await read('/jitr/test/cached'), await read('/jitr/test/cached'), await read('/jitr/test/cached')];

    expect(values).toEqual(['{"version":1}', '{"version":1}', '{"version":1}']);
    expect(served() - before).toBe(1);
  });

  it('reads a missing parameter as undefined, and sees it once it exists', async () => {
    const ssm = ssmClientFor(local.emulator);
    const read = cachedParameterReader(ssm, 60);

    const missing = await read('/jitr/test/later');
    await ssm.send(new PutParameterCommand({ Name: '/jitr/test/later', Value: 'now', Type: 'String' }));

    expect(missing).toBeUndefined();
    expect(await read('/jitr/test/later')).toBe('now');
  });

  it('rethrows other failures as the SDK raised them', async () => {
    const read = cachedParameterReader(ssmClientFor(local.emulator), 60);

    await expect(read('not a valid name!')).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
