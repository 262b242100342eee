import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { RegistryStore } from '../state/store.js';
import { admit, type RegistrationEvent, registrationEvent, registrationTopic } from './admission.js';
import { createPolicyBroker } from './broker.js';
import { createServerIdentity } from './server-identity.js';

/** One structured log line of the gateway; never carries key material. */
export type GatewayLog = (line: { event: string; code?: string; [field: string]: unknown }) => void;

/** What to do with one registration event (the control plane's seeded fault injection decides). */
export type EventFate = 'deliver' | 'drop' | 'duplicate';

export interface GatewayOptions {
  store: RegistryStore;
  /** 0 (default) picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** Names the server certificate covers besides localhost (e.g. the DescribeEndpoint host). */
  hostnames?: string[];
  /** Where the server CA file is written. */
  directory: string;
  /** Reuse the server identity kept in `directory` across restarts. */
  persistIdentity?: boolean;
  eventFate?: (event: RegistrationEvent) => EventFate;
  log?: GatewayLog;
  now?: () => number;
}

/** A message that went through the broker, as the rules engine sees it. */
export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  clientId?: string;
}

export interface MqttGateway {
  port: number;
  url: string;
  serverCa: string;
  serverCaPem: string;
  /** Publishes as the service itself (registration events, republish actions): no policy applies. */
  publish(topic: string, payload: Buffer | string): Promise<void>;
  /** Every message published through the broker, including the service's own. */
  onMessage(listener: (message: BrokerMessage) => void): void;
  connectedClients(): number;
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * The first packet of an MQTT session must be CONNECT (fixed header byte 0x10): anything else is closed at once
 * instead of waiting for the broker's connect timeout. The bytes read are put back for the broker.
 */
function handOverOnConnect(socket: TLSSocket, accept: () => void, refuse: () => void): void {
  // A session that never sends anything is closed too, as the broker would after its connect timeout.
  const silent = setTimeout(() => {
    socket.off('readable', onReadable);
    refuse();
  }, CONNECT_TIMEOUT_MS);
  socket.once('close', () => clearTimeout(silent));
  const onReadable = () => {
    const chunk: Buffer | null = socket.read();
    if (!chunk) return;
    clearTimeout(silent);
    socket.off('readable', onReadable);
    if (chunk[0] !== 0x10) return refuse();
    socket.unshift(chunk);
    accept();
  };
  socket.on('readable', onReadable);
}

export async function startGateway(options: GatewayOptions): Promise<MqttGateway> {
  const { store } = options;
  const now = options.now ?? Date.now;
  const log: GatewayLog = options.log ?? (() => {});
  const identity = await createServerIdentity({
    hostnames: ['localhost', ...(options.hostnames ?? [])],
    directory: options.directory,
    persist: options.persistIdentity === true,
  });
  const { broker, principals, listeners, close: closeBroker } = await createPolicyBroker(store, log);

  const publish = (topic: string, payload: Buffer | string) =>
    new Promise<void>((resolve, reject) => {
      const packet = {
        cmd: 'publish' as const,
        topic,
        payload: Buffer.from(payload),
        qos: 0 as const,
        retain: false,
        dup: false,
      };
      broker.publish(packet, (error) => (error ? reject(error) : resolve()));
    });

  const announce = (certificate: Parameters<typeof registrationEvent>[0]) => {
    const event = registrationEvent(certificate, store.scope.accountId, now());
    const fate = options.eventFate?.(event) ?? 'deliver';
    log({ event: 'registration-event', code: fate.toUpperCase(), certificateId: event.certificateId });
    if (fate === 'drop') return;
    const body = JSON.stringify(event);
    const topic = registrationTopic(event.caCertificateId);
    const copies = fate === 'duplicate' ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      publish(topic, body).catch((error: Error) =>
        log({ event: 'publish-failed', code: 'PUBLISH_FAILED', message: error.message }),
      );
    }
  };

  const sockets = new Set<TLSSocket>();
  const onSecureConnection = (socket: TLSSocket) => {
    socket.on('error', () => {});
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const drop = (code: string, fields: Record<string, unknown> = {}) => {
      log({ event: 'connection-dropped', code, ...fields });
      socket.destroy();
    };
    // AWS IoT Core requires SNI.
    if (!socket.servername) return drop('SNI_REQUIRED');
    // getPeerX509Certificate is cheaper than getPeerCertificate (no JS object of every field) and parses once.
    const peer = socket.getPeerX509Certificate();
    if (!peer) return drop('NO_CLIENT_CERTIFICATE');
    const admission = admit(store, peer.raw, now(), peer);
    switch (admission.kind) {
      case 'connect': {
        const { certificateId, certificateArn } = admission.certificate;
        principals.set(socket, { certificateId, certificateArn, clientId: '' });
        handOverOnConnect(
          socket,
          () => broker.handle(socket),
          () => drop('NOT_MQTT_CONNECT', { certificateId }),
        );
        return;
      }
      case 'pending':
        announce(admission.certificate);
        return drop('PENDING_ACTIVATION', { certificateId: admission.certificate.certificateId });
      case 'auto-register': {
        try {
          const record = store.autoRegisterCertificate({
            certificatePem: admission.certificatePem,
            caCertificateId: admission.ca.certificateId,
            now: now(),
          });
          announce(record);
          return drop('AUTO_REGISTERED', { certificateId: record.certificateId });
        } catch (error) {
          return drop('AUTO_REGISTRATION_FAILED', { message: (error as Error).message });
        }
      }
      case 'refuse':
        return drop(admission.code, { detail: admission.detail });
    }
  };

  const server: Server = createServer(
    {
      key: identity.privateKeyPem,
      cert: identity.certificatePem,
      requestCert: true,
      // Unknown issuers must reach the JITR decision; admit() decides instead of OpenSSL.
      rejectUnauthorized: false,
      handshakeTimeout: 10_000,
    },
    (socket) => {
      try {
        onSecureConnection(socket);
      } catch (error) {
        log({ event: 'connection-dropped', code: 'GATEWAY_ERROR', message: (error as Error).message });
        socket.destroy();
      }
    },
  );
  server.on('tlsClientError', (error, socket) => {
    log({ event: 'tls-error', code: 'TLS_HANDSHAKE_FAILED', message: error.message });
    socket.destroy();
  });
  server.on('error', (error) => log({ event: 'server-error', code: 'SERVER_ERROR', message: error.message }));
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `mqtts://localhost:${port}`,
    serverCa: identity.caPath,
    serverCaPem: identity.caPem,
    publish,
    onMessage: (listener) => listeners.push(listener),
    connectedClients: () => broker.connectedClients,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await closeBroker();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
