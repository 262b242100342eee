import { CreatePolicyCommand, GetPolicyCommand, type IoTClient } from '@aws-sdk/client-iot';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { VendConfigInput } from '../../functions/vend/config.js';
import { isNotFound } from './errors.js';
import { devicePolicyDocument, type PolicyScope } from './policy.js';
import { vendConfigParameterName } from './tokens.js';

/**
 * Writes the vending configuration document and makes sure its device policy exists (the least-privilege device
 * policy preconfigure also uses: connect as the own Thing, topics under `<thing>/`). For the emulator, tests and
 * `jitr simulate --vend`; on AWS the same document can be written with `aws ssm put-parameter`.
 */
export async function configureVend(
  clients: { iot: IoTClient; ssm: SSMClient },
  options: { stage: string; config: VendConfigInput; scope: PolicyScope },
): Promise<{ parameter: string; policyCreated: boolean }> {
  let policyCreated = false;
  try {
    await clients.iot.send(new GetPolicyCommand({ policyName: options.config.policyName }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await clients.iot.send(
      new CreatePolicyCommand({
        policyName: options.config.policyName,
        policyDocument: JSON.stringify(devicePolicyDocument(options.scope)),
      }),
    );
    policyCreated = true;
  }
  const parameter = vendConfigParameterName(options.stage);
  await clients.ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: JSON.stringify(options.config),
      Type: 'String',
      Overwrite: true,
    }),
  );
  return { parameter, policyCreated };
}
