import { checkDeviceId } from '../../functions/vend/request.js';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { requiredString } from '../cli/flags.js';
import { withClients } from '../operator/command-support.js';
import { stageFlag } from '../operator/stage-flags.js';
import { createClaimToken } from '../operator/tokens.js';

export const command: Command = {
  path: ['token', 'create'],
  summary: 'Make a claim token for one device of the vending endpoint (POST /devices, DELETE /devices/ID)',
  usage: `Usage: jitr token create --device-id ID [--stage S] [--json]

Prints a token for that device only: it sends "Authorization: Bearer <token>" to POST /devices and DELETE /devices/ID.
Only the token's SHA-256 is stored (SSM SecureString /jitr/<stage>/vend/tokens/<id>); a new token voids the previous
one, and DELETE voids it. The token is printed once: keep it with the device.`,
  aws: true,
  description:
    'Prints a claim token for one device of the vending endpoint: it sends "Authorization: Bearer <token>" to POST /devices and DELETE /devices/ID. Only the token\'s SHA-256 is stored (SSM SecureString /jitr/<stage>/vend/tokens/<id>); a new token voids the previous one, and DELETE voids it. The token is printed once: keep it with the device.',
  flags: {
    'device-id': 'the device the token is for (required)',
    stage: 'deployment stage (default: dev)',
  },
  examples: ['TOKEN=$(jitr token create --device-id dev-1 --json | jq -r .token)'],
  options: {
    'device-id': { type: 'string' },
    stage: { type: 'string' },
  },
  async run(input) {
    const deviceId = requiredString(input, 'device-id');
    try {
      checkDeviceId(deviceId, 'device-id');
    } catch (error) {
      throw new UsageError(`--${(error as Error).message}`);
    }
    const stage = stageFlag(input);
    const created = await withClients(input, (clients) => createClaimToken(clients.ssm, { stage, deviceId }));
    return {
      data: { deviceId: created.deviceId, token: created.token, parameter: created.parameter, stage },
      human: `${created.token}\n(device ${created.deviceId}; hash stored in ${created.parameter}; shown once)`,
    };
  },
};
