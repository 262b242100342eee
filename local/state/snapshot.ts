import { z } from 'zod';
import { EmulatorConfigError } from '../errors.js';
import type { AccountScope } from './arns.js';
import type {
  CaCertificateRecord,
  CertificateRecord,
  PolicyRecord,
  ThingPrincipalAttachment,
  ThingRecord,
  TopicRuleRecord,
} from './model.js';
import type { ParameterRecord } from './parameters.js';
import type { QueueRecord } from './queues.js';
import type { TableRecord } from './tables.js';
import type { ThingGroupStore } from './thing-groups.js';

/** The `--state` file: everything the registry holds, so that a restart loses nothing. */
export interface RegistrySnapshot {
  format: 'jitr-local-state';
  version: 1;
  scope: AccountScope;
  registrationCode: string;
  eventConfigurations: Record<string, { Enabled: boolean }>;
  cas: CaCertificateRecord[];
  certificates: CertificateRecord[];
  things: ThingRecord[];
  thingPrincipals: ThingPrincipalAttachment[];
  policies: PolicyRecord[];
  policyTargets: { policyName: string; targets: string[] }[];
  topicRules: TopicRuleRecord[];
  parameters: ParameterRecord[];
  queues: QueueRecord[];
  thingGroups: ReturnType<ThingGroupStore['toJSON']>;
  dynamoTables: TableRecord[];
}

// The file is ours, so the check guards against a truncated or foreign file rather than re-validating every field.
const keyed = (key: string) => z.array(z.looseObject({ [key]: z.string() }));

const snapshotSchema = z.object({
  format: z.literal('jitr-local-state'),
  version: z.literal(1),
  scope: z.object({ region: z.string().min(1), accountId: z.string().min(1) }),
  registrationCode: z.string().min(1),
  eventConfigurations: z.record(z.string(), z.object({ Enabled: z.boolean() })),
  cas: z.array(z.looseObject({ certificateId: z.string(), certificatePem: z.string() })),
  certificates: keyed('certificateId'),
  things: keyed('thingName'),
  thingPrincipals: z.array(z.object({ thingName: z.string(), principal: z.string(), exclusive: z.boolean() })),
  policies: z.array(z.looseObject({ policyName: z.string(), versions: z.array(z.looseObject({})) })),
  policyTargets: z.array(z.object({ policyName: z.string(), targets: z.array(z.string()) })),
  topicRules: keyed('ruleName'),
  parameters: keyed('name'),
  queues: z.array(z.looseObject({ name: z.string(), messages: z.array(z.looseObject({})) })),
  // Added after the first state files were written: absent means none.
  thingGroups: z
    .object({
      groups: keyed('thingGroupName'),
      members: z.array(z.object({ thingGroupName: z.string(), things: z.array(z.string()) })),
    })
    .default({ groups: [], members: [] }),
  dynamoTables: z
    .array(z.looseObject({ name: z.string(), items: z.array(z.looseObject({ key: z.string() })) }))
    .default([]),
});

export function readSnapshot(input: unknown): RegistrySnapshot {
  const result = snapshotSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown shape';
    throw new EmulatorConfigError('BAD_STATE', `the state file is not a jitr local state (${where})`);
  }
  return result.data as unknown as RegistrySnapshot;
}
