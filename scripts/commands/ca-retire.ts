import type { Command } from '../cli/command.js';
import { flag } from '../cli/flags.js';
import { readCaCertificate } from '../operator/ca-input.js';
import { type RetireResult, retireCa } from '../operator/ca-retire.js';
import { progressOn, readBytes, withClients } from '../operator/command-support.js';
import { stageFlag } from '../operator/stage-flags.js';

export const command: Command = {
  path: ['ca', 'retire'],
  summary: 'Retire a CA its devices have moved away from: untrust, deactivate, delete its rule and registration',
  usage: 'Usage: jitr ca retire CA_ID_OR_FILE [--stage S] [--region R] [--dry-run] [--json]',
  aws: true,
  description:
    "Retires a CA whose devices have moved to a successor: takes it out of the stage's fleet configuration, deactivates it (auto-registration off), deletes its topic rule and its registration. Refuses (CA_STILL_IN_USE, exit 1, nothing changed) while a certificate of the CA is ACTIVE or pending, or Things bound to it have no successor CA (jitr preconfigure --rollover-from).",
  flags: {
    stage: 'deployment stage whose fleet configuration trusts the CA (default: dev)',
    'dry-run': 'print what would be done and change nothing',
  },
  examples: ['jitr ca retire old-tenant-ca.cer --stage prod --dry-run'],
  options: { stage: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(input) {
    const given = input.positionals[0] ?? '';
    const caCertificateId = /^[0-9a-fA-F]{64}$/.test(given)
      ? given.toLowerCase()
      : readCaCertificate(readBytes(given, 'CA certificate'), given).certificateId;
    const result = await withClients(input, (clients) =>
      retireCa(clients, {
        caCertificateId,
        stage: stageFlag(input),
        dryRun: flag(input, 'dry-run'),
        progress: progressOn(input),
      }),
    );
    return { data: result, human: human(result) };
  },
};

function human(result: RetireResult): string {
  const would = result.dryRun ? 'would be ' : '';
  const lines = [
    `CA ${result.caCertificateId} ${would}retired:`,
    `  fleet configuration: ${result.untrusted ? `${would}no longer trusted` : 'was not trusted'}`,
    `  registration: ${{ deleted: `${would}deleted`, inactive: 'INACTIVE (AWS keeps it)', absent: 'none' }[result.registration]}`,
  ];
  if (result.boundThings > 0) {
    lines.push(`  ${result.boundThings} thing(s) stay bound to it, taken over by ${result.successors.join(', ')}`);
  }
  if (result.dryRun) lines.push('Dry run: nothing changed.');
  return lines.join('\n');
}
