import { type ConnectionOptions, createSecureContext, type SecureContext } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { AttemptOutcome, DeviceIdentity } from './model.js';

/** Where devices connect: an MQTT-over-TLS endpoint, the SNI they send, and the root they trust for the server. */
export interface MqttTarget {
  /** `mqtts://host:port`. */
  url: string;
  /** SNI (AWS IoT Core requires it); defaults to the URL's host. */
  servername?: string;
  /** PEM roots for the server certificate; absent: Node's bundled roots (they include the Amazon roots). */
  caPem?: string;
}

export interface AttemptOptions {
  presentsCa?: boolean;
  connectTimeoutMs?: number;
  publishTimeoutMs?: number;
  /** Telemetry sequence number, so retries are distinguishable at the broker. */
  sequence?: number;
}

/** The telemetry topic of a thing (under `<thing>/`, which the device policy allows). */
export function telemetryTopic(thingName: string): string {
  return `${thingName}/sensors`;
}

function telemetry(identity: DeviceIdentity, sequence: number): string {
  return JSON.stringify({
    deviceId: identity.deviceId,
    sequence,
    temperature: Math.round((18 + Math.random() * 8) * 10) / 10,
    timestamp: Date.now(),
  });
}

/**
 * A device's TLS credentials, built once and reused by every connection attempt, as firmware keeps its key and
 * certificate loaded: parsing the key, the certificate and the server roots again for each of a storm's retries was
 * a large share of the simulator's CPU time. Keyed by the identity object (a rotated certificate is a new identity).
 */
const contexts = new WeakMap<DeviceIdentity, Map<string, SecureContext>>();

function secureContextFor(target: MqttTarget, identity: DeviceIdentity, presentsCa: boolean): SecureContext {
  const cert = presentsCa && identity.chainPem ? identity.chainPem : identity.certificatePem;
  const key = `${presentsCa}\n${target.caPem ?? ''}`;
  let byTarget = contexts.get(identity);
  if (!byTarget) contexts.set(identity, (byTarget = new Map()));
  let context = byTarget.get(key);
  if (!context) {
    context = createSecureContext({
      ...(target.caPem !== undefined ? { ca: target.caPem } : {}),
      cert,
      key: identity.privateKeyPem,
    });
    byTarget.set(key, context);
  }
  return context;
}

/**
 * One connection attempt with a real mqtt.js client over TLS: client id = thing name, no automatic reconnect (the
 * lifecycle backs off itself), then one QoS 1 telemetry message whose PUBACK proves the broker accepted it.
 */
export function attemptSession(
  target: MqttTarget,
  identity: DeviceIdentity,
  options: AttemptOptions = {},
): Promise<AttemptOutcome> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const host = new URL(target.url).hostname;
  // mqtt.js hands its options to tls.connect, which takes a prepared secure context.
  const connectOptions: IClientOptions & Pick<ConnectionOptions, 'secureContext'> = {
    secureContext: secureContextFor(target, identity, options.presentsCa === true),
    servername: target.servername ?? host,
    clientId: identity.thingName,
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0,
    connectTimeout: connectTimeoutMs,
  };
  const client = mqtt.connect(target.url, connectOptions);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.kind !== 'online') client.end(true);
      resolve(outcome);
    };
    // mqtt.js's own connect timeout covers the handshake; this one also covers a CONNECT nobody answers.
    const timer = setTimeout(() => settle({ kind: 'dropped', detail: 'timed out' }), connectTimeoutMs + 1_000);
    let connected = false;
    // After the CONNACK, a close is the publish's business (publishTelemetry), not a drop.
    client.on('error', (error) => connected || settle({ kind: 'dropped', detail: error.message }));
    client.on('close', () => connected || settle({ kind: 'dropped', detail: 'closed without CONNACK' }));
    client.once('connect', () => {
      connected = true;
      publishTelemetry(client, identity, options).then((detail) => {
        if (detail !== undefined) return settle({ kind: 'publish-refused', detail });
        settle(onlineSession(client));
      });
    });
  });
}

/** Resolves undefined once the PUBACK arrives, or with why it did not. */
function publishTelemetry(client: MqttClient, identity: DeviceIdentity, options: AttemptOptions) {
  const timeoutMs = options.publishTimeoutMs ?? 10_000;
  return new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => finish('no PUBACK in time'), timeoutMs);
    const onClose = () => finish('closed before PUBACK');
    const finish = (detail: string | undefined) => {
      clearTimeout(timer);
      client.off('close', onClose);
      resolve(detail);
    };
    client.on('close', onClose);
    client.publish(
      telemetryTopic(identity.thingName),
      telemetry(identity, options.sequence ?? 0),
      { qos: 1 },
      (error) => finish(error ? error.message : undefined),
    );
  });
}

function onlineSession(client: MqttClient): Extract<AttemptOutcome, { kind: 'online' }> {
  let ending = false;
  const lost: (() => void)[] = [];
  client.once('close', () => {
    if (!ending) for (const listener of lost) listener();
  });
  return {
    kind: 'online',
    close: async () => {
      ending = true;
      await client.endAsync(true);
    },
    onLost: (listener) => lost.push(listener),
  };
}
