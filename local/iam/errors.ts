import { AwsServiceError } from '../errors.js';

/** How a service's protocol names authentication and authorization failures. */
export type ErrorFlavour = 'rest-json' | 'json' | 'query';

/**
 * An unknown access key: `InvalidClientTokenId` (HTTP 403) in the query protocol, `UnrecognizedClientException` in the
 * JSON ones (HTTP 400 for JSON-RPC services such as SSM, 403 for AWS IoT's REST API).
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
 */
export function unrecognizedClient(flavour: ErrorFlavour): AwsServiceError {
  const message = 'The security token included in the request is invalid.';
  if (flavour === 'query') return new AwsServiceError('InvalidClientTokenId', 403, message);
  return new AwsServiceError('UnrecognizedClientException', flavour === 'json' ? 400 : 403, message);
}

/** No Authorization header at all. */
export function missingAuthentication(flavour: ErrorFlavour): AwsServiceError {
  const message = 'Missing Authentication Token';
  if (flavour === 'query') return new AwsServiceError('MissingAuthenticationToken', 403, message);
  return new AwsServiceError('MissingAuthenticationTokenException', flavour === 'json' ? 400 : 403, message);
}

/**
 * IAM denied the request. The message has AWS's shape: who, which action, which resource, and why
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). AWS IoT answers HTTP 403; the
 * JSON-RPC services' common error is HTTP 400 (https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html);
 * the query protocol calls it AccessDenied.
 */
export function accessDenied(
  flavour: ErrorFlavour,
  callerArn: string,
  action: string,
  resource: string,
  explicit: boolean,
): AwsServiceError {
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  const message = `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
  if (flavour === 'query') return new AwsServiceError('AccessDenied', 403, message);
  return new AwsServiceError('AccessDeniedException', flavour === 'json' ? 400 : 403, message);
}
