import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqtt, { type MqttClient } from 'mqtt';

/** How a device's connection attempt ended: CONNACK received, or closed without one. */
export type ConnectOutcome = { connected: true; client: MqttClient } | { connected: false; reason: string };

export interface DeviceIdentity {
  certificatePem: string;
  privateKeyPem: string;
  /** Sent after the device certificate when the device presents its CA too. */
  chainPem?: string;
}

export interface GatewayAddress {
  mqtt: string;
  serverCaPem: string;
  /** The SNI the device sends (the DescribeEndpoint host). */
  servername: string;
}

/** Connects a real mqtt.js client over TLS with SNI and reports whether a CONNACK came back. */
export function connectDevice(
  gateway: GatewayAddress,
  identity: DeviceIdentity,
  clientId: string,
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = mqtt.connect(gateway.mqtt, {
      ca: gateway.serverCaPem,
      cert: identity.chainPem ?? identity.certificatePem,
      key: identity.privateKeyPem,
      servername: gateway.servername,
      clientId,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    let settled = false;
    const settle = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      if (!outcome.connected) client.end(true);
      resolve(outcome);
    };
    client.on('connect', () => settle({ connected: true, client }));
    client.on('error', (error) => settle({ connected: false, reason: error.message }));
    client.on('close', () => settle({ connected: false, reason: 'closed' }));
  });
}

/** Resolves with the next message on `topic` a connected client receives. */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(payload);
    };
    client.on('message', onMessage);
  });
}

/**
 * Resolves true when a raw socket to the gateway, after `bytes`, is closed by the server (false after 15 s: the gateway's
 * TLS handshake timeout is 10 s). With `hangUp` the client half-closes after writing.
 */
export function rawSocketCloses(port: number, bytes: Buffer, options: { hangUp?: boolean } = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () =>
      options.hangUp ? socket.end(bytes) : socket.write(bytes),
    );
    // Read (and drop) whatever the server answers, e.g. a TLS alert: unread data would hold back 'end' and 'close'.
    socket.resume();
    socket.on('error', () => {});
    socket.on('close', () => resolve(true));
    socket.setTimeout(15_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A TLS handshake with the given options; resolves with whether the server closed the connection. */
export function tlsSessionCloses(
  port: number,
  options: { servername?: string; cert?: string; key?: string; ca: string; payload?: Buffer },
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: options.ca,
      ...(options.servername ? { servername: options.servername } : {}),
      ...(options.cert ? { cert: options.cert, key: options.key } : {}),
      // Connecting by IP sends no SNI; the certificate names localhost, so skip the name check here.
      checkServerIdentity: () => undefined,
    });
    socket.resume();
    socket.on('error', () => {});
    // By default an MQTT CONNECT, so an accepting server would have something to answer.
    const connectBytes = Buffer.from([
      0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00,
    ]);
    socket.on('secureConnect', () => socket.write(options.payload ?? connectBytes));
    socket.on('close', () => resolve(true));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}
