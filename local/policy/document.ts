import { z } from 'zod';

/**
 * An IoT policy document as users write it. Parsed once per policy version; evaluation never re-reads JSON.
 * Elements the evaluator does not implement are kept as `unsupported` so that evaluation can report them
 * instead of silently ignoring them.
 */
export type Effect = 'Allow' | 'Deny';

export interface ConditionClause {
  operator: string;
  key: string;
  values: string[];
}

export interface PolicyStatement {
  effect: Effect;
  actions: string[];
  resources: string[];
  conditions: ConditionClause[];
  /** Element names present but not evaluated (NotAction, NotResource, Principal, ...). */
  unsupported: string[];
}

export interface PolicyDocument {
  statements: PolicyStatement[];
}

export type PolicyParseResult =
  | { ok: true; document: PolicyDocument }
  | { ok: false; code: 'MALFORMED_POLICY_JSON' | 'MALFORMED_POLICY'; message: string };

const stringOrList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const conditionValue = z
  .union([z.string(), z.boolean(), z.number(), z.array(z.union([z.string(), z.boolean(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v : [v]).map(String));

const statementSchema = z
  .object({
    Effect: z.enum(['Allow', 'Deny']),
    Action: stringOrList.optional(),
    Resource: stringOrList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), conditionValue)).optional(),
  })
  .passthrough();

const documentSchema = z
  .object({
    Version: z.string().optional(),
    Statement: z.union([statementSchema, z.array(statementSchema)]),
  })
  .passthrough();

const KNOWN_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'Resource', 'Condition']);

export function parsePolicyDocument(text: string): PolicyParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'MALFORMED_POLICY_JSON', message: (error as Error).message };
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, code: 'MALFORMED_POLICY', message: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  const raw = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  const statements = raw.map((s): PolicyStatement => {
    const conditions: ConditionClause[] = [];
    for (const [operator, clauses] of Object.entries(s.Condition ?? {})) {
      for (const [key, values] of Object.entries(clauses)) conditions.push({ operator, key, values });
    }
    return {
      effect: s.Effect,
      actions: s.Action ?? [],
      resources: s.Resource ?? [],
      conditions,
      unsupported: Object.keys(s).filter((k) => !KNOWN_ELEMENTS.has(k)),
    };
  });
  return { ok: true, document: { statements } };
}
