import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, type IssuedCa, issueDeviceCertificate } from '../../certs/issue.js';
import { type DataPlane, startDataPlane } from '../../local/gateway/data-plane.js';
import { RegistryStore } from '../../local/state/store.js';
import { connectDevice } from './gateway-helpers.js';

// Device -> gateway (JITR) -> registration event -> topic rule -> Lambda action on the fixture service's handlers,
// invoked asynchronously in worker "containers", retried, then dead-lettered to the function's on-failure queue.
// AWS: https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html (asynchronous invocation).
const region = 'eu-west-1';
const accountId = '111122223333';
const fixture = join(import.meta.dirname, '..', 'fixtures', 'lambda-service');

describe('gateway: registration events drive Lambda actions', () => {
  const store = new RegistryStore({ region, accountId });
  let dataPlane: DataPlane;
  let ca: IssuedCa;

  beforeAll(async () => {
    ca = await createRootCa({ commonName: 'Lambda e2e CA' });
    const x509 = new X509Certificate(ca.certificatePem);
    store.putCa({
      certificateId: ca.certificateId,
      certificateArn: store.caArn(ca.certificateId),
      certificatePem: ca.certificatePem,
      status: 'ACTIVE',
      autoRegistrationStatus: 'ENABLE',
      certificateMode: 'DEFAULT',
      ownedBy: accountId,
      creationDate: 0,
      lastModifiedDate: 0,
      customerVersion: 1,
      generationId: 'g',
      validity: { notBefore: Date.parse(x509.validFrom), notAfter: Date.parse(x509.validTo) },
    });
    dataPlane = await startDataPlane({
      store,
      directory: mkdtempSync(join(tmpdir(), 'jitr-dataplane-')),
      controlPlaneUrl: 'http://127.0.0.1:9',
      queueUrl: (name) => `http://127.0.0.1:9/${accountId}/${name}`,
      serviceDirectory: fixture,
      retryDelaysMs: [10, 20],
      functionLogs: new Writable({ write: (_c, _e, done) => done() }),
      removeDirectoryOnStop: true,
    });
  });

  afterAll(async () => {
    await dataPlane?.stop();
  });

  it('invokes the rule function with the event and sends it to the on-failure queue after two retries', async () => {
    store.putTopicRule({
      ruleName: 'onboard',
      ruleArn: store.ruleArn('onboard'),
      sql: `SELECT * FROM '$aws/events/certificates/registered/${ca.certificateId}'`,
      ruleDisabled: false,
      actions: [
        { lambda: { functionArn: `arn:aws:lambda:${region}:${accountId}:function:fixture-dev-echo` } },
        { lambda: { functionArn: `arn:aws:lambda:${region}:${accountId}:function:fixture-dev-fail` } },
      ],
      createdAt: 0,
    });
    const device = await issueDeviceCertificate(ca, { subject: { commonName: 'lambda-device' } });
    const gateway = {
      mqtt: dataPlane.gateway.url,
      serverCaPem: dataPlane.gateway.serverCaPem,
      servername: 'localhost',
    };

    const outcome = await connectDevice(
      gateway,
      { certificatePem: device.certificatePem, privateKeyPem: device.privateKeyPem ?? '' },
      'd',
    );
    expect(outcome.connected).toBe(false);
    await dataPlane.lambda?.idle();

    const invocations = dataPlane.lambda?.invocations() ?? [];
    expect(invocations.filter((i) => i.functionName === 'fixture-dev-echo').map((i) => i.ok)).toEqual([true]);
    expect(invocations.filter((i) => i.functionName === 'fixture-dev-fail').map((i) => i.attempt)).toEqual([1, 2, 3]);
    const [dead] = store.queues.receive('fixture-dev-failures', 10, Date.now());
    expect(JSON.parse(dead?.body ?? '{}')).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: {
        certificateId: device.certificateId,
        caCertificateId: ca.certificateId,
        certificateStatus: 'PENDING_ACTIVATION',
      },
    });
    expect(dataPlane.rules.errors()).toEqual([]);
  });
});
