import type { Command } from '../cli/command.js';
import { table } from '../cli/output.js';
import { progressOn, short, withClients } from '../operator/command-support.js';
import { pendingAfterMs, stageFlag } from '../operator/stage-flags.js';
import { type Survey, surveyDeployment } from '../operator/survey.js';

export const command: Command = {
  path: ['status'],
  summary: 'Per trusted CA: status, auto-registration, certificates by status, things, certificates pending too long',
  usage: 'Usage: jitr status [--stage S] [--pending-minutes N] [--json]',
  aws: true,
  description:
    'Surveys one stage of the deployment: per trusted CA of the fleet configuration, its registration, auto-registration, topic rule, certificates by status, Things, and certificates stuck in PENDING_ACTIVATION; then the dead-letter queue. Reads only.',
  flags: {
    stage: 'deployment stage (default: dev)',
    'pending-minutes': 'a certificate pending longer than this is stuck (default: 30)',
  },
  examples: ['jitr status', 'jitr status --stage prod --region eu-west-1 --json'],
  options: { stage: { type: 'string' }, 'pending-minutes': { type: 'string' } },
  async run(input) {
    const stage = stageFlag(input);
    const survey = await withClients(input, (clients) =>
      surveyDeployment(clients, { stage, pendingAfterMs: pendingAfterMs(input), progress: progressOn(input) }),
    );
    const data = statusDocument(survey);
    return { data, human: humanStatus(data) };
  },
};

export function statusDocument(survey: Survey) {
  return {
    stage: survey.deployment.stage,
    region: survey.deployment.region,
    accountId: survey.deployment.accountId,
    fleetConfig: {
      parameter: survey.deployment.fleetConfigParameter,
      state: survey.fleetConfig.state,
      ...(survey.fleetConfig.state === 'invalid' ? { problem: survey.fleetConfig.message } : {}),
    },
    cas: survey.cas.map((ca) => ({
      certificateId: ca.trusted.certificateId,
      ...(ca.trusted.label !== undefined ? { label: ca.trusted.label } : {}),
      profile: ca.trusted.profile,
      status: ca.ca?.status ?? 'NOT_REGISTERED',
      autoRegistration: ca.ca?.autoRegistrationStatus ?? 'DISABLE',
      notAfter: ca.ca?.validity?.notAfter?.toISOString(),
      rule: ca.rule ? (ca.rule.ruleDisabled ? 'disabled' : 'enabled') : 'missing',
      certificates: ca.certificatesByStatus,
      things: ca.things,
      pendingTooLong: ca.stuckPending.map((pending) => ({
        certificateId: pending.certificateId,
        registeredAt: new Date(pending.registeredAt).toISOString(),
      })),
    })),
    deadLetterQueue: {
      name: survey.deployment.deadLetterQueueName,
      exists: survey.deadLetterQueue.url !== undefined,
      messages: survey.deadLetterQueue.visible + survey.deadLetterQueue.inFlight,
    },
  };
}

function humanStatus(data: ReturnType<typeof statusDocument>): string {
  const count = (certificates: Record<string, number>, status: string) => certificates[status] ?? 0;
  const rows = data.cas.map((ca) => [
    short(ca.certificateId),
    ca.label ?? ca.profile,
    ca.status,
    ca.autoRegistration,
    ca.rule,
    count(ca.certificates, 'ACTIVE'),
    count(ca.certificates, 'PENDING_ACTIVATION'),
    count(ca.certificates, 'REVOKED'),
    count(ca.certificates, 'INACTIVE'),
    ca.things,
    ca.pendingTooLong.length,
  ]);
  const lines = [
    `Stage ${data.stage} in ${data.region} (account ${data.accountId}); fleet configuration ${data.fleetConfig.parameter}: ${data.fleetConfig.state}`,
  ];
  if (rows.length > 0) {
    lines.push(
      table(
        ['CA', 'LABEL', 'STATUS', 'AUTO-REG', 'RULE', 'ACTIVE', 'PENDING', 'REVOKED', 'INACTIVE', 'THINGS', 'STUCK'],
        rows,
      ),
    );
  } else lines.push('No trusted CA.');
  const dlq = data.deadLetterQueue;
  lines.push(`Dead-letter queue ${dlq.name}: ${dlq.exists ? `${dlq.messages} message(s)` : 'does not exist'}`);
  return lines.join('\n');
}
