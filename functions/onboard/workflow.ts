import { WorkflowStalledError } from '../errors.js';
import type { RevocationPort } from '../crl/revocation.js';
import { type FleetConfig, trustedCa } from '../fleet-config.js';
import type { TtlCache } from '../ttl-cache.js';
import { certificateIdFromArn, decide } from './decide.js';
import type { RegisteredEvent } from './event.js';
import type { Action, CaFacts, CertificateFacts, Facts, Plan, Read, ValidateDevice } from './model.js';
import type { IotPort } from './port.js';

export interface WorkflowDeps {
  iot: IotPort;
  /** DescribeCACertificate results, cached per container (the CA rarely changes; a deactivation shows within the TTL). */
  caCache: TtlCache<CaFacts | null>;
  validate: ValidateDevice;
  now: () => number;
  /** Reads and checks CAs' CRLs (functions/crl); without it a CA that names a CRL counts as CRL_UNREACHABLE. */
  revocation?: RevocationPort;
}

export interface Outcome extends Plan {
  certificateId: string;
  caCertificateId: string;
  /** IoT API calls made for this event (cache hits excluded, SDK retries of one call count once). */
  apiCalls: number;
  /** Calls on the longest sequential chain: the latency floor of the critical path. */
  apiDepth: number;
  /** Certificates retired by this event. */
  retired: string[];
  /** Retired certificates whose deletion IoT refused for now (still attached): the reconciler deletes them later. */
  deleteDeferred: string[];
}

/** The fields of an outcome's decision record (functions/observability.ts) that onboard and reconcile both log. */
export function outcomeFields(outcome: Outcome) {
  return {
    decision: outcome.decision,
    reasons: outcome.reasons,
    certificateId: outcome.certificateId,
    caCertificateId: outcome.caCertificateId,
    ...(outcome.thingName ? { thingName: outcome.thingName } : {}),
    ...(outcome.security ? { security: true } : {}),
    apiCalls: outcome.apiCalls,
    apiDepth: outcome.apiDepth,
    ...(outcome.retired.length > 0 ? { retired: outcome.retired } : {}),
  };
}

const MAX_STEPS = 12;

/** Thrown by an action when CreateThing found a Thing with other attributes: re-read the Thing and decide again. */
class ThingChanged extends Error {}

/** Counts calls per invocation and the depth of the sequential chain (a round of concurrent calls counts once). */
export class CallMeter {
  calls = 0;
  depth = 0;

  async round<T>(work: (count: () => void) => Promise<T>): Promise<T> {
    let made = 0;
    const result = await work(() => {
      made++;
      this.calls++;
    });
    if (made > 0) this.depth++;
    return result;
  }
}

/**
 * Onboards the certificate of one registered event: reads what `decide` asks for, then runs the plan's stages in order.
 * Throws on any failure IoT keeps returning after the SDK's retries, so Lambda's async retry and the DLQ take over;
 * a replay resumes where the crash left off because every action tolerates "already done".
 */
export async function onboardCertificate(
  event: RegisteredEvent,
  config: FleetConfig,
  deps: WorkflowDeps,
): Promise<Outcome> {
  const meter = new CallMeter();
  const facts: Facts = { event, now: deps.now() };
  const retired: string[] = [];
  const deleteDeferred: string[] = [];

  for (let step = 0; step < MAX_STEPS; step++) {
    const next = decide(facts, config, deps.validate);
    if (next.kind === 'read') {
      await meter.round((count) =>
        Promise.all(next.reads.map((read) => readFact(read, facts, next.thingName, deps, count, config))),
      );
      continue;
    }
    try {
      for (const stage of next.plan.stages) {
        await runStage(stage, deps.iot, meter, { retired, deleteDeferred });
      }
    } catch (error) {
      if (!(error instanceof ThingChanged)) throw error;
      const policy = next.plan.stages.flat().find((action) => action.type === 'attachPolicy');
      if (policy?.type === 'attachPolicy') facts.attachedPolicy = policy.policyName;
      facts.thing = undefined;
      facts.principals = undefined;
      facts.siblings = undefined;
      continue;
    }
    return {
      ...next.plan,
      certificateId: event.certificateId,
      caCertificateId: event.caCertificateId,
      apiCalls: meter.calls,
      apiDepth: meter.depth,
      retired,
      deleteDeferred,
    };
  }
  throw new WorkflowStalledError(`certificate ${event.certificateId}: no decision after ${MAX_STEPS} steps`);
}

