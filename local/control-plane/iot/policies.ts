import { createHash } from 'node:crypto';
import { AwsServiceError, alreadyExists, deleteConflict, notFound, versionsLimitExceeded } from '../../errors.js';
import { certificateIdFromArn } from '../../state/arns.js';
import type { PolicyRecord, PolicyVersionRecord } from '../../state/model.js';
import { defaultPolicyVersion } from '../../state/store.js';
import { tokenOf } from './cas.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import { label, queryBoolean, queryInteger, queryString, requiredBodyString } from './input.js';
import { paginate } from './pagination.js';
import { policySummary, policyVersionSummary, seconds } from './render.js';

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** AWS keeps at most five versions of a policy. */
export const MAX_POLICY_VERSIONS = 5;
/** CreatePolicy / CreatePolicyVersion: "a maximum length of 2048, excluding whitespace". */
const MAX_POLICY_CHARACTERS = 2048;
/** AWS attaches at most ten policies to one certificate. */
const MAX_POLICIES_PER_TARGET = 10;

const malformed = (message: string) => new AwsServiceError('MalformedPolicyException', 400, message);

function policyName(request: IotRequest): string {
  const name = label(request, 'policyName');
  if (!POLICY_NAME.test(name)) throw new AwsServiceError('InvalidRequestException', 400, 'policyName is not valid');
  return name;
}

function requirePolicy(context: IotContext, name: string): PolicyRecord {
  const policy = context.store.getPolicy(name);
  if (!policy) throw notFound(`Policy ${name} does not exist`);
  return policy;
}

