import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleResult, bundleFunction } from '../../../functions/build/bundle.js';
import { deployTables } from '../../../local/lambda/tables.js';
import { iotClientFor, TEST_CREDENTIALS, withEmulator } from '../../helpers/aws.js';
import {
  autoRegister,
  deviceState,
  ensurePolicy,
  fleetEntry,
  PARAMETER,
  POLICY_NAME,
  registerFleet,
  type TestFleet,
  writeFleetConfig,
} from './fixture.js';

const run = promisify(execFile);

/** Invokes the bundle's handler in a fresh Node process, as the Lambda runtime would: environment in, result out. */
async function invokeBundle(bundle: BundleResult, event: unknown, env: Record<string, string>) {
  const script = `require(${JSON.stringify(bundle.file)}).handler(JSON.parse(process.argv[1])).then(
    (result) => process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n'),
    (error) => { process.stdout.write('ERROR ' + JSON.stringify({ name: error.name, code: error.code }) + '\\n'); });`;
  const { stdout, stderr } = await run(process.execPath, ['-e', script, JSON.stringify(event)], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const lines = stdout.trim().split('\n');
  const result = lines.find((line) => line.startsWith('RESULT '));
  // Powertools Logger writes WARN and ERROR lines to stderr, the rest (and Metrics' EMF documents) to stdout.
  const records = [...lines, ...stderr.split('\n')]
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    result: result ? JSON.parse(result.slice(7)) : undefined,
    error: lines.find((line) => line.startsWith('ERROR ')),
    logs: records.filter((record) => !('_aws' in record)),
    metrics: records.filter((record) => '_aws' in record),
    stderr,
  };
}

describe('the onboard bundle esbuild makes (serverless.yml options)', () => {
  const local = withEmulator({ quotas: 'off' });
  let dir: string;
  let bundle: BundleResult;
  let fleet: TestFleet;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitr-bundle-'));
    bundle = await bundleFunction('onboard', dir);
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    fleet = await registerFleet(iot, 'microchip');
    await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(fleet)] });
    // The idempotency table as serverless.yml declares it (the emulator's Lambda runner creates it the same way).
    deployTables(
      local.emulator.store,
      [
        {
          logicalId: 'IdempotencyTable',
          name: 'jitr-test-idempotency',
          keySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          attributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          billingMode: 'PAY_PER_REQUEST',
          ttlAttribute: 'expiration',
        },
      ],
      Date.now(),
    );
    // What the rules engine (and Lambda) give the function: its serverless.yml environment plus the endpoint.
    env = {
      AWS_ENDPOINT_URL: local.emulator.controlPlane,
      AWS_REGION: local.emulator.region,
      // The bundle is under test here, not its role: it runs as the admin identity.
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      JITR_FLEET_CONFIG_PARAMETER: PARAMETER,
      JITR_METRICS_NAMESPACE: 'Jitr',
      JITR_IDEMPOTENCY_TABLE: 'jitr-test-idempotency',
    };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('onboards a Microchip device from a cold process: one decision line (Logger) and its EMF metrics (Metrics)', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);

    const { result, logs, metrics, error, stderr } = await invokeBundle(bundle, device.event, env);

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ decision: 'onboarded', thingName: device.thingName });
    expect(await deviceState(iot, device)).toEqual({
      status: 'ACTIVE',
      things: [device.thingName],
      policies: [POLICY_NAME],
    });
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: 'onboard',
        decision: 'onboarded',
        thingName: device.thingName,
      }),
    ]);
    // docs/metrics.md: namespace Jitr, dimension Service on every metric; no reason, so no Service+Reason document.
    expect(metrics).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'Jitr',
              Dimensions: [['Service']],
              Metrics: [
                { Name: 'Onboarded', Unit: 'Count' },
                { Name: 'Latency', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        Service: 'onboard',
        Onboarded: 1,
        Latency: expect.any(Number),
      },
    ]);
    // Invoked without a Lambda context, as operator tools and tests do: the idempotency layer still bounds its record.
    expect(stderr).not.toContain('remaining time');
  });

  it('throws from the bundle when the configuration parameter is missing, so Lambda retries and then dead-letters', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);

    const { error, result } = await invokeBundle(bundle, device.event, {
      ...env,
      JITR_FLEET_CONFIG_PARAMETER: '/jitr/none',
    });

    expect(result).toBeUndefined();
    expect(error).toContain('FLEET_CONFIG_MISSING');
  });

  it('refuses to run without its idempotency table variable, loudly, so no event is handled unguarded', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    const { JITR_IDEMPOTENCY_TABLE: _table, ...withoutTable } = env;

    const { error, result, logs } = await invokeBundle(bundle, device.event, withoutTable);

    expect(result).toBeUndefined();
    expect(error).toContain('MISSING_ENVIRONMENT');
    expect(logs).toEqual([expect.objectContaining({ level: 'ERROR', code: 'MISSING_ENVIRONMENT' })]);
    expect((await deviceState(iot, device)).status).toBe('PENDING_ACTIVATION');
  });

  it('answers a repeated event from the idempotency table, in another cold process, with no IoT call', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    await invokeBundle(bundle, device.event, env);
    const before = local.emulator.apiCalls.snapshot().served.DescribeCertificate ?? 0;

    const { result } = await invokeBundle(bundle, device.event, env);

    expect(result).toMatchObject({ decision: 'duplicate', reasons: ['REGISTRATION_HANDLED'], apiCalls: 0 });
    expect(local.emulator.apiCalls.snapshot().served.DescribeCertificate ?? 0).toBe(before);
  });

  it('runs the reconcile bundle: a sweep that finds the pending certificate of a lost event and stores its cursor', async () => {
    const iot = iotClientFor(local.emulator);
    const lost = await autoRegister(iot, local.emulator, fleet);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // older than the 1 s pending age set below
    const reconcileBundle = await bundleFunction('reconcile', dir);

    const { result, error, logs } = await invokeBundle(
      reconcileBundle,
      {},
      {
        ...env,
        JITR_RECONCILE_CURSOR_PARAMETER: '/jitr/test/reconcile-cursor',
        // Treat every pending certificate as old enough: the lost event is the one just registered.
        JITR_RECONCILE_PENDING_AGE_SECONDS: '1',
      },
    );

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ examined: expect.any(Number), errors: 0 });
    expect(result.onboarded).toBeGreaterThanOrEqual(1);
    expect((await deviceState(iot, lost)).status).toBe('ACTIVE');
    expect(logs.at(-1)).toMatchObject({ message: 'reconcile run finished', complete: true });
  });

  it('refuses to run the reconcile bundle without its cursor parameter, rather than sweeping from the start each time', async () => {
    const reconcileBundle = await bundleFunction('reconcile', dir);

    const { result, error, logs } = await invokeBundle(reconcileBundle, {}, env);

    expect(result).toBeUndefined();
    expect(error).toContain('MISSING_ENVIRONMENT');
    expect(JSON.stringify(logs)).toContain('JITR_RECONCILE_CURSOR_PARAMETER');
  });

  it('stays within the 400 KB budget for a minified bundle (400,000 bytes, not KiB)', () => {
    expect(bundle.bytes).toBeLessThanOrEqual(400_000);
  });
});
