import type { FleetConfig } from '../../functions/fleet-config.js';
import { OperatorInputError } from './errors.js';

/**
 * The CAs given with --rollover-from, checked: each must be trusted by this fleet for the same profile and tenant (the
 * Lambda checks a Thing's tenant whatever CA it was bound to, so a rollover cannot cross tenants). Exit 2 otherwise.
 */
export function checkedPredecessors(
  ids: string[],
  config: FleetConfig | undefined,
  self: string,
  expected: { profile: string; tenantId: string | undefined },
): string[] {
  return ids.map((given) => {
    const id = given.toLowerCase();
    if (id === self)
      throw new OperatorInputError('ROLLOVER_FROM_ITSELF', `--rollover-from names the CA itself (${id})`);
    const predecessor = config?.trustedCas.find((entry) => entry.certificateId === id);
    if (!predecessor) {
      throw new OperatorInputError(
        'ROLLOVER_CA_NOT_TRUSTED',
        `--rollover-from ${id}: this fleet does not trust that CA (jitr status lists the trusted CAs)`,
      );
    }
    if (predecessor.profile !== expected.profile || predecessor.tenantId !== expected.tenantId) {
      throw new OperatorInputError(
        'ROLLOVER_PROFILE_MISMATCH',
        `--rollover-from ${id}: that CA is ${predecessor.profile}${predecessor.tenantId ? ` for tenant ${predecessor.tenantId}` : ''}, ` +
          `this one ${expected.profile}${expected.tenantId ? ` for tenant ${expected.tenantId}` : ''}: a rollover keeps both`,
      );
    }
    return id;
  });
}
