import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { RegisterCertificateCommand, UpdateCACertificateCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { issueFleetDevice } from '../../certs/fleet.js';
import { registrationGuard } from '../../functions/onboard/once.js';
import type { IotPort } from '../../functions/onboard/port.js';
import { DUPLICATE_REASON, handleRegisteredEvent, type OnboardDeps } from '../../functions/onboard/run.js';
import { SettledCertificates } from '../../functions/onboard/settled.js';
import { deprovision } from '../../scripts/operator/deprovision.js';
import { dynamoClientFor } from '../helpers/aws.js';
import { persist, withPipeline } from './pipeline-fixture.js';

// Duplicates of a registration event die at the idempotency layer (Powertools Idempotency on the emulator's DynamoDB)
// before any IoT call, whichever container they land in. Each "container" here is its own set of dependencies (its
// own settled memory, CA cache and Powertools persistence layer), as the Lambda builds them once per container.
describe('duplicate registration events across containers (idempotency table)', () => {
  const table = 'jitr-test-idempotency';
  const pipeline = withPipeline([{ profile: 'azure-sphere', tenantId: '4f4f4f4f-0000-4000-8000-0000000000a1' }]);

  let tableReady: Promise<void> | undefined;
  const ensureTable = () => (tableReady ??= createTable());

  async function createTable(): Promise<void> {
    const dynamo = dynamoClientFor(pipeline.current.emulator);
    await persist(() =>
      dynamo.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        }),
      ),
    );
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiration' },
      }),
    );
  }

  async function container(iot?: (real: IotPort) => IotPort): Promise<OnboardDeps> {
    await ensureTable();
    const deps = pipeline.current.deps().deps;
    return {
      ...deps,
      ...(iot ? { iot: iot(deps.iot) } : {}),
      settled: new SettledCertificates(60_000),
      guard: registrationGuard({ tableName: table, client: dynamoClientFor(pipeline.current.emulator) }),
    };
  }

  async function pendingEvent(certificatePem?: string) {
    const { clients, fleets, emulator } = pipeline.current;
    const fleet = fleets[0]!;
    const device = certificatePem ? { certificatePem } : await issueFleetDevice(fleet);
    const registered = await clients.iot.send(
      new RegisterCertificateCommand({
        certificatePem: device.certificatePem,
        caCertificatePem: fleet.certificatePem,
        status: 'PENDING_ACTIVATION',
      }),
    );
    const certificateId = registered.certificateId ?? '';
    return {
      event: {
        certificateId,
        caCertificateId: fleet.certificateId,
        timestamp: Date.now(),
        certificateStatus: 'PENDING_ACTIVATION',
        awsAccountId: emulator.accountId,
        certificateRegistrationTimestamp: String(emulator.store.getCertificate(certificateId)?.creationDate),
      },
      certificatePem: device.certificatePem,
    };
  }

  /** IoT calls served so far, by operation (SSM and DynamoDB aside). */
  const iotCalls = (): Record<string, number> =>
    Object.fromEntries(
      Object.entries(pipeline.current.emulator.apiCalls.snapshot().served).filter(
        ([operation]) => !['GetParameter', 'PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'].includes(operation),
      ),
    );
  const since = (before: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(iotCalls())
        .map(([operation, n]) => [operation, n - (before[operation] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );

  it('spends exactly one onboarding per device on three shuffled copies spread over three containers', async () => {
    const devices = await Promise.all([1, 2, 3, 4].map(() => pendingEvent()));
    const copies = devices.flatMap(({ event }) => [event, { ...event }, { ...event, timestamp: event.timestamp + 1 }]);
    // A fixed shuffle, dealt round-robin: every container sees some copies of most devices.
    const order = [7, 2, 10, 0, 5, 11, 3, 8, 1, 6, 9, 4].map((i) => copies[i]!);
    const containers = await Promise.all([1, 2, 3].map(() => container()));
    const before = iotCalls();

    const results = await Promise.all(
      containers.map(async (deps, c) => {
        const mine = order.filter((_, i) => i % containers.length === c);
        const decisions: string[] = [];
        for (const event of mine) decisions.push((await handleRegisteredEvent(event, deps)).decision);
        return decisions;
      }),
    );

    const decisions = results.flat().sort();
    const spent = since(before);
    expect(decisions).toEqual(
      [...Array(4).fill('duplicate'), ...Array(4).fill('duplicate'), ...Array(4).fill('onboarded')].sort(),
    );
    const { DescribeCACertificate: caReads = 0, ...perDevice } = spent;
    expect(perDevice).toEqual({
      DescribeCertificate: 4,
      DescribeThing: 4,
      CreateThing: 4,
      AttachPolicy: 4,
      AttachThingPrincipal: 4,
      UpdateCertificate: 4,
    });
    // The CA's description is cached per container, not per device.
    expect(caReads).toBeLessThanOrEqual(containers.length);
  });

  it('drops an in-flight duplicate with a duplicate decision and no IoT call', async () => {
    const { event } = await pendingEvent();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // The first container's DescribeCertificate is held at a gate (the call itself is real), so it is in flight.
    const slow = await container((real) => ({
      ...real,
      describeCertificate: async (id) => {
        entered();
        await gate;
        return real.describeCertificate(id);
      },
    }));
    const other = await container();

    const first = handleRegisteredEvent(event, slow);
    await inside;
    const before = iotCalls();
    const duplicate = await handleRegisteredEvent(event, other);
    const spentByDuplicate = since(before);
    release();

    expect(duplicate).toMatchObject({ decision: 'duplicate', reasons: [DUPLICATE_REASON.inProgress], apiCalls: 0 });
    expect(spentByDuplicate).toEqual({});
    expect((await first).decision).toBe('onboarded');
  });

  it('lets the retry of a failed first invocation onboard the device', async () => {
    const { event } = await pendingEvent();
    // Fails this container only (the emulator's fault injector is process-wide): activation throws as a throttled call
    // that outlived the SDK's retries would.
    const failing = await container((real) => ({
      ...real,
      updateCertificateStatus: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    }));

    await expect(handleRegisteredEvent(event, failing)).rejects.toThrow('Rate exceeded');
    const retried = await handleRegisteredEvent(event, await container());

    expect(retried.decision).toBe('onboarded');
    expect(pipeline.current.emulator.store.getCertificate(event.certificateId)?.status).toBe('ACTIVE');
  });

  it('does not remember a deferred decision: the same event onboards once the CA is active again', async () => {
    const { event } = await pendingEvent();
    const { clients, fleets } = pipeline.current;
    const caCertificateId = fleets[0]!.certificateId;
    await clients.iot.send(new UpdateCACertificateCommand({ certificateId: caCertificateId, newStatus: 'INACTIVE' }));
    let deferred: string;
    try {
      deferred = (await handleRegisteredEvent(event, await container())).decision;
    } finally {
      await clients.iot.send(new UpdateCACertificateCommand({ certificateId: caCertificateId, newStatus: 'ACTIVE' }));
    }

    const later = await handleRegisteredEvent(event, await container());

    expect(deferred).toBe('deferred');
    expect(later.decision).toBe('onboarded');
  });

  it('onboards a certificate again after deprovision, when it registers anew', async () => {
    const deps = await container();
    const first = await pendingEvent();
    const onboarded = await handleRegisteredEvent(first.event, deps);
    await deprovision(pipeline.current.clients, { thingName: onboarded.thingName ?? '' });

    const again = await pendingEvent(first.certificatePem);
    const result = await handleRegisteredEvent(again.event, await container());
    const sameContainer = await handleRegisteredEvent({ ...again.event, timestamp: Date.now() }, deps);

    expect(onboarded.decision).toBe('onboarded');
    expect(again.event.certificateId).toBe(first.event.certificateId);
    expect(again.event.certificateRegistrationTimestamp).not.toBe(first.event.certificateRegistrationTimestamp);
    expect(result.decision).toBe('onboarded');
    expect(sameContainer).toMatchObject({ decision: 'duplicate', apiCalls: 0 });
  });
});
