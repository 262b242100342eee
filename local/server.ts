import { randomBytes } from 'node:crypto'; // gateway: per-run data-plane directory
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path'; // gateway: data-plane directory
import type { IssuedCa } from '../certs/issue.js';
import { ApiCallCounter } from './api-calls.js'; // reliability: call counter
import { ControlPlane } from './control-plane/http.js';
import { endpointAddress } from './control-plane/iot/account.js';
import { createAmazonCa } from './control-plane/iot/amazon-ca.js';
import { EmulatorConfigError } from './errors.js';
import { type IamMode, LocalIam } from './iam/authorizer.js';
import { operatorPolicies } from './iam/operator-policy.js';
import type { LambdaRunner } from './lambda/runner.js';
import { FaultInjector, parseFaultSpec } from './faults.js';
import { startDataPlane } from './gateway/data-plane.js'; // gateway: data plane
import { startHttpApi } from './http-api/server.js'; // vend: serverless.yml httpApi routes
import { type EmulatorLogSink, stderrSink } from './log-sink.js';
import { QuotaLimiter } from './quotas.js';
import { type RegistrySnapshot, readSnapshot } from './state/snapshot.js';
import { RegistryStore } from './state/store.js';

export interface LocalOptions {
  /** Control-plane port; 0 (default) picks a free one. */
  apiPort?: number;
  /** MQTT/TLS port; 0 (default) picks a free one. */
  mqttPort?: number;
  region?: string;
  accountId?: string;
  /** Load the registry from this file when it exists, and save it there on stop. */
  statePath?: string;
  quotas?: 'aws' | 'off';
  quotaScale?: number;
  /** Fault spec, e.g. `rate=0.1,ops=UpdateCertificate|CreateThing,kinds=throttle|500|timeout|drop-event`. */
  faults?: string;
  seed?: number;
  /** Lambda handler concurrency of the rules engine (default 10). */
  concurrency?: number;
  host?: '127.0.0.1';
  /**
   * IAM: `on` authorizes every control-plane request against the caller's identity (from its access key) as AWS does;
   * `off` serves every request with any credentials.
   */
  iam?: IamMode;
  /**
   * Where the emulator's events and the Lambda functions' output go (default: `stderrSink()`, notable events and the
   * functions' lines on stderr). Tests pass a capture; `jitr local start` a log file.
   */
  logs?: EmulatorLogSink;
}

