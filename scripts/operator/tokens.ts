import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { newClaimToken, tokenParameterName, tokenRecord } from '../../functions/vend/tokens.js';
import { SERVICE } from './deployment.js';

/** SSM names of the vending endpoint, as serverless.yml gives them to the `vend` function. */
export const vendConfigParameterName = (stage: string) => `/${SERVICE}/${stage}/vend/config`;
export const vendTokenPrefix = (stage: string) => `/${SERVICE}/${stage}/vend/tokens/`;

export interface ClaimToken {
  deviceId: string;
  /** Shown once; only its hash is stored. */
  token: string;
  /** SSM parameter holding the hash. */
  parameter: string;
}

/**
 * Makes a claim token for one device: `Authorization: Bearer <token>` on `POST /devices` and `DELETE /devices/<id>` of
 * that device only. The SHA-256 is stored as a SecureString; making a new token voids the previous one of the device.
 */
export async function createClaimToken(
  ssm: SSMClient,
  options: { stage: string; deviceId: string; now?: Date },
): Promise<ClaimToken> {
  const token = newClaimToken(options.deviceId);
  const parameter = tokenParameterName(vendTokenPrefix(options.stage), options.deviceId);
  await ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: JSON.stringify(tokenRecord(token, options.now ?? new Date())),
      Type: 'SecureString',
      Overwrite: true,
      Description: 'jitr vend: SHA-256 of a device claim token (jitr token create)',
    }),
  );
  return { deviceId: options.deviceId, token, parameter };
}