/** A policy document must be a JSON object with a Statement; AWS answers MalformedPolicyException otherwise. */
function policyDocument(request: IotRequest): string {
  const document = requiredBodyString(request, 'policyDocument');
  if (document.replace(/\s/g, '').length > MAX_POLICY_CHARACTERS) {
    throw malformed(`The policy document is over ${MAX_POLICY_CHARACTERS} characters, whitespace excluded`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformed('The policy document is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || !('Statement' in parsed)) {
    throw malformed('The policy document has no Statement');
  }
  return document;
}

const generationId = (policy: PolicyRecord) =>
  createHash('sha256').update(`${policy.policyName}:${policy.lastModifiedDate}`).digest('hex').slice(0, 32);

function createPolicy(context: IotContext, request: IotRequest) {
  const name = policyName(request);
  const document = policyDocument(request);
  if (context.store.getPolicy(name)) throw alreadyExists(`Policy ${name} already exists`);
  const now = context.now();
  const record: PolicyRecord = {
    policyName: name,
    policyArn: context.store.policyArn(name),
    versions: [{ versionId: '1', document, isDefaultVersion: true, createDate: now }],
    nextVersionId: 2,
    creationDate: now,
    lastModifiedDate: now,
  };
  context.store.putPolicy(record);
  return { policyName: name, policyArn: record.policyArn, policyDocument: document, policyVersionId: '1' };
}

function getPolicy(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const version = defaultPolicyVersion(policy);
  return {
    policyName: policy.policyName,
    policyArn: policy.policyArn,
    policyDocument: version?.document,
    defaultVersionId: version?.versionId,
    creationDate: seconds(policy.creationDate),
    lastModifiedDate: seconds(policy.lastModifiedDate),
    generationId: generationId(policy),
  };
}

/** CreatePolicyVersion: at most five versions; setAsDefault moves the default to the new one. */
function createPolicyVersion(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const document = policyDocument(request);
  if (policy.versions.length >= MAX_POLICY_VERSIONS) {
    throw versionsLimitExceeded(`Policy ${policy.policyName} already has ${MAX_POLICY_VERSIONS} versions`);
  }
  const setAsDefault = queryBoolean(request, 'setAsDefault') === true;
  const now = context.now();
  const version: PolicyVersionRecord = {
    versionId: String(policy.nextVersionId),
    document,
    isDefaultVersion: setAsDefault,
    createDate: now,
  };
  const versions = policy.versions.map((v) => (setAsDefault ? { ...v, isDefaultVersion: false } : v));
  context.store.putPolicy({
    ...policy,
    versions: [...versions, version],
    nextVersionId: policy.nextVersionId + 1,
    lastModifiedDate: now,
  });
  return {
    policyArn: policy.policyArn,
    policyDocument: document,
    policyVersionId: version.versionId,
    isDefaultVersion: setAsDefault,
  };
}

function requireVersion(policy: PolicyRecord, request: IotRequest): PolicyVersionRecord {
  const id = label(request, 'policyVersionId');
  const version = policy.versions.find((v) => v.versionId === id);
  if (!version) throw notFound(`Policy ${policy.policyName} has no version ${id}`);
  return version;
}

function getPolicyVersion(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const version = requireVersion(policy, request);
  return {
    policyArn: policy.policyArn,
    policyName: policy.policyName,
    policyDocument: version.document,
    policyVersionId: version.versionId,
    isDefaultVersion: version.isDefaultVersion,
    creationDate: seconds(version.createDate),
    lastModifiedDate: seconds(policy.lastModifiedDate),
    generationId: generationId(policy),
  };
}

function listPolicyVersions(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  return { policyVersions: policy.versions.map(policyVersionSummary) };
}

function setDefaultPolicyVersion(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const chosen = requireVersion(policy, request);
  const versions = policy.versions.map((v) => ({ ...v, isDefaultVersion: v.versionId === chosen.versionId }));
  context.store.putPolicy({ ...policy, versions, lastModifiedDate: context.now() });
  return undefined;
}

function deletePolicyVersion(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const version = requireVersion(policy, request);
  if (version.isDefaultVersion) throw deleteConflict('The default version of a policy cannot be deleted');
  const versions = policy.versions.filter((v) => v.versionId !== version.versionId);
  context.store.putPolicy({ ...policy, versions, lastModifiedDate: context.now() });
  return undefined;
}

/** DeletePolicy: not while attached to a target, and not while it has versions other than the default. */
function deletePolicy(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  if (context.store.targetsForPolicy(policy.policyName).length > 0) {
    throw deleteConflict(`Policy ${policy.policyName} is attached to one or more targets`);
  }
  if (policy.versions.length > 1) throw deleteConflict(`Policy ${policy.policyName} has non-default versions`);
  context.store.deletePolicy(policy.policyName);
  return undefined;
}

function listPolicies(context: IotContext, request: IotRequest) {
  const page = paginate(context.store.listPolicies(), {
    sortKey: (policy) => policy.policyName,
    descending: queryBoolean(request, 'isAscendingOrder') === false,
    size: queryInteger(request, 'pageSize', { min: 1, max: 250 }) ?? 25,
    ...tokenOf(queryString(request, 'marker')),
  });
  return { policies: page.items.map(policySummary), ...(page.next ? { nextMarker: page.next } : {}) };
}

function target(context: IotContext, request: IotRequest, fromLabel: boolean): string {
  const value = fromLabel ? label(request, 'target') : requiredBodyString(request, 'target');
  const certificateId = certificateIdFromArn(value);
  if (certificateId !== undefined && !context.store.getCertificate(certificateId)) {
    throw notFound(`Certificate ${certificateId} does not exist`);
  }
  return value;
}

function attachPolicy(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const to = target(context, request, false);
  const attached = context.store.policiesForPrincipal(to).map((p) => p.policyName);
  if (!attached.includes(policy.policyName) && attached.length >= MAX_POLICIES_PER_TARGET) {
    throw new AwsServiceError(
      'LimitExceededException',
      410,
      `A target can have at most ${MAX_POLICIES_PER_TARGET} policies`,
    );
  }
  context.store.attachPolicy(policy.policyName, to);
  return undefined;
}

function detachPolicy(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  context.store.detachPolicy(policy.policyName, requiredBodyString(request, 'target'));
  return undefined;
}

function listAttachedPolicies(context: IotContext, request: IotRequest) {
  const page = paginate(context.store.policiesForPrincipal(target(context, request, true)), {
    sortKey: (policy) => policy.policyName,
    size: queryInteger(request, 'pageSize', { min: 1, max: 250 }) ?? 25,
    ...tokenOf(queryString(request, 'marker')),
  });
  return { policies: page.items.map(policySummary), ...(page.next ? { nextMarker: page.next } : {}) };
}

function listTargetsForPolicy(context: IotContext, request: IotRequest) {
  const policy = requirePolicy(context, policyName(request));
  const page = paginate(context.store.targetsForPolicy(policy.policyName), {
    sortKey: (value) => value,
    size: queryInteger(request, 'pageSize', { min: 1, max: 250 }) ?? 25,
    ...tokenOf(queryString(request, 'marker')),
  });
  return { targets: page.items, ...(page.next ? { nextMarker: page.next } : {}) };
}

const VERSION_PATH = '/policies/{policyName}/version/{policyVersionId}';

export const policyOperations: IotOperation[] = [
  { name: 'CreatePolicy', method: 'POST', path: '/policies/{policyName}', handler: createPolicy },
  { name: 'GetPolicy', method: 'GET', path: '/policies/{policyName}', handler: getPolicy },
  { name: 'DeletePolicy', method: 'DELETE', path: '/policies/{policyName}', handler: deletePolicy },
  { name: 'ListPolicies', method: 'GET', path: '/policies', handler: listPolicies },
  { name: 'CreatePolicyVersion', method: 'POST', path: '/policies/{policyName}/version', handler: createPolicyVersion },
  { name: 'ListPolicyVersions', method: 'GET', path: '/policies/{policyName}/version', handler: listPolicyVersions },
  { name: 'GetPolicyVersion', method: 'GET', path: VERSION_PATH, handler: getPolicyVersion },
  { name: 'SetDefaultPolicyVersion', method: 'PATCH', path: VERSION_PATH, handler: setDefaultPolicyVersion },
  { name: 'DeletePolicyVersion', method: 'DELETE', path: VERSION_PATH, handler: deletePolicyVersion },
  { name: 'AttachPolicy', method: 'PUT', path: '/target-policies/{policyName}', handler: attachPolicy },
  { name: 'DetachPolicy', method: 'POST', path: '/target-policies/{policyName}', handler: detachPolicy },
  { name: 'ListAttachedPolicies', method: 'POST', path: '/attached-policies/{target}', handler: listAttachedPolicies },
  { name: 'ListTargetsForPolicy', method: 'POST', path: '/policy-targets/{policyName}', handler: listTargetsForPolicy },
];
