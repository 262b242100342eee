import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { RegistryStore } from '../state/store.js';
import { admit, type RegistrationEvent, registrationEvent, registrationTopic } from './admission.js';
import { PolicyAuthorizer, type Principal } from './authorizer.js';
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

/**
 * The first packet of an MQTT session must be CONNECT (fixed header byte 0x10): anything else is closed at once
 * instead of waiting for the broker's connect timeout. The bytes read are put back for the broker.
 */
function handOverOnConnect(socket: TLSSocket, accept: () => void, refuse: () => void): void {
  const onReadable = () => {
    const chunk: Buffer | null = socket.read();
    if (!chunk) return;
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
  const authorizer = new PolicyAuthorizer(store, store.scope, (principal, problem) =>
    log({ event: 'policy-problem', code: problem.code, detail: problem.detail, clientId: principal.clientId }),
  );
  const principals = new WeakMap<object, Principal & { certificateId: string }>();
  const clientsByCertificate = new Map<string, Set<Client>>();
  const listeners: ((message: BrokerMessage) => void)[] = [];

  const principalOf = (client: Client | null) => (client ? principals.get(client.conn) : undefined);

  const broker = await Aedes.createBroker({
    preConnect(client, packet, callback) {
      const principal = principals.get(client.conn);
      // An error (not just `false`) makes aedes close the connection: AWS drops an unauthorised CONNECT, no CONNACK.
      if (!principal) return callback(new Error('no principal'), false);
      principal.clientId = packet.clientId;
      // The certificate may have changed state since the handshake.
      const record = store.getCertificate(principal.certificateId);
      if (record?.status !== 'ACTIVE') {
        log({ event: 'connect-refused', code: 'CERTIFICATE_NOT_ACTIVE', certificateId: principal.certificateId });
        return callback(new Error('certificate not active'), false);
      }
      const decision = authorizer.connect(principal);
      if (!decision.allowed) {
        log({ event: 'connect-refused', code: decision.reason, clientId: packet.clientId });
        return callback(new Error('not authorized'), false);
      }
      callback(null, true);
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      const principal = principalOf(client);
      if (!principal || packet.topic.startsWith('$aws/events/') || packet.topic.startsWith('$SYS/')) {
        return callback(new Error('publish refused'));
      }
      const decision = authorizer.publish(principal, packet.topic);
      if (!decision.allowed) {
        // AWS IoT closes an MQTT 3.1.1 connection that publishes where it may not; aedes does so on this error.
        log({ event: 'publish-refused', code: decision.reason, clientId: principal.clientId, topic: packet.topic });
        return callback(new Error('publish refused'));
      }
      callback(null);
    },
    authorizeSubscribe(client, subscription, callback) {
      const principal = principalOf(client);
      const decision = principal ? authorizer.subscribe(principal, subscription.topic) : undefined;
      if (!principal || !decision?.allowed) {
        log({ event: 'subscribe-refused', code: decision?.reason ?? 'NO_PRINCIPAL', topic: subscription.topic });
        return callback(null, null);
      }
      callback(null, subscription);
    },
    authorizeForward(client, packet) {
      const principal = principalOf(client);
      if (!principal) return null;
      return authorizer.receive(principal, packet.topic).allowed ? packet : null;
    },
  });
  broker.on('client', (client) => {
    const principal = principalOf(client);
    if (!principal) return;
    const set = clientsByCertificate.get(principal.certificateId) ?? new Set<Client>();
    set.add(client);
    clientsByCertificate.set(principal.certificateId, set);
  });
  broker.on('clientDisconnect', (client) => {
    const principal = principalOf(client);
    if (principal) clientsByCertificate.get(principal.certificateId)?.delete(client);
  });
  broker.on('clientError', () => {});
  broker.on('connectionError', () => {});
  broker.on('publish', (packet: AedesPublishPacket, client: Client | null) => {
    if (packet.topic.startsWith('$SYS/')) return;
    const message: BrokerMessage = { topic: packet.topic, payload: Buffer.from(packet.payload) };
    if (client?.id) message.clientId = client.id;
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        log({ event: 'listener-failed', code: 'LISTENER_FAILED', message: (error as Error).message });
      }
    }
  });

  // AWS closes the connections of a certificate that stops being ACTIVE.
  const onCertificateChange = (record: { certificateId: string; status: string }) => {
    if (record.status === 'ACTIVE') return;
    for (const client of clientsByCertificate.get(record.certificateId) ?? []) client.close();
  };
  const onCertificateDeleted = (id: string) => onCertificateChange({ certificateId: id, status: 'DELETED' });
  store.events.on('certificate-updated', onCertificateChange);
  store.events.on('certificate-deleted', onCertificateDeleted);

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
    const peer = socket.getPeerCertificate();
    if (!peer?.raw) return drop('NO_CLIENT_CERTIFICATE');
    const admission = admit(store, peer.raw, now());
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
      store.events.off('certificate-updated', onCertificateChange);
      store.events.off('certificate-deleted', onCertificateDeleted);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
