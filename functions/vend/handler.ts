import { DeleteParameterCommand, GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { iotClient, ssmClient } from '../aws/clients.js';
import { cachedParameterReader } from '../aws/parameters.js';
import { lambdaEntry } from '../lambda-entry.js';
import { MissingEnvironmentError } from '../errors.js';
import type { Telemetry } from '../observability.js';
import type { SecretStore } from './auth.js';
import { balenaApi } from './balena-api.js';
import { VendConfigSource } from './config.js';
import { vendIotAdapter } from './iot-adapter.js';
import { handleVendRequest, type VendDeps } from './run.js';

/** SecureStrings read with decryption (the token records, the balenaCloud token); a missing one reads as undefined. */
export function ssmSecretStore(client: SSMClient): SecretStore {
  const missing = (error: unknown) => (error as { name?: unknown })?.name === 'ParameterNotFound';
  return {
    async read(name) {
      try {
        const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        return Parameter?.Value;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async remove(name) {
      try {
        await client.send(new DeleteParameterCommand({ Name: name }));
      } catch (error) {
        if (!missing(error)) throw error;
      }
    },
  };
}

/** How long a container keeps the vending configuration (a change shows within this). */
const VEND_CONFIG_MAX_AGE_S = 30;

/** Dependencies built once per container (by lambdaEntry): clients, configuration, secrets. */
function containerDeps(telemetry: Telemetry): VendDeps {
  const configParameter = process.env.JITR_VEND_CONFIG_PARAMETER;
  if (!configParameter) throw new MissingEnvironmentError('JITR_VEND_CONFIG_PARAMETER');
  const tokenPrefix = process.env.JITR_VEND_TOKEN_PREFIX;
  if (!tokenPrefix) throw new MissingEnvironmentError('JITR_VEND_TOKEN_PREFIX');
  return {
    config: new VendConfigSource(configParameter, cachedParameterReader(ssmClient(), VEND_CONFIG_MAX_AGE_S)),
    iot: vendIotAdapter(iotClient()),
    secrets: ssmSecretStore(ssmClient()),
    tokenPrefix,
    balenaApi: (apiUrl) => balenaApi(apiUrl),
    now: Date.now,
    telemetry,
  };
}

/** Lambda entry point: `POST /devices` and `DELETE /devices/{deviceId}` of the HTTP API (payload format 2.0). */
export const handler = lambdaEntry('vend', containerDeps, handleVendRequest);
