/**
 * AWS IoT Core message broker limits the gateway enforces.
 * https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits: "Message size: The payload for every
 * publish request can be no larger than 128 KB. AWS IoT Core rejects publish and connect requests larger than this
 * size." The rejection is logged as CLIENT_ERROR, reason PAYLOAD_LIMIT_EXCEEDED
 * (https://docs.aws.amazon.com/iot/latest/developerguide/topicdata.html); an MQTT 3.1.1 client has no error packet to
 * receive, so its connection is closed.
 */
export const MAX_PUBLISH_PAYLOAD_BYTES = 128 * 1024;

export function payloadTooLarge(payload: string | Buffer | Uint8Array): boolean {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  return size > MAX_PUBLISH_PAYLOAD_BYTES;
}
