import { createPublicKey, randomBytes } from 'node:crypto';
import type { LoadedCertificate } from '../../../certs/parse.js';
import {
  alreadyExists,
  certificateState,
  certificateValidation,
  deleteConflict,
  invalidRequest,
  notFound,
} from '../../errors.js';
import type { CaCertificateRecord, CertificateRecord, CertificateStatus } from '../../state/model.js';
import { issueFromCsr, issueWithNewKey } from './amazon-ca.js';
import { requireCa, tokenOf } from './cas.js';
import {
  isSignedBy,
  isWithinValidity,
  readCertificate,
  requireSupportedSignature,
  validityOf,
} from './certificate-checks.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import {
  bodyString,
  certificateIdOf,
  label,
  oneOfValues,
  queryBoolean,
  queryInteger,
  queryString,
  requiredBodyString,
} from './input.js';
import { creationKey, paginate } from './pagination.js';
import { certificateDescription, certificateSummary } from './render.js';

const STATUSES = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
] as const;
/** Statuses AWS keeps for itself: UpdateCertificate refuses to set them. */
const INTERNAL_STATUSES: readonly CertificateStatus[] = ['PENDING_TRANSFER', 'PENDING_ACTIVATION'];

export function requireCertificate(context: IotContext, rawId: string): CertificateRecord {
  const id = certificateIdOf(rawId);
  const certificate = context.store.getCertificate(id);
  if (!certificate) throw notFound(`Certificate ${id} does not exist`);
  return certificate;
}

function newRecord(
  context: IotContext,
  loaded: LoadedCertificate,
  status: CertificateStatus,
  ca: CaCertificateRecord | undefined,
): CertificateRecord {
  const { store } = context;
  if (store.getCertificate(loaded.certificateId)) {
    throw alreadyExists(`Certificate ${loaded.certificateId} is already registered`);
  }
  const now = context.now();
  const record: CertificateRecord = {
    certificateId: loaded.certificateId,
    certificateArn: store.certArn(loaded.certificateId),
    certificatePem: loaded.x509.toString(),
    ...(ca ? { caCertificateId: ca.certificateId } : {}),
    status,
    certificateMode: ca ? ca.certificateMode : 'SNI_ONLY',
    ownedBy: store.scope.accountId,
    creationDate: now,
    lastModifiedDate: now,
    customerVersion: 1,
    generationId: randomBytes(16).toString('hex'),
    validity: validityOf(loaded.x509),
  };
  store.putCertificate(record);
  return record;
}

function requestedStatus(request: IotRequest): CertificateStatus {
  if (queryBoolean(request, 'setAsActive')) return 'ACTIVE';
  return oneOfValues(bodyString(request, 'status'), 'status', STATUSES) ?? 'INACTIVE';
}

/** The registered CA that signed `device`: the one named by caCertificatePem, else any registered CA that verifies. */
function signingCa(context: IotContext, request: IotRequest, device: LoadedCertificate): CaCertificateRecord {
  const caPem = bodyString(request, 'caCertificatePem');
  if (caPem) {
    const ca = readCertificate(caPem, 'caCertificatePem');
    const registered = context.store.getCa(ca.certificateId);
    if (!registered) throw certificateValidation('The CA certificate is not registered');
    if (!isSignedBy(device.x509, ca.x509)) throw certificateValidation('The certificate is not signed by the CA');
    return registered;
  }
  for (const ca of context.store.findCasBySubject(device.x509.issuer)) {
    if (isSignedBy(device.x509, readCertificate(ca.certificatePem, 'CA').x509)) return ca;
  }
  throw certificateValidation('The certificate is not signed by a registered CA certificate');
}

function registerCertificate(context: IotContext, request: IotRequest) {
  const device = readCertificate(requiredBodyString(request, 'certificatePem'), 'certificatePem');
  requireSupportedSignature(device, 'The certificate');
  if (!isWithinValidity(device.x509, context.now())) throw certificateValidation('The certificate is not valid now');
  const record = newRecord(context, device, requestedStatus(request), signingCa(context, request, device));
  return { certificateArn: record.certificateArn, certificateId: record.certificateId };
}

function registerCertificateWithoutCa(context: IotContext, request: IotRequest) {
  const device = readCertificate(requiredBodyString(request, 'certificatePem'), 'certificatePem');
  requireSupportedSignature(device, 'The certificate');
  if (!isWithinValidity(device.x509, context.now())) throw certificateValidation('The certificate is not valid now');
  const record = newRecord(context, device, requestedStatus(request), undefined);
  return { certificateArn: record.certificateArn, certificateId: record.certificateId };
}

function describeCertificate(context: IotContext, request: IotRequest) {
  return {
    certificateDescription: certificateDescription(requireCertificate(context, label(request, 'certificateId'))),
  };
}

