import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { flag } from '../cli/flags.js';
import { table } from '../cli/output.js';
import { progressOn, withClients } from '../operator/command-support.js';
import { type DeprovisionResult, deprovision } from '../operator/deprovision.js';

export const command: Command = {
  path: ['deprovision'],
  summary: 'Detach and revoke a thing’s certificates, delete the thing (and the certificates unless --keep-certs)',
  usage: 'Usage: jitr deprovision THING [--keep-certs] [--dry-run] [--json]',
  options: { 'keep-certs': { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(input) {
    const thingName = input.positionals[0] ?? '';
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(thingName)) throw new UsageError(`"${thingName}" is not a thing name`);
    const result = await withClients(input, (clients) =>
      deprovision(clients, {
        thingName,
        keepCertificates: flag(input, 'keep-certs'),
        dryRun: flag(input, 'dry-run'),
        progress: progressOn(input),
      }),
    );
    return { data: result, human: human(result) };
  },
};

function human(result: DeprovisionResult): string {
  const verb = result.dryRun ? 'Would deprovision' : 'Deprovisioned';
  const rows = result.certificates.map((plan) => [
    plan.certificateId,
    plan.previousStatus,
    plan.actions.map((step) => (step.target ? `${step.action} ${step.target}` : step.action)).join(', '),
  ]);
  const lines = [`${verb} thing ${result.thingName}${result.dryRun ? ' (dry run: nothing changed)' : ''}`];
  if (rows.length > 0) lines.push(table(['CERTIFICATE', 'WAS', 'ACTIONS'], rows));
  else lines.push('No certificates were attached.');
  lines.push(result.dryRun ? 'The thing would be deleted.' : 'The thing is deleted.');
  return lines.join('\n');
}
