import { type BalenaApi, BalenaUnauthorized } from './balena-api.js';
import { upstreamFailed, VendError } from './errors.js';

/** What a provisioned device needs to connect. `privateKey` only when the endpoint generated the key pair. */
export interface DeviceCredentials {
  thingName: string;
  certificateId: string;
  certificatePem: string;
  privateKey?: string;
  endpoint: string;
  rootCaPem: string;
}

/**
 * Where credentials go. `response`: the HTTP response carries them. `balena-env`: they become environment variables of
 * one service on the balena device (what balena's cloud-relay block reads), and the response carries no private key.
 */
export interface CredentialSink {
  readonly mode: 'response' | 'balena-env';
  deliver(deviceId: string, credentials: DeviceCredentials): Promise<void>;
  clear(deviceId: string): Promise<void>;
}

export const responseSink: CredentialSink = {
  mode: 'response',
  async deliver() {},
  async clear() {},
};

/** The variables and their encoding: PEMs base64-encoded (one line each), the endpoint as it is. */
export const BALENA_VARIABLES = ['AWS_CERT', 'AWS_PRIVATE_KEY', 'AWS_ROOT_CA', 'AWS_DATA_ENDPOINT'] as const;

export function balenaVariables(credentials: DeviceCredentials): Map<string, string> {
  const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  const values = new Map<string, string>([
    ['AWS_CERT', b64(credentials.certificatePem)],
    ['AWS_ROOT_CA', b64(credentials.rootCaPem)],
    ['AWS_DATA_ENDPOINT', credentials.endpoint],
  ]);
  if (credentials.privateKey !== undefined) values.set('AWS_PRIVATE_KEY', b64(credentials.privateKey));
  return values;
}

export function balenaEnvSink(api: BalenaApi, operatorToken: () => Promise<string>, service: string): CredentialSink {
  async function target(deviceId: string): Promise<{ token: string; install: number } | undefined> {
    const token = await operatorToken();
    try {
      const install = await api.serviceInstallId(deviceId.toLowerCase(), service, token);
      return install === undefined ? undefined : { token, install };
    } catch (error) {
      if (error instanceof BalenaUnauthorized) throw upstreamFailed('balenaCloud refused the operator token', error);
      throw error;
    }
  }
  return {
    mode: 'balena-env',
    async deliver(deviceId, credentials) {
      const found = await target(deviceId);
      if (!found) {
        throw new VendError('BALENA_SERVICE_NOT_FOUND', 409, `service ${service} is not installed on the device`);
      }
      const existing = new Map((await api.serviceVariables(found.install, found.token)).map((v) => [v.name, v.id]));
      const values = balenaVariables(credentials);
      for (const [name, value] of values) {
        const id = existing.get(name);
        if (id === undefined) await api.createServiceVariable(found.install, name, value, found.token);
        else await api.updateServiceVariable(id, value, found.token);
      }
      // A device that moved to its own key (CSR) must not keep a key the endpoint generated earlier.
      const staleKey = existing.get('AWS_PRIVATE_KEY');
      if (!values.has('AWS_PRIVATE_KEY') && staleKey !== undefined)
        await api.deleteServiceVariable(staleKey, found.token);
    },
    async clear(deviceId) {
      const found = await target(deviceId);
      if (!found) return;
      const ours = new Set<string>(BALENA_VARIABLES);
      for (const variable of await api.serviceVariables(found.install, found.token)) {
        if (ours.has(variable.name)) await api.deleteServiceVariable(variable.id, found.token);
      }
    },
  };
}
