import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for balenaCloud in tests: a loopback HTTP server speaking the few API v7 (OData) calls the vending endpoint
 * makes: device lookup by UUID, service installs of a device, and device service environment variables (list, create,
 * update, delete). A device API key sees only its own device; the operator token sees everything. Not balenaCloud:
 * only what those calls need, answered the way the public API documents them.
 */
export interface StandInDevice {
  id: number;
  uuid: string;
  /** The device's own API key (BALENA_API_KEY inside its containers). */
  apiKey: string;
  services: Map<string, number>;
  /** In another balenaCloud account: its own key sees it, the operator token does not. */
  foreign: boolean;
}

interface Variable {
  id: number;
  serviceInstall: number;
  name: string;
  value: string;
}

export interface BalenaStandIn {
  url: string;
  operatorToken: string;
  addDevice(services?: string[], options?: { foreign?: boolean }): StandInDevice;
  /** The variables of one service on one device, by name. */
  variables(uuid: string, service: string): Record<string, string>;
  /** Every request seen: method and path (query included). */
  requests: { method: string; path: string; auth: 'operator' | 'device' | 'other' }[];
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body?: unknown) {
  const text = body === undefined ? (status < 300 ? 'OK' : '') : JSON.stringify(body);
  response.writeHead(status, { 'content-type': body === undefined ? 'text/plain' : 'application/json' });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startBalenaStandIn(): Promise<BalenaStandIn> {
  const operatorToken = `op_${randomBytes(16).toString('hex')}`;
  const devices: StandInDevice[] = [];
  const variables: Variable[] = [];
  const requests: BalenaStandIn['requests'] = [];
  let nextId = 1000;

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const caller = bearer === operatorToken ? 'operator' : devices.find((d) => d.apiKey === bearer);
      requests.push({
        method: request.method ?? '',
        path: `${url.pathname}${url.search}`,
        auth: caller === 'operator' ? 'operator' : caller ? 'device' : 'other',
      });
      if (!caller) return send(response, 401);
      const filter = url.searchParams.get('$filter') ?? '';
      const method = request.method ?? 'GET';

      if (method === 'GET' && url.pathname === '/v7/device') {
        const uuid = /^uuid eq '([0-9a-f]+)'$/.exec(filter)?.[1];
        if (!uuid) return send(response, 400, { error: 'unsupported $filter' });
        const visible = devices.filter((d) => d.uuid === uuid && (caller === 'operator' ? !d.foreign : caller === d));
        return send(response, 200, { d: visible.map((d) => ({ id: d.id, uuid: d.uuid })) });
      }
      if (caller !== 'operator') return send(response, 401);

      if (method === 'GET' && url.pathname === '/v7/service_install') {
        const uuid = /^device\/uuid eq '([0-9a-f]+)'$/.exec(filter)?.[1];
        const device = devices.find((d) => d.uuid === uuid);
        const rows = device
          ? [...device.services].map(([name, id]) => ({ id, installs__service: [{ service_name: name }] }))
          : [];
        return send(response, 200, { d: rows });
      }
      if (url.pathname === '/v7/device_service_environment_variable') {
        if (method === 'GET') {
          const install = Number(/^service_install eq (\d+)$/.exec(filter)?.[1]);
          const rows = variables.filter((v) => v.serviceInstall === install);
          return send(response, 200, { d: rows.map((v) => ({ id: v.id, name: v.name })) });
        }
        if (method === 'POST') {
          const body = await readJson(request);
          const install = Number(body.service_install);
          if (!devices.some((d) => [...d.services.values()].includes(install))) return send(response, 400);
          if (variables.some((v) => v.serviceInstall === install && v.name === body.name)) return send(response, 409);
          const created = { id: nextId++, serviceInstall: install, name: String(body.name), value: String(body.value) };
          variables.push(created);
          return send(response, 201, { id: created.id, name: created.name });
        }
      }
      const one = /^\/v7\/device_service_environment_variable\((\d+)\)$/.exec(url.pathname);
      if (one) {
        const index = variables.findIndex((v) => v.id === Number(one[1]));
        if (index < 0) return send(response, 404);
        if (method === 'PATCH') {
          const body = await readJson(request);
          (variables[index] as Variable).value = String(body.value);
          return send(response, 200);
        }
        if (method === 'DELETE') {
          variables.splice(index, 1);
          return send(response, 200);
        }
      }
      return send(response, 404);
    })().catch(() => send(response, 500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    operatorToken,
    requests,
    addDevice(services = ['main'], options = {}) {
      const device: StandInDevice = {
        id: nextId++,
        uuid: randomBytes(16).toString('hex'),
        apiKey: randomBytes(16).toString('hex'),
        services: new Map(services.map((name) => [name, nextId++])),
        foreign: options.foreign === true,
      };
      devices.push(device);
      return device;
    },
    variables(uuid, service) {
      const install = devices.find((d) => d.uuid === uuid)?.services.get(service);
      return Object.fromEntries(variables.filter((v) => v.serviceInstall === install).map((v) => [v.name, v.value]));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
