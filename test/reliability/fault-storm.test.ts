import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryCursorStore } from '../../functions/reconcile/cursor.js';
import { reconcile } from '../../functions/reconcile/run.js';
import { destroyClients } from '../../scripts/aws/clients.js';
import { DEFAULT_STAGE, deadLetterQueueName } from '../../scripts/operator/deployment.js';
import { onboardDeps } from '../../scripts/operator/onboard-deps.js';
import { replay } from '../../scripts/operator/replay.js';
import { simulateFleet } from '../../scripts/simulator/fleet.js';
import { issueSimulatedDevices } from '../../scripts/simulator/identities.js';
import type { DeviceResult, SimulatedDevice } from '../../scripts/simulator/model.js';
import { storeLookup } from '../../scripts/simulator/registry.js';
import { captureProcessOutput, secretsIn } from './log-capture.js';
import { activeWithoutAttachments, standardClients, withPipeline } from './pipeline-fixture.js';

const DEVICES = 100;
/** Every call of every service fails 20% of the time (ThrottlingException, 500, or a 1 s hang then a reset), and a
 * fifth of the registration events are dropped. Seeded: the faults repeat (their order depends on timing). */
const FAULTS = 'rate=0.2,kinds=throttle|500|timeout|drop-event';

// A fleet boots into an account whose IoT control plane misbehaves on a fifth of all calls. Devices keep retrying,
// Lambda retries and dead-letters, then `jitr replay` and the reconciler sweep up: every device must end up onboarded,
// with nothing left in the dead-letter queue, and nothing secret in any log line written meanwhile.
describe('a 100-device storm with faults on 20% of the calls', () => {
  const pipeline = withPipeline(
    [
      {
        profile: 'azure-sphere',
        tenantId: '9c9c9c9c-0000-4000-8000-000000000009',
      },
    ],
    {
      faults: FAULTS,
      seed: 11,
      // A 'timeout' fault holds a call for a second: more containers absorb them (measured: 2 containers took 3 min).
      concurrency: 6,
    },
  );
  let devices: SimulatedDevice[];
  const final = new Map<string, DeviceResult>();
  let dlqAfterReplay = -1;
  let logs = '';
  let registrationCode = '';

  const dlqDepth = () => {
    const counts = pipeline.current.emulator.store.queues.counts(deadLetterQueueName(DEFAULT_STAGE), Date.now());
    return counts.visible + counts.inFlight + counts.delayed;
  };
  /** Waits until the registry and the DLQ stop changing: the Lambda's retries of the last events are over. */
  async function settled(): Promise<void> {
    const { store } = pipeline.current.emulator;
    const signature = () =>
      `${dlqDepth()}:${store
        .listCertificates()
        .map((c) => c.status[0])
        .join('')}`;
    let last = signature();
    let since = Date.now();
    const end = Date.now() + 30_000;
    while (Date.now() < end && Date.now() - since < 4000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (signature() !== last) {
        last = signature();
        since = Date.now();
      }
    }
  }

  beforeAll(async () => {
    const { emulator, fleets } = pipeline.current;
    const fleet = fleets[0];
    if (!fleet) throw new Error('no fleet');
    registrationCode = emulator.store.getRegistrationCode();
    devices = await issueSimulatedDevices(fleet, DEVICES);
    const target = {
      url: emulator.mqtt,
      servername: emulator.iotEndpoint,
      caPem: readFileSync(emulator.serverCa, 'utf8'),
    };
    // Every event reaches the test's log sink (what JITR_DEBUG shows on a terminal), with the Lambdas' lines; anything
    // else written to this process's output is checked too.
    const from = pipeline.current.logs.lines.length;
    const capture = captureProcessOutput();
    try {
      const boot = await simulateFleet({
        devices,
        target,
        certificateState: storeLookup(emulator.store),
        concurrency: 50,
        timeoutMs: 60_000,
      });
      for (const result of boot.results) final.set(result.certificateId, result);
      await settled();

      // Standard retries for the recovery tools: injected ThrottlingExceptions drive the adaptive mode's client-side
      // rate limiter (the CLI's default) down to a crawl, which is not what this test is about (docs/benchmarks.md).
      const recovery = standardClients(emulator);
      await replay(recovery, { stage: DEFAULT_STAGE, max: 1000 });
      await reconcile(
        {},
        {
          ...onboardDeps(recovery, pipeline.current.parameter),
          cursor: memoryCursorStore(),
          maxCertificates: 10_000,
          pendingAgeMs: 0,
        },
      );
      dlqAfterReplay = dlqDepth();
      destroyClients(recovery);

      const again = devices.filter((device) => final.get(device.identity.certificateId)?.outcome !== 'online');
      if (again.length > 0) {
        const retry = await simulateFleet({
          devices: again,
          target,
          certificateState: storeLookup(emulator.store),
          concurrency: 50,
          timeoutMs: 30_000,
        });
        for (const result of retry.results) final.set(result.certificateId, result);
      }
    } finally {
      capture.restore();
      logs = [...pipeline.current.logs.lines.slice(from), capture.text()].join('\n');
    }
  }, 240_000);

  it('brings every device online', () => {
    const notOnline = [...final.values()].filter((result) => result.outcome !== 'online');
    expect(notOnline).toEqual([]);
    expect(final.size).toBe(DEVICES);
  });

  it('leaves every certificate ACTIVE with its Thing and policy, none pending', () => {
    const { store } = pipeline.current.emulator;
    const states = devices.map((device) => store.getCertificate(device.identity.certificateId)?.status);
    expect(new Set(states)).toEqual(new Set(['ACTIVE']));
    expect(activeWithoutAttachments(pipeline.current.emulator)).toEqual([]);
    for (const device of devices) expect(store.getThing(device.identity.thingName)).toBeDefined();
  });

  it('leaves nothing in the dead-letter queue after replay', () => {
    expect(dlqAfterReplay).toBe(0);
  });

  it('ran with faults actually injected into the calls', () => {
    expect(logs.length).toBeGreaterThan(0);
    const counts = pipeline.current.emulator.apiCalls.snapshot();
    expect(Object.values(counts.faulted).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });

  it('never logs a private key, a whole certificate, a signature or a secret (every event logged)', () => {
    const keys = devices.map((device) => device.identity.privateKeyPem);
    const fleetKey = pipeline.current.fleets[0]?.privateKeyPem ?? '';
    const secrets = ['local-emulator-secret', registrationCode];
    expect(secretsIn(logs, [...keys, fleetKey], secrets)).toEqual([]);
  });
});
