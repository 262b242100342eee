import type { Command } from '../cli/command.js';
import { checkThingName, flag } from '../cli/flags.js';
import { table } from '../cli/output.js';
import { progressOn, withClients } from '../operator/command-support.js';
import { type DeprovisionResult, deprovision } from '../operator/deprovision.js';
import { stageFlag } from '../operator/stage-flags.js';

export const command: Command = {
  path: ['deprovision'],
  summary: 'Detach and revoke a thing’s certificates, delete the thing (and the certificates unless --keep-certs)',
  usage: 'Usage: jitr deprovision THING [--keep-certs] [--dry-run] [--stage S] [--region R] [--json]',
  aws: true,
  description:
    'Takes one Thing out of service: revokes its certificates (connections stop at once), detaches their policies and the Thing, deletes the certificates (unless --keep-certs) and the Thing. The device can no longer connect; to also keep it from onboarding again, use `jitr revoke`.',
  flags: {
    'keep-certs': 'keep the (revoked, detached) certificates instead of deleting them (default: delete)',
    'dry-run': 'print what would be done and change nothing',
    stage: 'deployment stage, reported with the result (default: dev); Things belong to the account',
  },
  examples: ['jitr deprovision my-thing --dry-run', 'jitr deprovision my-thing --stage prod --region eu-west-1'],
  options: { 'keep-certs': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, stage: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(input) {
    const thingName = checkThingName(input.positionals[0] ?? '', 'THING');
    const stage = stageFlag(input);
    const result = await withClients(input, (clients) =>
      deprovision(clients, {
        thingName,
        keepCertificates: flag(input, 'keep-certs'),
        dryRun: flag(input, 'dry-run'),
        progress: progressOn(input),
      }),
    );
    return { data: { ...result, stage }, human: human(result) };
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