async function readFact(
  read: Read,
  facts: Facts,
  thingName: string | undefined,
  deps: WorkflowDeps,
  count: () => void,
  config: FleetConfig,
): Promise<void> {
  const { iot } = deps;
  switch (read) {
    case 'certificate':
      count();
      facts.certificate = await iot.describeCertificate(facts.event.certificateId);
      return;
    case 'ca': {
      const cached = await deps.caCache.get(facts.event.caCertificateId, () => {
        count();
        return iot.describeCaCertificate(facts.event.caCertificateId);
      });
      facts.ca = cached.value;
      return;
    }
    case 'thing':
      count();
      facts.thing = await iot.describeThing(requireName(thingName));
      return;
    case 'principals':
      count();
      facts.principals = await iot.listThingPrincipals(requireName(thingName));
      return;
    case 'siblings': {
      const others = (facts.principals ?? [])
        .filter((arn) => arn.includes(':cert/'))
        .map(certificateIdFromArn)
        .filter((id) => id !== facts.event.certificateId);
      const described = await Promise.all(
        others.map((id) => {
          count();
          return iot.describeCertificate(id);
        }),
      );
      facts.siblings = described.filter((sibling): sibling is CertificateFacts => sibling !== null);
      return;
    }
    case 'revocation':
      facts.revocation = await readRevocation(facts, config, deps);
      return;
  }
}

/** Not an IoT call (not counted): the CA's CRL, from the container's cache or its source. */
async function readRevocation(facts: Facts, config: FleetConfig, deps: WorkflowDeps): Promise<Facts['revocation']> {
  const ca = trustedCa(config, facts.event.caCertificateId);
  if (!deps.revocation || !ca || !facts.certificate || !facts.ca) {
    return { status: 'unknown', code: 'CRL_UNREACHABLE', message: 'no CRL reader in this container' };
  }
  try {
    return await deps.revocation.check({
      ca,
      certificatePem: facts.certificate.certificatePem,
      caCertificatePem: facts.ca.certificatePem,
    });
  } catch (error) {
    return { status: 'unknown', code: 'CRL_UNREACHABLE', message: (error as Error).message };
  }
}

function requireName(thingName: string | undefined): string {
  if (!thingName) throw new WorkflowStalledError('decide asked for a Thing without naming it');
  return thingName;
}

/** Runs a plan's stages in order (used by the reconciler for retirements). */
export async function runStages(
  stages: Action[][],
  iot: IotPort,
  meter: CallMeter,
  log: { retired: string[]; deleteDeferred: string[] },
): Promise<void> {
  for (const stage of stages) await runStage(stage, iot, meter, log);
}

async function runStage(
  stage: Action[],
  iot: IotPort,
  meter: CallMeter,
  log: { retired: string[]; deleteDeferred: string[] },
): Promise<void> {
  const retirements = stage.filter((action) => action.type === 'retire');
  const simple = stage.filter((action) => action.type !== 'retire');
  if (simple.length > 0) {
    await meter.round((count) => Promise.all(simple.map((action) => runAction(action, iot, count))));
  }
  if (retirements.length === 0) return;
  // Retirement: deactivate first (the old certificate stops connecting at once), then detach, then delete.
  await meter.round((count) =>
    Promise.all(
      retirements.map((action) => {
        count();
        return iot.updateCertificateStatus(action.certificateId, 'INACTIVE').catch(ignoreNotFound);
      }),
    ),
  );
  await meter.round((count) =>
    Promise.all(
      retirements.flatMap((action) => {
        count();
        count();
        return [
          iot.detachPolicy(action.policyName, action.certificateArn),
          iot.detachThingPrincipal(action.thingName, action.certificateArn),
        ];
      }),
    ),
  );
  await meter.round((count) =>
    Promise.all(
      retirements.map(async (action) => {
        count();
        const result = await iot.deleteCertificate(action.certificateId);
        log.retired.push(action.certificateId);
        if (result === 'conflict') log.deleteDeferred.push(action.certificateId);
      }),
    ),
  );
}

function ignoreNotFound(error: unknown): void {
  if ((error as { name?: unknown })?.name === 'ResourceNotFoundException') return;
  throw error;
}

async function runAction(action: Action, iot: IotPort, count: () => void): Promise<void> {
  count();
  switch (action.type) {
    case 'createThing': {
      const result = await iot.createThing(action);
      if (result === 'conflict') throw new ThingChanged();
      return;
    }
    case 'addThingToGroup':
      return iot.addThingToThingGroup(action.thingName, action.thingGroupName);
    case 'attachPolicy':
      return iot.attachPolicy(action.policyName, action.certificateArn);
    case 'detachPolicy':
      return iot.detachPolicy(action.policyName, action.certificateArn);
    case 'attachThing':
      return iot.attachThingPrincipal(action.thingName, action.certificateArn);
    case 'setStatus':
      return iot.updateCertificateStatus(action.certificateId, action.status);
    case 'retire':
      return; // handled by runStage
  }
}
