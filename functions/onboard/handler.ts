import { iotClient, ssmClient, ssmParameterReader } from '../aws/clients.js';
import { MissingEnvironmentError } from '../errors.js';
import { FleetConfigSource } from '../fleet-config.js';
import { errorLine, stdoutEmitter } from '../telemetry.js';
import { TtlCache } from '../ttl-cache.js';
import { iotAdapter } from './iot-adapter.js';
import { handleRegisteredEvent, type OnboardDeps, type OnboardResult } from './run.js';
import { SettledCertificates } from './settled.js';
import { validateWithCerts } from './validator.js';

const CACHE_TTL_MS = 60_000;
/** How long a container answers duplicates of a certificate it saw ACTIVE without asking IoT (a storm's backlog). */
const SETTLED_TTL_MS = 15 * 60_000;
let deps: OnboardDeps | undefined;

/** Dependencies built once per container (clients, configuration and CA caches), on the first invocation. */
function containerDeps(): OnboardDeps {
  if (deps) return deps;
  const parameter = process.env.JITR_FLEET_CONFIG_PARAMETER;
  if (!parameter) throw new MissingEnvironmentError('JITR_FLEET_CONFIG_PARAMETER');
  deps = {
    iot: iotAdapter(iotClient()),
    config: new FleetConfigSource(parameter, ssmParameterReader(ssmClient()), CACHE_TTL_MS),
    caCache: new TtlCache(CACHE_TTL_MS),
    validate: validateWithCerts,
    now: Date.now,
    emit: stdoutEmitter,
    metricsNamespace: process.env.JITR_METRICS_NAMESPACE ?? 'Jitr',
    settled: new SettledCertificates(SETTLED_TTL_MS),
  };
  return deps;
}

/** Lambda entry point: the `$aws/events/certificates/registered/<caId>` event from a JITR topic rule. */
export const handler = async (event: unknown): Promise<OnboardResult> => {
  let built: OnboardDeps;
  try {
    built = containerDeps();
  } catch (error) {
    stdoutEmitter(errorLine('onboard', error, {}));
    throw error;
  }
  return handleRegisteredEvent(event, built);
};
