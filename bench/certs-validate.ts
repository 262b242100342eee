// Full device-certificate validations per second on one core: the Lambda's hot path. Each validation starts from the
// PEM string DescribeCertificate returns (parse, certificateId, chain, dates, key policy, EKU, identity, deny list)
// against a CA loaded once, as the Lambda caches it. Certificates are spread over the three identity profiles.
// Usage: npm run bench -- certs-validate [--count 10000] [--rounds 5] [--compare] [--fresh] [--sphere-p384]
// The Azure Sphere tenant CA is P-256 by default so the figures compare with earlier runs; --sphere-p384 makes it P-384
// with SHA-384 as Microsoft's are, where OpenSSL's P-384 verification dominates the cost of a validation.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDenyList } from '../certs/deny.js';
import { createFleetCa, type FleetCa, issueFleetDevice } from '../certs/fleet.js';
import { parseCertificate } from '../certs/parse.js';
import { validateDeviceCertificate } from '../certs/validate.js';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`certs-validate: --${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

const count = flag('count', 10_000);
const sphereP384 = process.argv.includes('--sphere-p384');
const rounds = flag('rounds', 5);
const at = new Date();

async function makeDevices(fleet: FleetCa, n: number): Promise<string[]> {
  const pems: string[] = [];
  for (let start = 0; start < n; start += 200) {
    const batch = Array.from({ length: Math.min(200, n - start) }, () => issueFleetDevice(fleet, { days: 30 }));
    pems.push(...(await Promise.all(batch)).map((device) => device.certificatePem));
  }
  return pems;
}

interface Corpus {
  fleets: { profile: FleetCa['profile']; tenantId?: string; certificatePem: string }[];
  devices: { fleet: number; pem: string }[];
}

/** Issuing 10,000 certificates takes a while: the corpus is kept in the temp directory and reused unless --fresh. */
async function corpus(): Promise<Corpus> {
  const path = join(tmpdir(), `jitr-bench-certs-${count}${sphereP384 ? '-p384' : ''}.json`);
  if (existsSync(path) && !process.argv.includes('--fresh')) {
    const cached = JSON.parse(readFileSync(path, 'utf8')) as Corpus;
    const notAfter = new Date(new X509Certificate(cached.devices[0]!.pem).validTo).getTime();
    if (notAfter > at.getTime() + 86_400_000) return cached;
  }
  const started = performance.now();
  const fleets = await Promise.all(
    (['azure-sphere', 'microchip', 'generic'] as const).map((profile) =>
      createFleetCa(profile, profile === 'azure-sphere' ? { keyAlgorithm: sphereP384 ? 'P-384' : 'P-256' } : {}),
    ),
  );
  const devices: Corpus['devices'] = [];
  for (const [i, fleet] of fleets.entries()) {
    const share = Math.floor(count / 3) + (i < count % 3 ? 1 : 0);
    for (const pem of await makeDevices(fleet, share)) devices.push({ fleet: i, pem });
  }
  console.error(
    `issued ${devices.length} device certificates in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const made: Corpus = {
    fleets: fleets.map((f) => ({
      profile: f.profile,
      ...(f.tenantId ? { tenantId: f.tenantId } : {}),
      certificatePem: f.certificatePem,
    })),
    devices,
  };
  writeFileSync(path, JSON.stringify(made));
  return made;
}

const { fleets: fleetList, devices } = await corpus();
const fleets = fleetList.map((f) => ({ ...f, privateKeyPem: '', certificateId: '' }) as FleetCa);
const work = devices.map((device) => ({ pem: device.pem, fleet: fleets[device.fleet]! }));

const issuers = new Map(fleets.map((fleet) => [fleet, parseCertificate(fleet.certificatePem)]));
const deny = createDenyList({ deviceIds: ['denied-device'], serialNumbers: ['01'], certificateIds: ['00'.repeat(32)] });

interface Rate {
  /** Validations per second of wall-clock time. */
  wall: number;
  /** Validations per second of CPU time this process got: the per-core rate even when other jobs share the CPUs. */
  cpu: number;
}

