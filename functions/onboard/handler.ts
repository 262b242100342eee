import { dynamoClient } from '../aws/clients.js';
import { MissingEnvironmentError } from '../errors.js';
import { fleetWorkflowDeps } from '../fleet-workflow-deps.js';
import { lambdaEntry } from '../lambda-entry.js';
import type { Telemetry } from '../observability.js';
import { registrationGuard } from './once.js';
import { handleRegisteredEvent, type OnboardDeps } from './run.js';
import { SettledCertificates } from './settled.js';

/** How long a container answers duplicates of a certificate it saw ACTIVE without asking IoT (a storm's backlog). */
const SETTLED_TTL_MS = 15 * 60_000;

/**
 * Dependencies built once per container: clients, configuration and CA caches, the settled-certificate memory, and the
 * idempotency table (JITR_IDEMPOTENCY_TABLE; without it the container refuses to start rather than run unguarded).
 */
function containerDeps(telemetry: Telemetry): OnboardDeps {
  const tableName = process.env.JITR_IDEMPOTENCY_TABLE;
  if (!tableName) throw new MissingEnvironmentError('JITR_IDEMPOTENCY_TABLE');
  return {
    ...fleetWorkflowDeps(telemetry),
    settled: new SettledCertificates(SETTLED_TTL_MS),
    guard: registrationGuard({ tableName, client: dynamoClient() }),
  };
}

/** Lambda entry point: the `$aws/events/certificates/registered/<caId>` event from a JITR topic rule. */
export const handler = lambdaEntry('onboard', containerDeps, handleRegisteredEvent);
