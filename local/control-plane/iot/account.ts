import { createHash } from 'node:crypto';
import { invalidRequest } from '../../errors.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import { bodyObject, oneOfValues, queryString } from './input.js';
import { seconds } from './render.js';

/** The event types of UpdateEventConfigurations; AWS starts with all of them disabled. */
export const EVENT_TYPES = [
  'THING',
  'THING_GROUP',
  'THING_TYPE',
  'THING_GROUP_MEMBERSHIP',
  'THING_GROUP_HIERARCHY',
  'THING_TYPE_ASSOCIATION',
  'JOB',
  'JOB_EXECUTION',
  'POLICY',
  'CERTIFICATE',
  'CA_CERTIFICATE',
] as const;

const ENDPOINT_TYPES = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'] as const;

/** A stable per-account prefix, as AWS gives each account its own endpoint host. */
export function endpointPrefix(accountId: string): string {
  return createHash('sha256').update(`jitr-local:${accountId}`).digest('hex').slice(0, 14);
}

/** The host DescribeEndpoint returns; `.localhost` because devices reach the emulator on loopback (use it as SNI). */
export function endpointAddress(accountId: string, region: string, type = 'iot:Data-ATS'): string {
  const prefix = endpointPrefix(accountId);
  switch (type) {
    case 'iot:Data':
      return `${prefix}.iot.${region}.localhost`;
    case 'iot:CredentialProvider':
      return `${prefix}.credentials.iot.${region}.localhost`;
    case 'iot:Jobs':
      return `${prefix}.jobs.iot.${region}.localhost`;
    default:
      return `${prefix}-ats.iot.${region}.localhost`;
  }
}

function describeEndpoint(context: IotContext, request: IotRequest) {
  const type = oneOfValues(queryString(request, 'endpointType'), 'endpointType', ENDPOINT_TYPES) ?? 'iot:Data';
  return { endpointAddress: endpointAddress(context.store.scope.accountId, context.store.scope.region, type) };
}

function describeEventConfigurations(context: IotContext) {
  const stored = context.store.getEventConfigurations();
  const eventConfigurations = Object.fromEntries(
    EVENT_TYPES.map((type) => [type, { Enabled: stored[type]?.Enabled ?? false }]),
  );
  const epoch = seconds(0);
  return { eventConfigurations, creationDate: epoch, lastModifiedDate: epoch };
}

function updateEventConfigurations(context: IotContext, request: IotRequest) {
  const given = bodyObject(request, 'eventConfigurations') ?? {};
  const update: Record<string, { Enabled: boolean }> = {};
  for (const [type, value] of Object.entries(given)) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) throw invalidRequest(`Unknown event type ${type}`);
    const enabled = (value as { Enabled?: unknown } | null)?.Enabled;
    if (typeof enabled !== 'boolean') throw invalidRequest(`eventConfigurations.${type}.Enabled must be a boolean`);
    update[type] = { Enabled: enabled };
  }
  context.store.setEventConfigurations(update);
  return undefined;
}

export const accountOperations: IotOperation[] = [
  { name: 'DescribeEndpoint', method: 'GET', path: '/endpoint', handler: describeEndpoint },
  {
    name: 'DescribeEventConfigurations',
    method: 'GET',
    path: '/event-configurations',
    handler: describeEventConfigurations,
  },
  {
    name: 'UpdateEventConfigurations',
    method: 'PATCH',
    path: '/event-configurations',
    handler: updateEventConfigurations,
  },
];
