import { PROFILES } from '../../certs/profiles.js';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { checkThingName, flag, oneOf, optionalString } from '../cli/flags.js';
import { progressOn, withClients } from '../operator/command-support.js';
import { type RevokeResult, type RevokeTarget, revoke } from '../operator/revoke.js';
import { stageFlag } from '../operator/stage-flags.js';

export const command: Command = {
  path: ['revoke'],
  summary: 'Revoke a device for good: REVOKED certificates, its device id on the deny list, its Thing marked revoked',
  usage:
    'Usage: jitr revoke (--thing T | --certificate-id ID | --device-id ID --profile P) [--reason TEXT] [--stage S] [--region R] [--dry-run] [--json]',
  aws: true,
  description:
    'Revokes a device for good: every certificate of the Thing (or the one named) becomes REVOKED, which AWS IoT never undoes, and the device id and certificateIds go on the deny list of the fleet configuration of the stage, so that a new certificate for the same device is refused too.',
  flags: {
    thing: 'the Thing to revoke (one of --thing, --certificate-id, --device-id is required)',
    'certificate-id': 'one certificate, 64 hex digits (one of --thing, --certificate-id, --device-id is required)',
    'device-id': 'a device id (with --profile), e.g. before it ever connects',
    profile: 'azure-sphere, microchip or generic (with --device-id)',
    reason: 'why, for the progress log (default: none)',
    stage: 'deployment stage whose deny list changes (default: dev)',
    'dry-run': 'print what would be done and change nothing',
  },
  examples: [
    'jitr revoke --thing my-thing --reason "stolen"',
    'jitr revoke --device-id SN0123 --profile microchip --dry-run',
  ],
  options: {
    thing: { type: 'string' },
    'certificate-id': { type: 'string' },
    'device-id': { type: 'string' },
    profile: { type: 'string' },
    reason: { type: 'string' },
    stage: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(input) {
    const target = targetOf(
      optionalString(input, 'thing'),
      optionalString(input, 'certificate-id'),
      optionalString(input, 'device-id'),
      oneOf(input, 'profile', PROFILES),
    );
    const reason = optionalString(input, 'reason');
    const stage = stageFlag(input);
    const progress = progressOn(input);
    if (reason !== undefined) progress(`reason: ${reason}`);
    const result = await withClients(input, (clients) =>
      revoke(clients, {
        target,
        stage,
        dryRun: flag(input, 'dry-run'),
        progress,
        ...(reason !== undefined ? { reason } : {}),
      }),
    );
    return { data: result, human: human(result) };
  },
};

function targetOf(
  thing: string | undefined,
  certificateId: string | undefined,
  deviceId: string | undefined,
  profile: (typeof PROFILES)[number] | undefined,
): RevokeTarget {
  const given = [thing, certificateId, deviceId].filter((value) => value !== undefined).length;
  if (given !== 1) throw new UsageError('give exactly one of --thing, --certificate-id, --device-id');
  if (thing !== undefined) return { thing: checkThingName(thing, '--thing') };
  if (certificateId !== undefined) return { certificateId };
  if (!profile) throw new UsageError('--device-id needs --profile (azure-sphere, microchip or generic)');
  return { deviceId: deviceId as string, profile };
}

function human(result: RevokeResult): string {
  const would = result.dryRun ? 'would be ' : '';
  const lines = [
    result.revoked.length > 0
      ? `${result.revoked.length} certificate(s) ${would}revoked: ${result.revoked.map((c) => c.certificateId).join(', ')}`
      : 'No certificate left to revoke.',
  ];
  if (result.alreadyRevoked.length > 0) lines.push(`Already revoked: ${result.alreadyRevoked.join(', ')}`);
  const entries = [...result.denied.deviceIds, ...result.denied.certificateIds];
  lines.push(
    result.fleetConfigChanged
      ? `Deny list of ${result.deniedIn.length} CA(s) ${result.dryRun ? 'would gain' : 'gained'}: ${entries.join(', ')}`
      : `Deny list unchanged${entries.length > 0 ? ` (already holds ${entries.join(', ')})` : ''}.`,
  );
  if (result.thing !== undefined) {
    lines.push(
      {
        marked: `Thing ${result.deviceId} ${result.dryRun ? 'would be' : 'is'} marked revoked: no new certificate joins it until jitr readmit.`,
        created: `Thing ${result.deviceId} ${result.dryRun ? 'would be' : 'was'} created to hold the revoked mark.`,
        'already-marked': `Thing ${result.deviceId} was already marked revoked.`,
      }[result.thing],
    );
  }
  if (result.dryRun) lines.push('Dry run: nothing changed.');
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}
