import { readFileSync } from 'node:fs';
import { type LocalReady, parseLocalReady } from '../aws/local-ready.js';
import { SimulatorError } from './errors.js';
import type { MqttTarget } from './mqtt-session.js';

export { type LocalReady, parseLocalReady };

/** Where devices connect, and how the registry can be asked about their certificates. */
export interface ResolvedEndpoint {
  target: MqttTarget;
  source: 'flag' | 'local' | 'aws';
  /** The emulator's control plane when the endpoint came from its ready line. */
  local?: LocalReady;
}

export const AWS_MQTT_PORT = 8883;

/** `mqtts://host[:port]`, port 8883 by default. Anything else is a usage error: devices only speak MQTT over TLS. */
export function parseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SimulatorError('BAD_ENDPOINT', `--endpoint must look like mqtts://host:port, got "${raw}"`);
  }
  if (url.protocol !== 'mqtts:' || url.hostname === '' || url.pathname.replace(/^\/+/, '') !== '') {
    throw new SimulatorError('BAD_ENDPOINT', `--endpoint must look like mqtts://host:port, got "${raw}"`);
  }
  return `mqtts://${url.hostname}:${url.port || AWS_MQTT_PORT}`;
}

function readServerCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new SimulatorError('FILE_UNREADABLE', `server CA ${path} cannot be read`);
  }
}

/**
 * The endpoint, in order: `--endpoint`; the emulator's ready line in `JITR_LOCAL`; AWS (DescribeEndpoint iot:Data-ATS,
 * port 8883, the server verified against Node's bundled roots, which include the Amazon roots). `--server-ca` overrides
 * the trusted root in every case.
 */
export async function resolveEndpoint(options: {
  endpoint?: string;
  serverCaPath?: string;
  env: NodeJS.ProcessEnv;
  describeEndpoint: () => Promise<string>;
}): Promise<ResolvedEndpoint> {
  const caOverride = options.serverCaPath !== undefined ? { caPem: readServerCa(options.serverCaPath) } : {};
  const local = options.env.JITR_LOCAL ? parseLocalReady(options.env.JITR_LOCAL) : undefined;
  if (options.endpoint !== undefined) {
    const localCa = local && options.serverCaPath === undefined ? { caPem: readServerCa(local.serverCa) } : {};
    return {
      target: { url: parseEndpoint(options.endpoint), ...localCa, ...caOverride },
      source: 'flag',
      ...(local ? { local } : {}),
    };
  }
  if (local) {
    return {
      target: { url: parseEndpoint(local.mqtt), caPem: readServerCa(local.serverCa), ...caOverride },
      source: 'local',
      local,
    };
  }
  let host: string;
  try {
    host = await options.describeEndpoint();
  } catch (error) {
    throw new SimulatorError(
      'NO_ENDPOINT',
      `no --endpoint, no JITR_LOCAL, and DescribeEndpoint failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { target: { url: `mqtts://${host}:${AWS_MQTT_PORT}`, ...caOverride }, source: 'aws' };
}
