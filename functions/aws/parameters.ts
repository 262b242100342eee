import type { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { ParameterReader } from '../fleet-config.js';

/**
 * A parameter's text through Powertools Parameters: kept `maxAgeSeconds` per container, so a warm container reads SSM
 * at most once a minute however many events it handles. A missing parameter reads as undefined and is not cached (a
 * parameter created later is seen at the next invocation). Other failures are rethrown as the SDK raised them (Powertools
 * wraps them in GetParameterError), so their name and code reach the error line unchanged.
 */
export function cachedParameterReader(client: SSMClient, maxAgeSeconds: number): ParameterReader {
  const provider = new SSMProvider({ awsSdkV3Client: client });
  return async (name) => {
    try {
      return await provider.get(name, { maxAge: maxAgeSeconds });
    } catch (error) {
      const cause = (error as { cause?: { name?: unknown } }).cause;
      if (cause?.name === 'ParameterNotFound') return undefined;
      throw cause ?? error;
    }
  };
}
