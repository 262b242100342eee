import { randomBytes } from 'node:crypto';
import { alreadyExists, certificateState, certificateValidation, invalidRequest, notFound } from '../../errors.js';
import type { AutoRegistrationStatus, CaCertificateRecord, CaStatus, CertificateMode } from '../../state/model.js';
import {
  isSignedBy,
  isWithinValidity,
  readCertificate,
  requireSupportedSignature,
  subjectCommonName,
  validityOf,
} from './certificate-checks.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import {
  bodyBoolean,
  bodyObject,
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
import { caDescription, seconds } from './render.js';

const CA_STATUSES = ['ACTIVE', 'INACTIVE'] as const;
const AUTO_REGISTRATION = ['ENABLE', 'DISABLE'] as const;
const MODES = ['DEFAULT', 'SNI_ONLY'] as const;

export function requireCa(context: IotContext, rawId: string): CaCertificateRecord {
  const id = certificateIdOf(rawId);
  const ca = context.store.getCa(id);
  if (!ca) throw notFound(`CA certificate ${id} does not exist`);
  return ca;
}

function registrationConfig(request: IotRequest): CaCertificateRecord['registrationConfig'] {
  const config = bodyObject(request, 'registrationConfig');
  if (!config) return undefined;
  const out: NonNullable<CaCertificateRecord['registrationConfig']> = {};
  for (const key of ['templateBody', 'roleArn', 'templateName'] as const) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw invalidRequest(`registrationConfig.${key} must be a string`);
    out[key] = value;
  }
  return out;
}

/**
 * RegisterCACertificate. DEFAULT mode proves possession of the CA key: the verification certificate's Subject CN must be
 * the account's registration code and the CA must have signed it. SNI_ONLY takes no verification certificate.
 */
function registerCaCertificate(context: IotContext, request: IotRequest) {
  const { store } = context;
  const mode = oneOfValues(bodyString(request, 'certificateMode'), 'certificateMode', MODES) ?? 'DEFAULT';
  const ca = readCertificate(requiredBodyString(request, 'caCertificate'), 'caCertificate');
  requireSupportedSignature(ca, 'The CA certificate');
  if (!ca.x509.ca) throw certificateValidation('caCertificate is not a CA certificate (basicConstraints CA:FALSE)');
  const now = context.now();
  if (!isWithinValidity(ca.x509, now)) throw certificateValidation('The CA certificate is expired or not yet valid');
  if (mode === 'DEFAULT') {
    const pem = bodyString(request, 'verificationCertificate');
    if (!pem) throw invalidRequest('verificationCertificate is required when certificateMode is DEFAULT');
    const verification = readCertificate(pem, 'verificationCertificate');
    if (subjectCommonName(verification.x509) !== store.getRegistrationCode()) {
      throw certificateValidation('The verification certificate Subject CN is not the registration code');
    }
    if (!isSignedBy(verification.x509, ca.x509)) {
      throw certificateValidation('The verification certificate is not signed by the CA certificate');
    }
  }
  if (store.getCa(ca.certificateId)) {
    throw alreadyExists(`CA certificate ${ca.certificateId} is already registered`);
  }
  const config = registrationConfig(request);
  const record: CaCertificateRecord = {
    certificateId: ca.certificateId,
    certificateArn: store.caArn(ca.certificateId),
    certificatePem: ca.x509.toString(),
    status: queryBoolean(request, 'setAsActive') ? 'ACTIVE' : 'INACTIVE',
    autoRegistrationStatus: queryBoolean(request, 'allowAutoRegistration') ? 'ENABLE' : 'DISABLE',
    certificateMode: mode as CertificateMode,
    ownedBy: store.scope.accountId,
    creationDate: now,
    lastModifiedDate: now,
    customerVersion: 1,
    generationId: randomBytes(16).toString('hex'),
    validity: validityOf(ca.x509),
    ...(config ? { registrationConfig: config } : {}),
  };
  store.putCa(record);
  return { certificateArn: record.certificateArn, certificateId: record.certificateId };
}

function describeCaCertificate(context: IotContext, request: IotRequest) {
  const ca = requireCa(context, label(request, 'certificateId'));
  return {
    certificateDescription: caDescription(ca),
    ...(ca.registrationConfig ? { registrationConfig: ca.registrationConfig } : {}),
  };
}

function updateCaCertificate(context: IotContext, request: IotRequest) {
  const ca = requireCa(context, label(request, 'certificateId'));
  const status = oneOfValues(queryString(request, 'newStatus'), 'newStatus', CA_STATUSES);
  const auto = oneOfValues(
    queryString(request, 'newAutoRegistrationStatus'),
    'newAutoRegistrationStatus',
    AUTO_REGISTRATION,
  );
  const config = registrationConfig(request);
  const remove = bodyBoolean(request, 'removeAutoRegistration') === true;
  if (remove && config) throw invalidRequest('removeAutoRegistration cannot be combined with registrationConfig');
  const { registrationConfig: previousConfig, ...rest } = ca;
  const nextConfig = remove ? undefined : (config ?? previousConfig);
  context.store.putCa({
    ...rest,
    status: (status ?? ca.status) as CaStatus,
    autoRegistrationStatus: (auto ?? ca.autoRegistrationStatus) as AutoRegistrationStatus,
    lastModifiedDate: context.now(),
    customerVersion: ca.customerVersion + 1,
    ...(nextConfig ? { registrationConfig: nextConfig } : {}),
  });
  return undefined;
}

function deleteCaCertificate(context: IotContext, request: IotRequest) {
  const ca = requireCa(context, label(request, 'certificateId'));
  if (ca.status === 'ACTIVE') throw certificateState('A CA certificate must be INACTIVE before it can be deleted');
  context.store.deleteCa(ca.certificateId);
  return undefined;
}

function listCaCertificates(context: IotContext, request: IotRequest) {
  const page = paginate(context.store.listCas(), {
    sortKey: (ca) => creationKey(ca.creationDate, ca.certificateId),
    descending: queryBoolean(request, 'isAscendingOrder') !== true,
    size: queryInteger(request, 'pageSize', { min: 1, max: 250 }) ?? 25,
    ...tokenOf(queryString(request, 'marker')),
  });
  return {
    certificates: page.items.map((ca) => ({
      certificateArn: ca.certificateArn,
      certificateId: ca.certificateId,
      status: ca.status,
      creationDate: seconds(ca.creationDate),
    })),
    ...(page.next ? { nextMarker: page.next } : {}),
  };
}

function getRegistrationCode(context: IotContext) {
  return { registrationCode: context.store.getRegistrationCode() };
}

export const tokenOf = (token: string | undefined) => (token === undefined ? {} : { token });

export const caOperations: IotOperation[] = [
  { name: 'GetRegistrationCode', method: 'GET', path: '/registrationcode', handler: getRegistrationCode },
  { name: 'RegisterCACertificate', method: 'POST', path: '/cacertificate', handler: registerCaCertificate },
  {
    name: 'DescribeCACertificate',
    method: 'GET',
    path: '/cacertificate/{certificateId}',
    handler: describeCaCertificate,
  },
  { name: 'UpdateCACertificate', method: 'PUT', path: '/cacertificate/{certificateId}', handler: updateCaCertificate },
  {
    name: 'DeleteCACertificate',
    method: 'DELETE',
    path: '/cacertificate/{certificateId}',
    handler: deleteCaCertificate,
  },
  { name: 'ListCACertificates', method: 'GET', path: '/cacertificates', handler: listCaCertificates },
];
