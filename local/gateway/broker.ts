import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { RegistryStore } from '../state/store.js';
import { PolicyAuthorizer, type Principal } from './authorizer.js';
import type { BrokerMessage, GatewayLog } from './gateway.js';
import { payloadTooLarge } from './limits.js';

/** The principal of one TLS connection: its certificate, and the client id once CONNECT arrives. */
export type ConnectionPrincipal = Principal & { certificateId: string };
export type MessageListener = (message: BrokerMessage) => void;

export interface PolicyBroker {
  broker: Aedes;
  /** Keyed by the TLS socket; the gateway sets an entry before handing the socket to the broker. */
  principals: WeakMap<object, ConnectionPrincipal>;
  listeners: MessageListener[];
  close(): Promise<void>;
}

/**
 * aedes with AWS IoT's authorisation: every CONNECT, PUBLISH, SUBSCRIBE and delivery (RECEIVE) is decided by the
 * policies attached to the connection's certificate, and the devices of a certificate leaving ACTIVE are disconnected.
 */
export async function createPolicyBroker(store: RegistryStore, log: GatewayLog): Promise<PolicyBroker> {
  const authorizer = new PolicyAuthorizer(store, store.scope, (principal, problem) =>
    log({ event: 'policy-problem', code: problem.code, detail: problem.detail, clientId: principal.clientId }),
  );
  const principals = new WeakMap<object, ConnectionPrincipal>();
  const clientsByCertificate = new Map<string, Set<Client>>();
  const listeners: MessageListener[] = [];

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
      if (payloadTooLarge(packet.payload)) {
        log({
          event: 'publish-refused',
          code: 'PAYLOAD_LIMIT_EXCEEDED',
          clientId: principal.clientId,
          topic: packet.topic,
        });
        return callback(new Error('payload over the 128 KB limit'));
      }
      const plain = authorizer.publish(principal, packet.topic);
      const decision = plain.allowed && packet.retain ? authorizer.retainPublish(principal, packet.topic) : plain;
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
    if (!principal) return;
    const set = clientsByCertificate.get(principal.certificateId);
    set?.delete(client);
    if (set?.size === 0) clientsByCertificate.delete(principal.certificateId);
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

  return {
    broker,
    principals,
    listeners,
    async close() {
      store.events.off('certificate-updated', onCertificateChange);
      store.events.off('certificate-deleted', onCertificateDeleted);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
