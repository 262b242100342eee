import { DescribeEndpointCommand } from '@aws-sdk/client-iot';
import type { OperatorClients } from '../aws/clients.js';
import { CliError, ExitCode, UsageError } from '../cli/errors.js';
import { fleetConfigParameterName } from './deployment.js';
import { aws } from './errors.js';
import { readFleetConfig } from './fleet-config-store.js';

/** The account's device endpoint: what devices connect to and send as SNI. */
export async function dataAtsEndpoint(clients: OperatorClients): Promise<string> {
  let endpointAddress: string | undefined;
  try {
    ({ endpointAddress } = await aws('DescribeEndpoint iot:Data-ATS', () =>
      clients.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' })),
    ));
  } catch (error) {
    throw noEndpoint((error as Error).message, error);
  }
  if (!endpointAddress) throw noEndpoint('DescribeEndpoint returned no address');
  return endpointAddress;
}

/** The device endpoint could not be found: the same code and exit as `jitr simulate` (NO_ENDPOINT, exit 2). */
function noEndpoint(why: string, cause?: unknown): CliError {
  return new CliError(
    'NO_ENDPOINT',
    `no --endpoint, and ${why}; pass --endpoint HOST (or set JITR_LOCAL)`,
    ExitCode.usage,
    {
      cause,
    },
  );
}

/** The tenant of the only Azure Sphere CA in the fleet configuration, when there is exactly one. */
export async function soleAzureSphereTenant(clients: OperatorClients, stage: string): Promise<string> {
  const state = await readFleetConfig(clients.ssm, fleetConfigParameterName(stage));
  const tenants =
    state.state === 'valid'
      ? [
          ...new Set(
            state.config.trustedCas.flatMap((ca) =>
              ca.profile === 'azure-sphere' && ca.tenantId ? [ca.tenantId] : [],
            ),
          ),
        ]
      : [];
  if (tenants.length !== 1) {
    throw new UsageError(
      `--tenant-id is required: the fleet configuration of stage ${stage} names ${tenants.length} Azure Sphere tenants`,
    );
  }
  return tenants[0] as string;
}
