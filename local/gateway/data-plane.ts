import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FaultInjector } from '../faults.js';
import { LambdaRunner } from '../lambda/runner.js';
import type { LocalIam } from '../iam/authorizer.js';
import type { SessionCredentials } from '../iam/identities.js';
import { ruleActionAuthorizer } from '../iam/rule-actions.js';
import { type LocalFunction, type LocalService, loadService } from '../lambda/service.js';
import { deployTables } from '../lambda/tables.js';
import { RulesEngine } from '../rules/engine.js';
import type { RegistryStore } from '../state/store.js';
import { type GatewayLog, type MqttGateway, startGateway } from './gateway.js';

/**
 * The emulator's data plane in one piece, for `startLocal`: the TLS MQTT gateway with JITR, the rules engine fed by
 * every message the broker carries, and the Lambda runner for serverless.yml's functions.
 */
export interface DataPlaneOptions {
  store: RegistryStore;
  /** Where the server CA file and the Lambda bundles go (e.g. `<repo>/.jitr/local`). */
  directory: string;
  /** The control plane's base URL: handlers get it as AWS_ENDPOINT_URL. */
  controlPlaneUrl: string;
  /** Queue URL the control plane's SQS gives a queue name (for `Ref: <queue>` in serverless.yml). */
  queueUrl: (name: string) => string;
  mqttPort?: number;
  /** Host names the server certificate also covers (the DescribeEndpoint host). */
  hostnames?: string[];
  /** Directory holding serverless.yml (default: the working directory). No file: lambda actions cannot run. */
  serviceDirectory?: string;
  stage?: string;
  concurrency?: number;
  retryDelaysMs?: number[];
  faults?: Pick<FaultInjector, 'shouldDropEvent' | 'shouldDuplicateEvent'>;
  log?: GatewayLog;
  /** Handler console output (default stderr). */
  functionLogs?: Writable;
  /** Remove `directory` on stop (a per-run directory: the server CA and bundles are useless afterwards). */
  removeDirectoryOnStop?: boolean;
  /** Keep the gateway's TLS identity in `directory` and reuse it on the next start (with `--state`). */
  persistIdentity?: boolean;
  /** IAM: functions run with their execution role's credentials; rule actions are authorized (when it is on). */
  iam?: LocalIam;
}

export interface DataPlane {
  gateway: MqttGateway;
  rules: RulesEngine;
  lambda?: LambdaRunner;
  /** Resolves with how many asynchronous Lambda invocations were still queued and got dropped. */
  stop(): Promise<{ droppedInvocations: number }>;
}

export async function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const { store } = options;
  const now = () => Date.now();
  const log: GatewayLog = options.log ?? (() => {});
  const serviceDirectory = options.serviceDirectory ?? process.cwd();
  let lambda: LambdaRunner | undefined;
  let service: LocalService | undefined;
  if (existsSync(join(serviceDirectory, 'serverless.yml'))) {
    try {
      service = loadService(serviceDirectory, {
        region: store.scope.region,
        accountId: store.scope.accountId,
        queueUrl: options.queueUrl,
        ...(options.stage !== undefined ? { stage: options.stage } : {}),
      });
    } catch (error) {
      // The broker and rules still run; lambda actions then fail as "function not found" and are reported.
      const code = (error as { code?: string }).code ?? 'SERVICE_INVALID';
      log({ event: 'lambda-disabled', code, message: (error as Error).message });
    }
  } else {
    log({ event: 'lambda-disabled', code: 'SERVICE_NOT_FOUND', directory: serviceDirectory });
  }
  if (service) {
    const { queues, tables } = service;
    lambda = new LambdaRunner({
      service,
      // "Deploy" the stack's queues and tables when a function first runs, so its destination, `Ref: <queue>` and its
      // tables exist (not at start: an emulator that never runs a function stays as empty as a fresh account).
      prepare: () => {
        for (const queue of queues) if (!store.queues.get(queue.name)) store.queues.create(queue.name, {}, now());
        deployTables(store, tables, now());
      },
      cacheDir: join(options.directory, 'lambda'),
      bundleCacheDir: join(serviceDirectory, '.jitr', 'lambda-cache'),
      endpoint: options.controlPlaneUrl,
      sendToQueue: (name, body) => store.queues.send(name, body, now()) !== undefined,
      ...(options.iam ? { credentialsFor: credentialsFor(options.iam, service) } : {}),
      log,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.retryDelaysMs !== undefined ? { retryDelaysMs: options.retryDelaysMs } : {}),
      ...(options.functionLogs !== undefined ? { logs: options.functionLogs } : {}),
    });
  }
  const faults = options.faults;
  const gateway = await startGateway({
    store,
    directory: options.directory,
    persistIdentity: options.persistIdentity === true,
    log,
    ...(options.mqttPort !== undefined ? { port: options.mqttPort } : {}),
    ...(options.hostnames !== undefined ? { hostnames: options.hostnames } : {}),
    ...(faults
      ? {
          eventFate: () =>
            faults.shouldDropEvent() ? 'drop' : faults.shouldDuplicateEvent() ? 'duplicate' : 'deliver',
        }
      : {}),
  });
  const rules = new RulesEngine({
    store,
    publish: (topic, payload) => gateway.publish(topic, payload),
    log,
    ...(lambda ? { lambda } : {}),
    ...(options.iam?.enabled ? { authorize: ruleActionAuthorizer(options.iam, service?.iam) } : {}),
  });
  gateway.onMessage((message) => rules.handle(message));
  return {
    gateway,
    rules,
    ...(lambda ? { lambda } : {}),
    async stop() {
      rules.stop();
      await gateway.stop();
      const dropped = (await lambda?.stop())?.dropped ?? 0;
      if (options.removeDirectoryOnStop) await rm(options.directory, { recursive: true, force: true });
      return { droppedInvocations: dropped };
    },
  };
}

/**
 * Each function's containers get its execution role's session credentials (`assumed-role/<role>/<function>`), issued
 * once when the service is deployed, as Lambda does for a deployed function's role.
 */
function credentialsFor(iam: LocalIam, service: LocalService) {
  const issued = new Map<string, SessionCredentials>();
  for (const fn of service.functions.values()) {
    const role = service.iam.executionRoles.get(fn.key);
    issued.set(
      fn.name,
      role
        ? iam.identities.assumeRole(role.name, fn.name, role.policies)
        : iam.identities.assumeRole(`${service.service}-${service.stage}-unknown`, fn.name, []),
    );
  }
  return (fn: LocalFunction) => {
    const credentials = issued.get(fn.name);
    if (!credentials) throw new Error(`no credentials issued for ${fn.name}`);
    return credentials;
  };
}
