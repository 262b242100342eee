import { type PolicyDocument, parsePolicyDocument } from '../policy/document.js';
import {
  type ArnScope,
  clientArn,
  type Decision,
  evaluatePolicies,
  type IotAction,
  type PolicyProblem,
  topicArn,
  topicFilterArn,
} from '../policy/evaluate.js';
import { type ConnectionContext, thingForConnection } from '../policy/variables.js';
import { defaultPolicyVersion, type RegistryStore } from '../state/store.js';

/** Who is asking: the certificate the TLS handshake presented and the MQTT client id. */
export interface Principal {
  certificateArn: string;
  clientId: string;
}

type AuthorizerStore = Pick<RegistryStore, 'policiesForPrincipal' | 'thingsForPrincipal' | 'getThing'>;

/**
 * Authorises MQTT operations by the IoT policies attached to a certificate, always from the store's current state
 * (a policy version, attachment or thing change applies to the next packet, as in AWS).
 */
export class PolicyAuthorizer {
  /** Parsed documents keyed by their text; policy versions are immutable, so the text identifies the parse. */
  private readonly parsed = new Map<string, PolicyDocument | undefined>();

  constructor(
    private readonly store: AuthorizerStore,
    private readonly scope: ArnScope,
    private readonly onProblem: (principal: Principal, problem: PolicyProblem) => void = () => {},
  ) {}

  connect(principal: Principal): Decision {
    return this.decide(principal, 'iot:Connect', clientArn(this.scope, principal.clientId));
  }
  publish(principal: Principal, topic: string): Decision {
    return this.decide(principal, 'iot:Publish', topicArn(this.scope, topic));
  }
  /** A publish with the RETAIN flag also needs iot:RetainPublish on the topic (AWS IoT retained messages). */
  retainPublish(principal: Principal, topic: string): Decision {
    return this.decide(principal, 'iot:RetainPublish', topicArn(this.scope, topic));
  }
  subscribe(principal: Principal, filter: string): Decision {
    return this.decide(principal, 'iot:Subscribe', topicFilterArn(this.scope, filter));
  }
  receive(principal: Principal, topic: string): Decision {
    return this.decide(principal, 'iot:Receive', topicArn(this.scope, topic));
  }

  private decide(principal: Principal, action: IotAction, resource: string): Decision {
    const documents: PolicyDocument[] = [];
    for (const policy of this.store.policiesForPrincipal(principal.certificateArn)) {
      const text = defaultPolicyVersion(policy)?.document;
      if (text === undefined) continue;
      const document = this.document(text, principal, policy.policyName);
      if (document) documents.push(document);
    }
    const decision = evaluatePolicies(documents, { action, resource }, this.context(principal));
    for (const problem of decision.problems) this.onProblem(principal, problem);
    return decision;
  }

  private document(text: string, principal: Principal, policyName: string): PolicyDocument | undefined {
    if (!this.parsed.has(text)) {
      const result = parsePolicyDocument(text);
      if (!result.ok) {
        this.onProblem(principal, { code: 'UNSUPPORTED_POLICY_ELEMENT', detail: `${policyName}: ${result.code}` });
      }
      this.parsed.set(text, result.ok ? result.document : undefined);
    }
    return this.parsed.get(text);
  }

  private context(principal: Principal): ConnectionContext {
    const attached = this.store.thingsForPrincipal(principal.certificateArn);
    if (!attached.includes(principal.clientId)) return { clientId: principal.clientId };
    const record = this.store.getThing(principal.clientId);
    const thing = thingForConnection(principal.clientId, [
      {
        thingName: principal.clientId,
        attributes: record?.attributes ?? {},
        ...(record?.thingTypeName !== undefined ? { thingTypeName: record.thingTypeName } : {}),
      },
    ]);
    return thing ? { clientId: principal.clientId, thing } : { clientId: principal.clientId };
  }
}
