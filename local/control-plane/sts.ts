import { createHash } from 'node:crypto';
import { escapeXml, requestId } from './responses.js';

/** STS GetCallerIdentity (query protocol, XML answer): the caller is a local user of the emulated account. */
export function callerIdentityXml(accountId: string, accessKeyId: string | undefined): string {
  const user = accessKeyId && /^[A-Za-z0-9]{1,128}$/.test(accessKeyId) ? accessKeyId : 'local';
  const userId = `AIDA${createHash('sha256').update(`${accountId}:${user}`).digest('hex').slice(0, 17).toUpperCase()}`;
  return [
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    '<GetCallerIdentityResult>',
    `<Arn>arn:aws:iam::${escapeXml(accountId)}:user/${escapeXml(user)}</Arn>`,
    `<UserId>${userId}</UserId>`,
    `<Account>${escapeXml(accountId)}</Account>`,
    '</GetCallerIdentityResult>',
    `<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata>`,
    '</GetCallerIdentityResponse>',
  ].join('');
}

/** The access key id from a SigV4 Authorization header (credentials are accepted as given, never checked). */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}
