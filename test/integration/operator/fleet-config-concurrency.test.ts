import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFleetCa } from '../../../certs/fleet.js';
import { type FleetConfig, parseFleetConfigJson } from '../../../functions/fleet-config.js';
import { lockParameterName } from '../../../scripts/operator/fleet-config-lock.js';
import { updateFleetConfig, writeFleetConfig } from '../../../scripts/operator/fleet-config-store.js';
import { addToDenyList } from '../../../scripts/operator/fleet-merge.js';
import { withEmulator } from '../../helpers/aws.js';
import { jitr, scratchDir } from './cli-harness.js';
import { deployStage, operatorClients, preconfiguredCa } from './operator-fixture.js';

const NAME = '/jitr/dev/fleet-config';

// Concurrent writers of the fleet configuration (jitr preconfigure, revoke, ca retire, readmit all go through
// updateFleetConfig), with the real SDK against the emulator's SSM and its injected delays: every writer either lands its
// change or fails with FLEET_CONFIG_CONTENDED having changed nothing.
describe('fleet configuration: concurrent writers', () => {
  // IAM on: the commands run as the operator identity, whose grants are docs/operator-policy.json.
  const local = withEmulator({ iam: 'on' });
  let caId = '';
  const ssm = () => operatorClients(local.emulator).ssm;
  const stored = () => parseFleetConfigJson(local.emulator.store.parameters.get(NAME)?.value ?? '');
  const denied = () => stored().trustedCas[0]?.deny.deviceIds ?? [];
  const denyDevice = (deviceId: string, options: Parameters<typeof updateFleetConfig>[3] = {}) =>
    updateFleetConfig(
      ssm(),
      NAME,
      (current) => (current ? addToDenyList(current, [caId], { deviceIds: [deviceId] }) : undefined),
      options,
    );

  beforeEach(async () => {
    const ca = await createFleetCa('generic');
    caId = ca.certificateId;
    const config: FleetConfig = {
      version: 1,
      trustedCas: [
        {
          certificateId: caId,
          profile: 'generic',
          policyName: 'jitr-device',
          rotationGraceHours: 48,
          maxCertificatesPerThing: 4,
          deny: { deviceIds: [], serialNumbers: [], certificateIds: [] },
          rolloverFrom: [],
        },
      ],
    };
    await writeFleetConfig(ssm(), NAME, config);
  });

  it('six writers started together all land', async () => {
    const ids = ['w-1', 'w-2', 'w-3', 'w-4', 'w-5', 'w-6'];

    await Promise.all(ids.map((id) => denyDevice(id)));

    expect([...denied()].sort()).toEqual(ids);
    expect(local.emulator.store.parameters.get(lockParameterName(NAME))).toBeUndefined();
  });

  it('a writer whose write is delayed 1.5 s holds the lease meanwhile: the other waits, and both land', async () => {
    local.emulator.faults.delayNext('PutParameter', 1_500, NAME);

    const results = await Promise.allSettled([denyDevice('slow'), denyDevice('fast')]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect([...denied()].sort()).toEqual(['fast', 'slow']);
  });

  it('a write that lands after its lease expired is caught by its version and the overwritten change re-applied', async () => {
    // Lease of 300 ms, first write held 1.5 s: the second writer takes the expired lease, writes and finishes while
    // the first write is still in flight; the late write then replaces the second writer's document.
    local.emulator.faults.delayNext('PutParameter', 1_500, NAME);
    const short = { ttlMs: 300, waitMs: 10_000 };
    const before = local.emulator.store.parameters.get(NAME)?.version ?? 0;
    const first = denyDevice('stalled', short);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const results = await Promise.allSettled([first, denyDevice('second', short)]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect([...denied()].sort()).toEqual(['second', 'stalled']);
    // The history shows the late write (it replaced "second") and the repair on top of it.
    expect(local.emulator.store.parameters.get(NAME)?.version).toBe(before + 3);
  });

  it('a command that cannot get the lease fails with FLEET_CONFIG_CONTENDED and changes nothing', async () => {
    const before = local.emulator.store.parameters.get(NAME)?.version;
    await ssm().send(
      new PutParameterCommand({
        Name: lockParameterName(NAME),
        Type: 'String',
        Value: JSON.stringify({ owner: 'someone else', expiresAt: Date.now() + 60_000 }),
      }),
    );

    const attempt = denyDevice('blocked', { waitMs: 300 });

    await expect(attempt).rejects.toMatchObject({ code: 'FLEET_CONFIG_CONTENDED', exitCode: 1 });
    expect(local.emulator.store.parameters.get(NAME)?.version).toBe(before);
    expect(denied()).toEqual([]);
    local.emulator.store.parameters.delete(lockParameterName(NAME));
  });
});

// What the issue saw lose updates: two preconfigure and two revoke started together, one write held 1.5 s.
describe('jitr preconfigure and jitr revoke started together', () => {
  const local = withEmulator({ iam: 'on' });
  const files = scratchDir();

  it('two preconfigure and two revoke, one write held 1.5 s: every command exits 0 and every change is there', async () => {
    await deployStage(local.emulator);
    const first = await preconfiguredCa(local.emulator, 'generic');
    const added = await Promise.all([createFleetCa('generic'), createFleetCa('generic')]);
    const paths = added.map((ca, index) => ({
      cert: files.write(`ca-${index}.pem`, ca.certificatePem),
      key: files.write(`ca-${index}.key`, ca.privateKeyPem),
    }));
    local.emulator.faults.delayNext('PutParameter', 1_500, NAME);

    const runs = await Promise.all([
      ...paths.map((path) =>
        jitr(local.emulator, 'preconfigure', '--ca-cert', path.cert, '--ca-key', path.key, '--profile', 'generic'),
      ),
      jitr(local.emulator, 'revoke', '--device-id', 'stolen-1', '--profile', 'generic'),
      jitr(local.emulator, 'revoke', '--device-id', 'stolen-2', '--profile', 'generic'),
    ]);

    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    const config = parseFleetConfigJson(local.emulator.store.parameters.get(NAME)?.value ?? '');
    expect(config.trustedCas.map((ca) => ca.certificateId).sort()).toEqual(
      [first, ...added].map((ca) => ca.certificateId).sort(),
    );
    const original = config.trustedCas.find((ca) => ca.certificateId === first.certificateId);
    expect([...(original?.deny.deviceIds ?? [])].sort()).toEqual(['stolen-1', 'stolen-2']);
  });
});
