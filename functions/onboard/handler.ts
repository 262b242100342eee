import { fleetWorkflowDeps } from '../fleet-workflow-deps.js';
import { lambdaEntry } from '../lambda-entry.js';
import { handleRegisteredEvent, type OnboardDeps } from './run.js';
import { SettledCertificates } from './settled.js';

/** How long a container answers duplicates of a certificate it saw ACTIVE without asking IoT (a storm's backlog). */
const SETTLED_TTL_MS = 15 * 60_000;

/** Dependencies built once per container: clients, configuration and CA caches, the settled-certificate memory. */
function containerDeps(): OnboardDeps {
  return { ...fleetWorkflowDeps(), settled: new SettledCertificates(SETTLED_TTL_MS) };
}

/** Lambda entry point: the `$aws/events/certificates/registered/<caId>` event from a JITR topic rule. */
export const handler = lambdaEntry('onboard', containerDeps, handleRegisteredEvent);
