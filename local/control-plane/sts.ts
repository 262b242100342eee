import { createHash } from 'node:crypto';
import { accessKeyIdOf } from '../iam/authorizer.js';
import { escapeXml, requestId } from './responses.js';

/**
 * STS GetCallerIdentity (query protocol, XML answer): the caller's ARN as IAM knows it, or with IAM off a local user
 * named after the access key.
 */
export function callerIdentityXml(accountId: string, authorization: string | undefined, callerArn?: string): string {
  const accessKeyId = accessKeyIdOf(authorization);
  const user = accessKeyId && /^[A-Za-z0-9]{1,128}$/.test(accessKeyId) ? accessKeyId : 'local';
  const arn = callerArn ?? `arn:aws:iam::${accountId}:user/${user}`;
  const userId = `AIDA${createHash('sha256').update(`${accountId}:${user}`).digest('hex').slice(0, 17).toUpperCase()}`;
  return [
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    '<GetCallerIdentityResult>',
    `<Arn>${escapeXml(arn)}</Arn>`,
    `<UserId>${userId}</UserId>`,
    `<Account>${escapeXml(accountId)}</Account>`,
    '</GetCallerIdentityResult>',
    `<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata>`,
    '</GetCallerIdentityResponse>',
  ].join('');
}
