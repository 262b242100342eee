import { PROFILES } from '../../certs/profiles.js';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { checkThingName, flag, oneOf, optionalString } from '../cli/flags.js';
import { progressOn, withClients } from '../operator/command-support.js';
import { type ReadmitResult, type ReadmitTarget, readmit } from '../operator/readmit.js';
import { stageFlag } from '../operator/stage-flags.js';

export const command: Command = {
  path: ['readmit'],
  summary:
    'Undo jitr revoke on purpose: the device id leaves the deny lists and its Thing accepts new certificates again',
  usage: 'Usage: jitr readmit (--thing T | --device-id ID --profile P) [--stage S] [--region R] [--dry-run] [--json]',
  aws: true,
  description:
    'Undoes `jitr revoke` on purpose: the device id leaves the deny lists of the stage, and its Thing is bound to its CA again (or, if it was only a placeholder, deleted so the device onboards afresh). REVOKED certificates stay revoked: AWS IoT never reactivates them; the device comes back with its next new certificate.',
  flags: {
    thing: 'the Thing to readmit (one of --thing, --device-id is required)',
    'device-id': 'a device id (with --profile) (one of --thing, --device-id is required)',
    profile: 'azure-sphere, microchip or generic (with --device-id)',
    stage: 'deployment stage whose deny lists change (default: dev)',
    'dry-run': 'print what would be done and change nothing',
  },
  examples: ['jitr readmit --thing my-thing --stage prod --dry-run'],
  options: {
    thing: { type: 'string' },
    'device-id': { type: 'string' },
    profile: { type: 'string' },
    stage: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(input) {
    const thing = optionalString(input, 'thing');
    const deviceId = optionalString(input, 'device-id');
    const profile = oneOf(input, 'profile', PROFILES);
    if ((thing === undefined) === (deviceId === undefined))
      throw new UsageError('give exactly one of --thing, --device-id');
    let target: ReadmitTarget;
    if (thing !== undefined) target = { thing: checkThingName(thing, '--thing') };
    else if (!profile) throw new UsageError('--device-id needs --profile (azure-sphere, microchip or generic)');
    else target = { deviceId: deviceId as string, profile };
    const result = await withClients(input, (clients) =>
      readmit(clients, {
        target,
        stage: stageFlag(input),
        dryRun: flag(input, 'dry-run'),
        progress: progressOn(input),
      }),
    );
    return { data: result, human: human(result) };
  },
};

function human(result: ReadmitResult): string {
  const would = result.dryRun ? 'would be ' : '';
  const thing = {
    restored: `Thing ${result.deviceId} ${would}bound to its CA again.`,
    deleted: `Placeholder thing ${result.deviceId} ${would}deleted (the device onboards afresh).`,
    'not-marked': `Thing ${result.deviceId} was not marked revoked.`,
    'no-thing': `No thing ${result.deviceId}.`,
  }[result.thing];
  const deny =
    result.removedFrom.length > 0
      ? `${result.deviceId} ${would}taken off the deny list of ${result.removedFrom.length} CA(s).`
      : `${result.deviceId} is on no deny list.`;
  return [thing, deny, 'Its next new certificate is onboarded; REVOKED certificates stay revoked.'].join('\n');
}
