import { upstreamFailed } from './errors.js';

/**
 * The few balenaCloud API (v7, OData) calls the endpoint makes: look a device up by UUID, find the install of a
 * service on it, and set / remove that service's environment variables. Values put into `$filter` are checked
 * before (hex UUIDs, service names of [a-zA-Z0-9_.-]), so no caller text reaches a query unescaped.
 */
export interface BalenaDevice {
  id: number;
  uuid: string;
}

export interface BalenaVariable {
  id: number;
  name: string;
}

export interface BalenaApi {
  /** The device with that UUID as `token` sees it; undefined when it does not exist (or is not visible to `token`). */
  findDevice(uuid: string, token: string): Promise<BalenaDevice | undefined>;
  serviceInstallId(uuid: string, serviceName: string, token: string): Promise<number | undefined>;
  serviceVariables(serviceInstallId: number, token: string): Promise<BalenaVariable[]>;
  createServiceVariable(serviceInstallId: number, name: string, value: string, token: string): Promise<void>;
  updateServiceVariable(id: number, value: string, token: string): Promise<void>;
  deleteServiceVariable(id: number, token: string): Promise<void>;
}

/** balenaCloud refused the token (401/403): the caller's credential is not a valid key. */
export class BalenaUnauthorized extends Error {
  constructor() {
    super('balenaCloud refused the token');
    this.name = 'BalenaUnauthorized';
  }
}

export const BALENA_UUID = /^(?:[0-9a-f]{32}|[0-9a-f]{62})$/;
const SERVICE_NAME = /^[a-zA-Z0-9_.-]{1,63}$/;
const TIMEOUT_MS = 5_000;

type Fetch = typeof fetch;

export function balenaApi(apiUrl: string, fetchImpl: Fetch = fetch): BalenaApi {
  const base = apiUrl.replace(/\/+$/, '');

  async function call(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      throw upstreamFailed(`balenaCloud ${method} ${path.split('?')[0]} failed: ${(error as Error).name}`, error);
    }
    if (response.status === 401 || response.status === 403) throw new BalenaUnauthorized();
    if (!response.ok) throw upstreamFailed(`balenaCloud ${method} ${path.split('?')[0]} answered ${response.status}`);
    const text = await response.text();
    if (text === '' || text === 'OK') return undefined;
    try {
      return JSON.parse(text);
    } catch (error) {
      throw upstreamFailed(`balenaCloud ${method} ${path.split('?')[0]} answered non-JSON`, error);
    }
  }

  const rows = (document: unknown): Record<string, unknown>[] => {
    const d = (document as { d?: unknown })?.d;
    if (!Array.isArray(d)) throw upstreamFailed('balenaCloud answered without a "d" array');
    return d.filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object');
  };
  const checkUuid = (uuid: string) => {
    if (!BALENA_UUID.test(uuid)) throw upstreamFailed('not a balena device UUID');
  };
  const q = (text: string) => encodeURIComponent(text);

  return {
    async findDevice(uuid, token) {
      checkUuid(uuid);
      const document = await call('GET', `/v7/device?$filter=${q(`uuid eq '${uuid}'`)}&$select=id,uuid`, token);
      const row = rows(document).find((device) => device.uuid === uuid);
      return row && typeof row.id === 'number' ? { id: row.id, uuid } : undefined;
    },

    async serviceInstallId(uuid, serviceName, token) {
      checkUuid(uuid);
      if (!SERVICE_NAME.test(serviceName)) throw upstreamFailed('not a service name');
      const filter = q(`device/uuid eq '${uuid}'`);
      const expand = q('installs__service($select=service_name)');
      const document = await call('GET', `/v7/service_install?$filter=${filter}&$expand=${expand}`, token);
      const install = rows(document).find((row) => {
        const services = row.installs__service;
        return (
          Array.isArray(services) &&
          services.some((s) => (s as { service_name?: unknown }).service_name === serviceName)
        );
      });
      return install && typeof install.id === 'number' ? install.id : undefined;
    },

    async serviceVariables(serviceInstallId, token) {
      const filter = q(`service_install eq ${Math.trunc(serviceInstallId)}`);
      const document = await call(
        'GET',
        `/v7/device_service_environment_variable?$filter=${filter}&$select=id,name`,
        token,
      );
      return rows(document).flatMap((row) =>
        typeof row.id === 'number' && typeof row.name === 'string' ? [{ id: row.id, name: row.name }] : [],
      );
    },

    async createServiceVariable(serviceInstallId, name, value, token) {
      await call('POST', '/v7/device_service_environment_variable', token, {
        service_install: serviceInstallId,
        name,
        value,
      });
    },

    async updateServiceVariable(id, value, token) {
      await call('PATCH', `/v7/device_service_environment_variable(${Math.trunc(id)})`, token, { value });
    },

    async deleteServiceVariable(id, token) {
      await call('DELETE', `/v7/device_service_environment_variable(${Math.trunc(id)})`, token);
    },
  };
}
