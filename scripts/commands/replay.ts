import type { Command } from '../cli/command.js';
import { ExitCode } from '../cli/errors.js';
import { flag, optionalInteger } from '../cli/flags.js';
import { table } from '../cli/output.js';
import { progressOn, short, withClients } from '../operator/command-support.js';
import { type ReplayResult, replay } from '../operator/replay.js';
import { stageFlag } from '../operator/stage-flags.js';

export const command: Command = {
  path: ['replay'],
  summary: 'Re-drive dead-lettered onboarding events through the workflow; succeeded messages are deleted',
  usage: 'Usage: jitr replay [--max N] [--stage S] [--dry-run] [--json]   (exit 1 when a message still fails)',
  aws: true,
  description:
    "Reads the stage's dead-letter queue (onboarding events whose Lambda run failed twice, and rule errors) and runs each event through the same onboarding workflow; a message that succeeds is deleted, one that fails again is kept. Exit 1 when a message still fails.",
  flags: {
    max: 'messages to examine at most (default: 1000)',
    stage: 'deployment stage (default: dev)',
    'dry-run': 'examine and classify the messages, replay and delete none: change nothing',
  },
  examples: ['jitr replay --dry-run', 'jitr replay --stage prod --max 100'],
  options: { max: { type: 'string' }, stage: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(input) {
    const stage = stageFlag(input);
    const max = optionalInteger(input, 'max', { min: 1, max: 100_000 }) ?? 1000;
    const result = await withClients(input, (clients) =>
      replay(clients, { stage, max, dryRun: flag(input, 'dry-run'), progress: progressOn(input) }),
    );
    const failed = result.messages.some(
      (message) => message.outcome === 'failed' || message.outcome === 'unrecognised',
    );
    return { data: result, human: human(result), exitCode: failed ? ExitCode.failure : ExitCode.ok };
  },
};

function human(result: ReplayResult): string {
  if (result.examined === 0) return `The dead-letter queue ${result.queue} has no message to replay.`;
  const rows = result.messages.map((message) => [
    message.messageId,
    message.kind,
    short(message.certificateId),
    message.outcome,
    message.decision ?? '',
    message.outcome === 'succeeded' ? '' : (message.detail ?? ''),
  ]);
  return [
    table(['MESSAGE', 'KIND', 'CERTIFICATE', 'OUTCOME', 'DECISION', 'DETAIL'], rows),
    result.dryRun
      ? `Dry run: ${result.examined} message(s) examined, nothing replayed or deleted.`
      : `${result.succeeded} of ${result.examined} replayed and deleted; ${result.kept} kept in ${result.queue}.`,
  ].join('\n');
}
