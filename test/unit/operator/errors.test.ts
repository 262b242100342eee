import { describe, expect, it } from 'vitest';
import { CliError } from '../../../scripts/cli/errors.js';
import { asCliError } from '../../../scripts/operator/errors.js';

/** SDK failures the emulator cannot produce (no region, no credentials), built the way the SDK shapes them. */
describe('asCliError', () => {
  it.each([
    [new Error('Region is missing'), 'AWS_REGION_MISSING', 2],
    [new Error('Region not accepted: region="" is not a valid hostname component.'), 'AWS_REGION_MISSING', 2],
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'AWS_CREDENTIALS_MISSING',
      2,
    ],
    [
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
      'AWS_AccessDeniedException',
      1,
    ],
    [new Error('socket hang up'), 'AWS_FAILURE', 1],
  ])('maps %s to %s (exit %i)', (error, code, exitCode) => {
    const mapped = asCliError(error, 'DescribeEndpoint');

    expect(mapped).toMatchObject({ code, exitCode });
    expect(mapped.message).toMatch(/^DescribeEndpoint: /);
  });

  it('lets errors that already carry a CLI code through', () => {
    const original = new CliError('THING_NOT_FOUND', 'x', 2);

    expect(asCliError(original, 'anything')).toBe(original);
  });
});