export interface LocalEmulator {
  /** `http://127.0.0.1:<port>`: the endpoint for the AWS SDK (`endpoint` / `AWS_ENDPOINT_URL`) and the AWS CLI. */
  controlPlane: string;
  /** `mqtts://localhost:<port>`. */
  mqtt: string;
  /** Path of the PEM root that signed the gateway's server certificate. */
  serverCa: string;
  region: string;
  accountId: string;
  /** The host DescribeEndpoint returns for iot:Data-ATS (devices send it as SNI). */
  iotEndpoint: string;
  /** `http://127.0.0.1:<port>`: serverless.yml's httpApi routes (API Gateway HTTP API, payload 2.0). */
  httpApi: string;
  store: RegistryStore;
  faults: FaultInjector;
  /** reliability: control-plane calls so far, per operation and fate. */
  apiCalls: ApiCallCounter;
  /** The emulator's IAM: identities (access keys) and authorization. */
  iam: LocalIam;
  /** Lambda invocations run so far and their summed duration, per function name (empty without serverless.yml). */
  lambdaUsage(): Record<string, { invocations: number; durationMs: number }>;
  /**
   * Stops everything; queued Lambda invocations (and their retries) are dropped, not run: resolves with how many.
   * Calling it again returns the same promise.
   */
  stop(): Promise<{ droppedInvocations: number }>;
  /** The Lambda runner of serverless.yml's functions (absent without a loadable serverless.yml). */
  lambda?: LambdaRunner;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '000000000000';

/** The saved registry from `--state`, or undefined when the file does not exist yet. */
async function readState(path: string): Promise<RegistrySnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EmulatorConfigError('BAD_STATE', `cannot read the state file ${path}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmulatorConfigError('BAD_STATE', `the state file ${path} is not JSON`, { cause: error });
  }
  return readSnapshot(json);
}

/**
 * The registry to start with. Region and account default to the saved state's, so a restart from `--state` keeps its
 * ARNs; asking for another account or region than the state file's is refused (its records name the old ones).
 */
async function loadStore(options: LocalOptions): Promise<RegistryStore> {
  const snapshot = options.statePath ? await readState(options.statePath) : undefined;
  const region = options.region ?? snapshot?.scope.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? snapshot?.scope.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!snapshot) return new RegistryStore({ region, accountId });
  if (snapshot.scope.region !== region || snapshot.scope.accountId !== accountId) {
    throw new EmulatorConfigError(
      'BAD_STATE',
      `the state file is for account ${snapshot.scope.accountId} in ${snapshot.scope.region}, not ${accountId} in ${region}`,
    );
  }
  return RegistryStore.fromJSON(snapshot);
}

/** Writes the registry atomically (temp file then rename), so a crash mid-write never leaves half a state file. */
export async function saveState(store: RegistryStore, path: string): Promise<void> {
  // `--state .jitr/state.json` on a fresh clone: the directory is made, as the README's example expects.
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(store)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

function checkOptions(options: LocalOptions): void {
  const port = (name: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65_535)) {
      throw new EmulatorConfigError('BAD_OPTION', `${name} must be a port number (0-65535), got ${value}`);
    }
  };
  port('apiPort', options.apiPort);
  port('mqttPort', options.mqttPort);
  if (options.accountId !== undefined && !/^\d{12}$/.test(options.accountId)) {
    throw new EmulatorConfigError('BAD_OPTION', `accountId must be 12 digits, got "${options.accountId}"`);
  }
  if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
    throw new EmulatorConfigError('BAD_OPTION', `region must look like us-east-1, got "${options.region}"`);
  }
  if (options.quotaScale !== undefined && !(options.quotaScale > 0 && Number.isFinite(options.quotaScale))) {
    throw new EmulatorConfigError('BAD_OPTION', `quotaScale must be a positive number, got ${options.quotaScale}`);
  }
  if (options.iam !== undefined && options.iam !== 'on' && options.iam !== 'off') {
    throw new EmulatorConfigError('BAD_OPTION', `iam must be on or off, got "${String(options.iam)}"`);
  }
  if (options.host !== undefined && options.host !== '127.0.0.1') {
    throw new EmulatorConfigError('BAD_OPTION', 'the emulator only listens on 127.0.0.1');
  }
}

/** Starts the local AWS IoT Core (control plane now; gateway and rules engine plug in below). */
export async function startLocal(options: LocalOptions = {}): Promise<LocalEmulator> {
  checkOptions(options);
  const faults = new FaultInjector(options.faults ? parseFaultSpec(options.faults) : undefined, options.seed ?? 1);
  const quotas = new QuotaLimiter(options.quotas ?? 'off', options.quotaScale ?? 1);
  const store = await loadStore(options);
  const { region, accountId } = store.scope;
  // Write the state once now, so an unwritable --state path fails at start rather than losing the registry at stop.
  if (options.statePath) {
    await saveState(store, options.statePath).catch((error: unknown) => {
      throw new EmulatorConfigError('BAD_STATE', `cannot write the state file ${options.statePath}`, { cause: error });
    });
  }

  const logs = options.logs ?? stderrSink();
  const iam = new LocalIam({
    mode: options.iam ?? 'on',
    region,
    accountId,
    log: (line) => logs.event({ component: 'iam', ...line }),
  });
  iam.identities.setOperator(operatorPolicies());

  let amazonCa: Promise<IssuedCa> | undefined;
  const apiCalls = new ApiCallCounter(); // reliability
  const controlPlane = new ControlPlane({
    store,
    iam,
    quotas,
    faults,
    calls: apiCalls,
    amazonCa: () => (amazonCa ??= createAmazonCa()),
  });
  const controlPlaneUrl = await controlPlane.listen(options.apiPort ?? 0);

  // gateway: the data plane (TLS MQTT gateway with JITR, rules engine, Lambda runner for ./serverless.yml).
  const dataPlane = await startDataPlane({
    store,
    // With --state the gateway's TLS identity lives beside the state file, so devices keep trusting it after a restart.
    directory: options.statePath
      ? resolve(`${options.statePath}.gateway`)
      : join(process.cwd(), '.jitr', 'local', `${process.pid}-${randomBytes(4).toString('hex')}`),
    persistIdentity: options.statePath !== undefined,
    controlPlaneUrl,
    queueUrl: (name) => `${controlPlaneUrl}/${accountId}/${name}`,
    hostnames: ['iot:Data-ATS', 'iot:Data'].map((type) => endpointAddress(accountId, region, type)),
    faults,
    concurrency: options.concurrency ?? 10,
    removeDirectoryOnStop: options.statePath === undefined,
    iam,
    ...(options.mqttPort !== undefined ? { mqttPort: options.mqttPort } : {}),
    log: (line) => logs.event({ component: 'gateway', ...line }),
    functionLogs: logs.functionLogs,
  });
  const mqtt = dataPlane.gateway.url;
  const serverCa = dataPlane.gateway.serverCa;
  // vend: the HTTP API (serverless.yml httpApi routes), invoking functions through the data plane's Lambda runner.
  const httpApi = await startHttpApi({
    ...(dataPlane.lambda ? { lambda: dataPlane.lambda } : {}),
    serviceDirectory: process.cwd(),
    region,
    accountId,
    log: (line) => logs.event({ component: 'http-api', ...line }),
  });

  let stopped: Promise<{ droppedInvocations: number }> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      // gateway: stop the rules engine, then the gateway, before the control plane (handlers may still call it).
      await httpApi.close(); // vend
      const report = await dataPlane.stop();
      await controlPlane.close();
      if (options.statePath) await saveState(store, options.statePath);
      return report;
    })();
    return stopped;
  };

  return {
    controlPlane: controlPlaneUrl,
    mqtt,
    serverCa,
    region,
    accountId,
    iotEndpoint: endpointAddress(accountId, region),
    httpApi: httpApi.url,
    store,
    faults,
    apiCalls,
    iam,
    lambdaUsage: () => dataPlane.lambda?.usage() ?? {},
    ...(dataPlane.lambda ? { lambda: dataPlane.lambda } : {}),
    stop,
  };
}
