import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleetCa, type FleetCa, type FleetProfile, issueFleetDevice } from '../../certs/fleet.js';
import { validateDeviceCertificate } from '../../certs/validate.js';
import type { Command } from '../cli/command.js';
import { table } from '../cli/output.js';

// Interim demo: what is real so far is the certificate toolkit. A later issue replaces this with the onboarding pipeline.
const NOT_BUILT =
  'Onboarding is not built yet: this demo shows only the certificate toolkit (CAs, device certificates, validation).';

interface Row {
  profile: FleetProfile;
  device: string;
  thingName: string | null;
  verdict: 'accept' | 'reject';
  reasons: string[];
}

export const command: Command = {
  path: ['demo'],
  summary: 'Demo what is built so far: fleet CAs, device certificates of each profile, and their validation',
  usage: 'Usage: jitr demo [--json]',
  options: {},
  async run(input) {
    const dir = mkdtempSync(join(tmpdir(), 'jitr-demo-'));
    input.io.stderr.write(`${NOT_BUILT}\nCreating one CA per profile in ${dir} ...\n`);
    const profiles: FleetProfile[] = ['azure-sphere', 'microchip', 'generic'];
    const fleets = await Promise.all(profiles.map((profile) => createFleetCa(profile)));
    const at = new Date();
    const rows: Row[] = [];
    const check = (fleet: FleetCa, issuer: FleetCa, certificatePem: string, label: string) => {
      const result = validateDeviceCertificate({
        certificate: certificatePem,
        issuer: issuer.certificatePem,
        profile: { profile: fleet.profile, ...(fleet.tenantId ? { tenantId: fleet.tenantId } : {}) },
        at,
      });
      writeFileSync(join(dir, `${label}.cert.pem`), certificatePem);
      rows.push({
        profile: fleet.profile,
        device: label,
        thingName: result.thingName ?? null,
        verdict: result.verdict,
        reasons: result.reasons.map((reason) => reason.code),
      });
    };
    for (const fleet of fleets) {
      writeFileSync(join(dir, `${fleet.profile}-ca.cert.pem`), fleet.certificatePem);
      for (let n = 1; n <= 2; n++) {
        const device = await issueFleetDevice(fleet);
        check(fleet, fleet, device.certificatePem, `${fleet.profile}-${n}`);
      }
    }
    // The bad one: an Azure Sphere device whose day-long certificate expired two days ago, checked against the wrong CA.
    const [azure, , genericFleet] = fleets as [FleetCa, FleetCa, FleetCa];
    const expired = await issueFleetDevice(azure, { notBefore: new Date(at.getTime() - 3 * 86_400_000), days: 1 });
    check(azure, genericFleet, expired.certificatePem, 'bad-expired-wrong-ca');

    const human = [
      table(
        ['device', 'profile', 'thing name', 'verdict', 'reasons'],
        rows.map((row) => [
          row.device,
          row.profile,
          shorten(row.thingName ?? '-'),
          row.verdict,
          row.reasons.join(', ') || '-',
        ]),
      ),
      '',
      `Certificates written to ${dir}; inspect one with: jitr cert inspect ${join(dir, 'generic-1.cert.pem')} --ca ${join(dir, 'generic-ca.cert.pem')}`,
      NOT_BUILT,
    ].join('\n');
    return { data: { status: 'certificates-only', onboarding: 'not-built', directory: dir, devices: rows }, human };
  },
};

function shorten(name: string): string {
  return name.length > 24 ? `${name.slice(0, 21)}...` : name;
}
