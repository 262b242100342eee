import { ssmParameterReader } from '../../functions/aws/clients.js';
import { FleetConfigSource } from '../../functions/fleet-config.js';
import { iotAdapter } from '../../functions/onboard/iot-adapter.js';
import type { OnboardDeps } from '../../functions/onboard/run.js';
import { validateWithCerts } from '../../functions/onboard/validator.js';
import type { Telemetry } from '../../functions/observability.js';
import { TtlCache } from '../../functions/ttl-cache.js';
import type { OperatorClients } from '../aws/clients.js';

/**
 * What an operator tool running the workflow in-process logs: nothing. Its decisions are the command's own output
 * (`jitr replay --json`), and an operator's run must not count into the fleet's CloudWatch metrics.
 */
export const quietTelemetry: Telemetry = {
  decision: () => {},
  failure: () => {},
  warn: () => {},
  info: () => {},
};

/**
 * The onboard Lambda's dependencies, built from the CLI's clients instead of the Lambda's environment: `jitr replay`
 * runs the very same workflow in-process (adapter here because functions/onboard/handler.ts builds its deps from
 * process.env once per container).
 */
export function onboardDeps(
  clients: OperatorClients,
  fleetConfigParameter: string,
  telemetry: Telemetry = quietTelemetry,
): OnboardDeps {
  return {
    iot: iotAdapter(clients.iot),
    // TTL 0: a replay must see the configuration as it is now (an operator just fixed it).
    config: new FleetConfigSource(fleetConfigParameter, ssmParameterReader(clients.ssm), 0),
    caCache: new TtlCache(60_000),
    validate: validateWithCerts,
    now: Date.now,
    telemetry,
  };
}
