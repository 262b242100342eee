import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReplaceTopicRuleCommand } from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FleetCa, type FleetDevice, issueFleetDevice } from '../../../certs/fleet.js';
import { preconfigure } from '../../../scripts/operator/preconfigure.js';
import { type ConnectOutcome, connectDevice, type GatewayAddress } from '../../e2e/gateway-helpers.js';
import { withEmulator } from '../../helpers/aws.js';
import { jitr, json } from './cli-harness.js';
import { deployStage, operatorClients, preconfiguredCa } from './operator-fixture.js';

const DLQ = 'jitr-dev-onboard-dlq';
const PARAMETER = '/jitr/dev/fleet-config';

interface ReplayReport {
  examined: number;
  succeeded: number;
  kept: number;
  messages: { kind: string; outcome: string; decision?: string; certificateId?: string }[];
}

/**
 * Both kinds of dead-letter message are produced the real way: a device connects over TLS, the gateway auto-registers
 * its certificate and publishes the event, and either the Lambda fails three times (on-failure record) or the rule's
 * Lambda action cannot run (errorAction message).
 */
describe('jitr replay', () => {
  const local = withEmulator();
  let ca: FleetCa;
  let gateway: GatewayAddress;
  const dlqDepth = () => local.emulator.store.queues.get(DLQ)?.messages.length ?? 0;
  const connect = (device: FleetDevice): Promise<ConnectOutcome> =>
    connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      device.thingName,
    );
  async function untilDlqHolds(count: number): Promise<void> {
    for (let waited = 0; dlqDepth() < count; waited += 100) {
      if (waited > 25_000) throw new Error(`the DLQ holds ${dlqDepth()} message(s), expected ${count}`);
      await sleep(100);
    }
  }
  const closed = async (outcome: ConnectOutcome) => {
    if (outcome.connected) outcome.client.end(true);
    return outcome.connected;
  };

  beforeAll(async () => {
    await deployStage(local.emulator);
    ca = await preconfiguredCa(local.emulator, 'generic');
    gateway = {
      mqtt: local.emulator.mqtt,
      serverCaPem: readFileSync(local.emulator.serverCa, 'utf8'),
      servername: local.emulator.iotEndpoint,
    };
  });

  it('re-drives on-failure records and rule error messages, deletes those that succeed and keeps the rest', async () => {
    const clients = operatorClients(local.emulator);
    const savedConfig = local.emulator.store.parameters.get(PARAMETER)?.value ?? '';
    // 1. A broken fleet configuration: the onboard function throws, is retried twice, then dead-lettered.
    const failing = await issueFleetDevice(ca, {});
    await clients.ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: '{"version":7}', Overwrite: true }));
    const eventsBefore = local.logs.events.length;
    expect(await closed(await connect(failing))).toBe(false);
    await untilDlqHolds(1);
    // Its failure is in the emulator's log (the test's capture, not the test output): three attempts, then given up.
    const events = local.logs.events.slice(eventsBefore);
    const failures = events.filter((line) => line.event === 'lambda-error');
    expect(failures.map((line) => [line.code, line.attempt])).toEqual([
      ['FleetConfigError', 1],
      ['FleetConfigError', 2],
      ['FleetConfigError', 3],
    ]);
    expect(events.filter((line) => line.event === 'lambda-retries-exhausted')).toHaveLength(1);
    // The function's own ERROR line says why (the last attempt's may still be on its way from the container).
    expect(
      local.logs.functionLines.filter((line) => line.includes('FLEET_CONFIG_INVALID')).length,
    ).toBeGreaterThanOrEqual(2);
    // 2. The rule invokes a function that does not exist: the rule's errorAction sends the event to the DLQ.
    const orphan = await issueFleetDevice(ca, {});
    await clients.iot.send(
      new ReplaceTopicRuleCommand({
        ruleName: `jitr_dev_${ca.certificateId}`,
        topicRulePayload: {
          sql: `SELECT * FROM '$aws/events/certificates/registered/${ca.certificateId}'`,
          actions: [{ lambda: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:jitr-dev-gone' } }],
          errorAction: {
            sqs: {
              queueUrl: `https://sqs.us-east-1.amazonaws.com/000000000000/${DLQ}`,
              roleArn: 'arn:aws:iam::000000000000:role/jitr-dev-iot-rule-error',
            },
          },
        },
      }),
    );
    expect(await closed(await connect(orphan))).toBe(false);
    await untilDlqHolds(2);
    // 3. Something no replay can use.
    local.emulator.store.queues.send(DLQ, 'not an event', Date.now());
    // The operator fixes both causes.
    await clients.ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: savedConfig, Overwrite: true }));
    await preconfigure(clients, { caCertificate: ca.certificatePem, profile: 'generic' });

    const dryRun = await jitr(local.emulator, 'replay', '--dry-run', '--json');
    const depthAfterDryRun = dlqDepth();
    const run = await jitr(local.emulator, 'replay', '--json');

    expect(json(dryRun)).toMatchObject({ dryRun: true, examined: 3, succeeded: 0 });
    expect(depthAfterDryRun).toBe(3);
    expect(run.code).toBe(1);
    const report = json(run) as unknown as ReplayReport;
    expect(report).toMatchObject({ examined: 3, succeeded: 2, kept: 1 });
    const byCertificate = (id: string) => report.messages.find((message) => message.certificateId === id);
    expect(byCertificate(failing.certificateId)).toMatchObject({
      kind: 'lambda-failure',
      outcome: 'succeeded',
      decision: 'onboarded',
    });
    expect(byCertificate(orphan.certificateId)).toMatchObject({
      kind: 'rule-error',
      outcome: 'succeeded',
      decision: 'onboarded',
    });
    expect(report.messages.filter((message) => message.outcome === 'unrecognised')).toHaveLength(1);
    expect(dlqDepth()).toBe(1);
    expect(local.emulator.store.queues.get(DLQ)?.messages[0]?.body).toBe('not an event');
    // The replayed devices now connect as their things.
    expect(await closed(await connect(failing))).toBe(true);
    expect(await closed(await connect(orphan))).toBe(true);
  });

  it('stops after --max messages and keeps events that still cannot be decided', async () => {
    local.emulator.store.queues.get(DLQ)?.messages.splice(0);
    const devices = await Promise.all([issueFleetDevice(ca, {}), issueFleetDevice(ca, {})]);
    for (const device of devices) {
      local.emulator.store.autoRegisterCertificate({
        certificatePem: device.certificatePem,
        caCertificateId: ca.certificateId,
        now: Date.now(),
      });
      const event = {
        certificateId: device.certificateId,
        caCertificateId: ca.certificateId,
        certificateStatus: 'PENDING_ACTIVATION',
        timestamp: Date.now(),
      };
      local.emulator.store.queues.send(DLQ, JSON.stringify(event), Date.now());
    }
    // An inactive CA: the workflow defers (the certificate stays pending), so the message must stay.
    const record = local.emulator.store.getCa(ca.certificateId);
    if (!record) throw new Error('CA missing');
    local.emulator.store.putCa({ ...record, status: 'INACTIVE' });

    const run = await jitr(local.emulator, 'replay', '--max', '1', '--json');
    local.emulator.store.putCa(record);

    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ examined: 1, succeeded: 0, kept: 1, messages: [{ decision: 'deferred' }] });
    expect(dlqDepth()).toBe(2);
  });

  it('replays nothing while the fleet configuration is malformed, and says so (exit 1)', async () => {
    const clients = operatorClients(local.emulator);
    const saved = local.emulator.store.parameters.get(PARAMETER)?.value ?? '';
    local.emulator.store.queues.send(DLQ, '{"certificateId":"x"}', Date.now());
    const depth = dlqDepth();
    await clients.ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: 'not json', Overwrite: true }));

    const run = await jitr(local.emulator, 'replay', '--json');
    await clients.ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: saved, Overwrite: true }));

    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ error: { code: 'FLEET_CONFIG_INVALID' } });
    expect(dlqDepth()).toBe(depth);
  });

  it('refuses --max that is not a positive number with exit 2', async () => {
    const run = await jitr(local.emulator, 'replay', '--max', 'lots');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max must be a whole number');
  });
});