/** UpdateCertificate: REVOKED is final, and the internal statuses cannot be set. */
function updateCertificate(context: IotContext, request: IotRequest) {
  const newStatus = oneOfValues(queryString(request, 'newStatus'), 'newStatus', STATUSES);
  if (!newStatus) throw invalidRequest('newStatus is required');
  const certificate = requireCertificate(context, label(request, 'certificateId'));
  if (INTERNAL_STATUSES.includes(newStatus)) throw invalidRequest(`newStatus ${newStatus} cannot be set`);
  if (certificate.status === 'REVOKED' && newStatus !== 'REVOKED') {
    throw certificateState('The certificate is REVOKED; a revoked certificate cannot change status');
  }
  if (certificate.status === 'PENDING_TRANSFER') throw certificateState('The certificate is pending transfer');
  context.store.setCertificateStatus(certificate.certificateId, newStatus, context.now());
  return undefined;
}

/** DeleteCertificate: not while ACTIVE, not while attached to a thing; policies only with forceDelete. */
function deleteCertificate(context: IotContext, request: IotRequest) {
  const { store } = context;
  const certificate = requireCertificate(context, label(request, 'certificateId'));
  if (certificate.status === 'ACTIVE') throw certificateState('Cannot delete an ACTIVE certificate');
  if (store.thingsForPrincipal(certificate.certificateArn).length > 0) {
    throw deleteConflict('The certificate is attached to one or more things');
  }
  const policies = store.policiesForPrincipal(certificate.certificateArn);
  if (policies.length > 0 && queryBoolean(request, 'forceDelete') !== true) {
    throw deleteConflict('The certificate has one or more policies attached');
  }
  for (const policy of policies) store.detachPolicy(policy.policyName, certificate.certificateArn);
  store.deleteCertificate(certificate.certificateId);
  return undefined;
}

function listPage(certificates: CertificateRecord[], request: IotRequest) {
  const page = paginate(certificates, {
    sortKey: (certificate) => creationKey(certificate.creationDate, certificate.certificateId),
    descending: queryBoolean(request, 'isAscendingOrder') !== true,
    size: queryInteger(request, 'pageSize', { min: 1, max: 250 }) ?? 25,
    ...tokenOf(queryString(request, 'marker')),
  });
  return { certificates: page.items.map(certificateSummary), ...(page.next ? { nextMarker: page.next } : {}) };
}

function listCertificates(context: IotContext, request: IotRequest) {
  return listPage(context.store.listCertificates(), request);
}

function listCertificatesByCa(context: IotContext, request: IotRequest) {
  const ca = requireCa(context, label(request, 'caCertificateId'));
  const signed = context.store.listCertificates().filter((c) => c.caCertificateId === ca.certificateId);
  return listPage(signed, request);
}

async function createKeysAndCertificate(context: IotContext, request: IotRequest) {
  const issued = await issueWithNewKey(context);
  const loaded = readCertificate(issued.certificatePem, 'issued certificate');
  const status = queryBoolean(request, 'setAsActive') ? 'ACTIVE' : 'INACTIVE';
  const record = newRecord(context, loaded, status, undefined);
  const privateKey = issued.privateKeyPem;
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    certificatePem: record.certificatePem,
    keyPair: { PublicKey: publicKey, PrivateKey: privateKey },
  };
}

async function createCertificateFromCsr(context: IotContext, request: IotRequest) {
  const issued = await issueFromCsr(context, requiredBodyString(request, 'certificateSigningRequest'));
  const loaded = readCertificate(issued.certificatePem, 'issued certificate');
  const status = queryBoolean(request, 'setAsActive') ? 'ACTIVE' : 'INACTIVE';
  const record = newRecord(context, loaded, status, undefined);
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    certificatePem: record.certificatePem,
  };
}

export const certificateOperations: IotOperation[] = [
  { name: 'RegisterCertificate', method: 'POST', path: '/certificate/register', handler: registerCertificate },
  {
    name: 'RegisterCertificateWithoutCA',
    method: 'POST',
    path: '/certificate/register-no-ca',
    handler: registerCertificateWithoutCa,
  },
  { name: 'DescribeCertificate', method: 'GET', path: '/certificates/{certificateId}', handler: describeCertificate },
  { name: 'UpdateCertificate', method: 'PUT', path: '/certificates/{certificateId}', handler: updateCertificate },
  { name: 'DeleteCertificate', method: 'DELETE', path: '/certificates/{certificateId}', handler: deleteCertificate },
  { name: 'ListCertificates', method: 'GET', path: '/certificates', handler: listCertificates },
  {
    name: 'ListCertificatesByCA',
    method: 'GET',
    path: '/certificates-by-ca/{caCertificateId}',
    handler: listCertificatesByCa,
  },
  {
    name: 'CreateKeysAndCertificate',
    method: 'POST',
    path: '/keys-and-certificate',
    handler: createKeysAndCertificate,
  },
  { name: 'CreateCertificateFromCsr', method: 'POST', path: '/certificates', handler: createCertificateFromCsr },
];
