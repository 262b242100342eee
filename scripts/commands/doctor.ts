import type { Command } from '../cli/command.js';
import { ExitCode } from '../cli/errors.js';
import { progressOn, withClients } from '../operator/command-support.js';
import { diagnose, type Finding } from '../operator/diagnose.js';
import { functionArnFlag, pendingAfterMs, stageFlag } from '../operator/stage-flags.js';
import { surveyDeployment } from '../operator/survey.js';

export const command: Command = {
  path: ['doctor'],
  summary: "Find why devices don't onboard, each finding with its fix (exit 1 when an error is found)",
  usage: 'Usage: jitr doctor [--stage S] [--function-arn ARN] [--pending-minutes N] [--json]',
  aws: true,
  description:
    'Surveys one stage (as `jitr status`) and reports every reason devices would not onboard (a CA not registered or without auto-registration, a missing or disabled rule, a fleet configuration that does not parse, certificates stuck pending, messages in the dead-letter queue...), each with the command that fixes it for that stage and region. Reads only. Exit 1 when a finding is an error.',
  flags: {
    stage: 'deployment stage (default: dev)',
    'function-arn': 'the onboard function the rules should invoke (default: jitr-<stage>-onboard of the account)',
    'pending-minutes': 'a certificate pending longer than this is stuck (default: 30)',
  },
  examples: ['jitr doctor', 'jitr doctor --stage prod --region eu-west-1'],
  options: { stage: { type: 'string' }, 'function-arn': { type: 'string' }, 'pending-minutes': { type: 'string' } },
  async run(input) {
    const stage = stageFlag(input);
    const functionArn = functionArnFlag(input);
    const survey = await withClients(input, (clients) =>
      surveyDeployment(clients, {
        stage,
        pendingAfterMs: pendingAfterMs(input),
        progress: progressOn(input),
        lifecycle: true,
        ...(functionArn !== undefined ? { functionArn } : {}),
      }),
    );
    const findings = diagnose(survey);
    const errors = findings.filter((finding) => finding.severity === 'error').length;
    const data = {
      healthy: findings.length === 0,
      stage,
      trustedCas: survey.cas.length,
      errors,
      warnings: findings.length - errors,
      findings,
    };
    return {
      data,
      human: humanFindings(stage, survey.cas.length, findings),
      exitCode: errors > 0 ? ExitCode.failure : ExitCode.ok,
    };
  },
};

function humanFindings(stage: string, cas: number, findings: Finding[]): string {
  if (findings.length === 0) return `Healthy: stage ${stage}, ${cas} trusted CA(s), nothing to fix.`;
  const lines = [`${findings.length} finding(s) for stage ${stage}:`];
  for (const finding of findings) {
    lines.push(`${finding.severity.toUpperCase()} ${finding.code} (${finding.subject})`);
    lines.push(`  ${finding.message}`);
    lines.push(`  fix: ${finding.fix}`);
  }
  return lines.join('\n');
}