function round(): Rate {
  const begin = performance.now();
  const cpuBegin = process.cpuUsage();
  for (const { pem, fleet } of work) {
    const result = validateDeviceCertificate({
      certificate: pem,
      issuer: issuers.get(fleet)!,
      profile: { profile: fleet.profile, ...(fleet.tenantId ? { tenantId: fleet.tenantId } : {}) },
      at,
      deny,
    });
    if (result.verdict !== 'accept') throw new Error(`unexpected rejection: ${JSON.stringify(result.reasons)}`);
  }
  const cpu = process.cpuUsage(cpuBegin);
  return {
    wall: work.length / ((performance.now() - begin) / 1000),
    cpu: work.length / ((cpu.user + cpu.system) / 1e6),
  };
}

function describe(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${Math.round(median)} validations/s (min ${Math.round(sorted[0]!)}, max ${Math.round(sorted.at(-1)!)})`;
}

round(); // warm-up: JIT and the issuers' cached keys
const results = Array.from({ length: rounds }, round);
console.log(
  `certs-validate: ${work.length} certificates x ${rounds} rounds, one thread, Azure Sphere tenant CA ${sphereP384 ? 'P-384' : 'P-256'}`,
);
console.log(`  wall clock: ${describe(results.map((r) => r.wall))}`);
console.log(`  CPU time:   ${describe(results.map((r) => r.cpu))}`);
console.log(
  `  machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`,
);

if (process.argv.includes('--compare')) {
  // The alternatives the issue asks to choose between, on the same certificates (parse + signature check only).
  const sample = work.slice(0, 2_000);
  const timeIt = (label: string, fn: (pem: string, fleet: FleetCa) => void) => {
    const begin = performance.now();
    for (const { pem, fleet } of sample) fn(pem, fleet);
    const perCert = ((performance.now() - begin) * 1000) / sample.length;
    console.log(`  ${label.padEnd(52)} ${perCert.toFixed(1)} us/certificate`);
  };
  const keys = new Map(fleets.map((fleet) => [fleet, new X509Certificate(fleet.certificatePem).publicKey]));
  console.log('compare (parse + verify signature):');
  timeIt('node:crypto X509Certificate + verify', (pem, fleet) => {
    if (!new X509Certificate(pem).verify(keys.get(fleet)!)) throw new Error('bad signature');
  });
  timeIt('full validateDeviceCertificate (DER reader + crypto.verify)', (pem, fleet) => {
    validateDeviceCertificate({
      certificate: pem,
      issuer: issuers.get(fleet)!,
      profile: { profile: fleet.profile },
      at,
    });
  });
  const { x509 } = await import('../certs/x509-lib.js');
  const peculiarKeys = new Map(
    fleets.map((fleet) => [fleet, new x509.X509Certificate(fleet.certificatePem).publicKey]),
  );
  const begin = performance.now();
  const subset = sample.slice(0, 500);
  for (const { pem, fleet } of subset) {
    const ok = await new x509.X509Certificate(pem).verify({ publicKey: peculiarKeys.get(fleet)!, signatureOnly: true });
    if (!ok) throw new Error('bad signature');
  }
  const perCert = ((performance.now() - begin) * 1000) / subset.length;
  console.log(
    `  ${'@peculiar/x509 X509Certificate + verify (WebCrypto)'.padEnd(52)} ${perCert.toFixed(1)} us/certificate`,
  );
}

if (process.argv.includes('--compare')) {
  // pkijs's chain engine on the same certificates (path building + signatures + dates; none of jitr's other rules).
  const pkijs = await import('pkijs');
  const { webcrypto } = await import('node:crypto');
  pkijs.setEngine(
    'node',
    new pkijs.CryptoEngine({
      crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
      name: 'node',
    }),
  );
  const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const anchors = new Map(fleets.map((fleet) => [fleet, pkijs.Certificate.fromBER(derOf(fleet.certificatePem))]));
  const subset = work.slice(0, 500);
  const begin = performance.now();
  const cpuBegin = process.cpuUsage();
  for (const { pem, fleet } of subset) {
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: [anchors.get(fleet)!],
      certs: [pkijs.Certificate.fromBER(derOf(pem))],
      checkDate: at,
    });
    if (!(await engine.verify()).result) throw new Error('pkijs refused a good certificate');
  }
  const cpu = process.cpuUsage(cpuBegin);
  const perCert = ((performance.now() - begin) * 1000) / subset.length;
  const perCpuSecond = subset.length / ((cpu.user + cpu.system) / 1e6);
  console.log(
    `  ${'pkijs CertificateChainValidationEngine (parse + verify)'.padEnd(52)} ${perCert.toFixed(1)} us/certificate, ${Math.round(perCpuSecond)} per CPU-second`,
  );
}
