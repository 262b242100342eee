import { Router } from '../router.js';
import { accountOperations } from './account.js';
import { caOperations } from './cas.js';
import { certificateOperations } from './certificates.js';
import type { IotOperation } from './context.js';
import { policyOperations } from './policies.js';
import { ruleOperations } from './rules.js';
import { thingGroupOperations } from './thing-groups.js';
import { thingOperations } from './things.js';

/** Every AWS IoT operation the emulator serves, by REST method and path as the AWS SDK sends them. */
export const iotOperations: IotOperation[] = [
  ...caOperations,
  ...certificateOperations,
  ...thingOperations,
  ...thingGroupOperations,
  ...policyOperations,
  ...ruleOperations,
  ...accountOperations,
];

export function iotRouter(): Router<IotOperation> {
  return new Router(
    iotOperations.map((operation) => ({ method: operation.method, template: operation.path, value: operation })),
  );
}
