import { table } from '../cli/output.js';
import { formatReport, reportDocument } from '../simulator/summary.js';
import type { DemoResult } from './run.js';

/** What people see at the end of `jitr demo`. */
export function formatDemo(result: DemoResult): string {
  const lines = [
    'Trusted CAs (jitr preconfigure):',
    table(
      ['role', 'profile', 'CA certificateId', 'tenant'],
      result.cas.map((ca) => [ca.role, ca.profile, `${ca.certificateId.slice(0, 16)}…`, ca.tenantId ?? '-']),
    ),
    '',
    'Fleet (every device dropped on first contact, onboarded by the Lambda, back online):',
    formatReport(result.fleet),
    '',
    'Bad devices:',
    table(
      ['device', 'outcome', 'reason', 'what it is'],
      [
        ...result.verdicts.map((v) => [
          v.label,
          v.outcome,
          [v.reason ?? '-', ...(v.onboardReasons ? [`onboard: ${v.onboardReasons.join(', ')}`] : [])].join(' / '),
          v.story,
        ]),
        [
          'rightful owner',
          result.rightfulOwnerOnline ? 'online' : 'NOT online',
          '-',
          'the device whose id was claimed reconnects',
        ],
      ],
    ),
    '',
    '$ jitr status',
    result.status.human ?? JSON.stringify(result.status.data, null, 2),
    '',
    verdictLine(result),
  ];
  return lines.join('\n');
}

export function verdictLine(result: DemoResult): string {
  const rejected = result.verdicts.filter((v) => v.outcome === 'rejected').length;
  return (
    `${result.ok ? 'OK' : 'NOT OK'}: ${result.fleet.boot.online}/${result.fleet.boot.devices} good devices online, ` +
    `${rejected}/${result.verdicts.length} bad devices rejected, in ${(result.durationMs / 1000).toFixed(1)} s`
  );
}

/** `jitr demo --json`: one document. */
export function demoDocument(result: DemoResult) {
  const { results: _fleetResults, ...fleet } = reportDocument(result.fleet);
  return {
    ok: result.ok,
    durationMs: result.durationMs,
    cas: result.cas,
    fleet,
    badDevices: result.verdicts,
    rightfulOwnerOnline: result.rightfulOwnerOnline,
    status: result.status.data,
  };
}
