import { iotClient, ssmClient, ssmParameterReader } from './aws/clients.js';
import { cachedParameterReader } from './aws/parameters.js';
import { s3ObjectReader } from './aws/s3-object.js';
import { httpGet } from './crl/fetch.js';
import { CrlRevocationChecker } from './crl/revocation.js';
import { MissingEnvironmentError } from './errors.js';
import { FleetConfigSource } from './fleet-config.js';
import { iotAdapter } from './onboard/iot-adapter.js';
import { validateWithCerts } from './onboard/validator.js';
import type { WorkflowDeps } from './onboard/workflow.js';
import type { Telemetry } from './observability.js';
import { TtlCache } from './ttl-cache.js';

/** How long a container trusts its fleet configuration and CA descriptions. */
const CACHE_TTL_MS = 60_000;

/** What the onboard and reconcile containers share, so both decide about a certificate in the same way. */
export interface FleetWorkflowDeps extends WorkflowDeps {
  config: FleetConfigSource;
  telemetry: Telemetry;
}

export function fleetWorkflowDeps(telemetry: Telemetry): FleetWorkflowDeps {
  const parameter = process.env.JITR_FLEET_CONFIG_PARAMETER;
  if (!parameter) throw new MissingEnvironmentError('JITR_FLEET_CONFIG_PARAMETER');
  const ssm = ssmClient();
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const crlReaders = {
    http: httpGet,
    ssm: ssmParameterReader(ssm),
    s3: s3ObjectReader({
      region: ssm.config.region,
      credentials: ssm.config.credentials,
      ...(endpoint ? { endpoint } : {}),
    }),
  };
  return {
    iot: iotAdapter(iotClient()),
    config: new FleetConfigSource(parameter, cachedParameterReader(ssmClient(), CACHE_TTL_MS / 1000), CACHE_TTL_MS),
    caCache: new TtlCache(CACHE_TTL_MS),
    validate: validateWithCerts,
    now: Date.now,
    revocation: new CrlRevocationChecker(crlReaders, Date.now, telemetry),
    telemetry,
  };
}
