import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { attemptSession, type MqttTarget } from '../../scripts/simulator/mqtt-session.js';
import type { AttemptOutcome, DeviceIdentity } from '../../scripts/simulator/model.js';

/**
 * The simulated devices' side of every connection (TLS handshake, CONNECT, telemetry), on a thread of its own: see
 * device-thread.ts. Messages in: `register` (identities), `attempt`, `close`. Messages out: `ready` (this thread's
 * id for the CPU split), `outcome`, `closed`, `lost`.
 */
type Online = Extract<AttemptOutcome, { kind: 'online' }>;
type Request =
  | { type: 'register'; identities: DeviceIdentity[] }
  | { type: 'attempt'; id: number; certificateId: string; presentsCa: boolean; sequence: number }
  | { type: 'close'; id: number; session: number };

const port = parentPort;
if (!port) throw new Error('device-thread-worker runs as a worker thread');
const target = (workerData as { target: MqttTarget }).target;
const identities = new Map<string, DeviceIdentity>();
const sessions = new Map<number, Online>();
let nextSession = 0;

port.on('message', async (request: Request) => {
  switch (request.type) {
    case 'register':
      for (const identity of request.identities) identities.set(identity.certificateId, identity);
      return;
    case 'attempt': {
      const identity = identities.get(request.certificateId);
      if (!identity) {
        port.postMessage({ type: 'outcome', id: request.id, outcome: { kind: 'dropped', detail: 'unknown device' } });
        return;
      }
      const outcome = await attemptSession(target, identity, {
        presentsCa: request.presentsCa,
        sequence: request.sequence,
      });
      if (outcome.kind !== 'online') {
        port.postMessage({ type: 'outcome', id: request.id, outcome });
        return;
      }
      const session = nextSession++;
      sessions.set(session, outcome);
      outcome.onLost(() => {
        sessions.delete(session);
        port.postMessage({ type: 'lost', session });
      });
      port.postMessage({ type: 'outcome', id: request.id, outcome: { kind: 'online' }, session });
      return;
    }
    case 'close': {
      const online = sessions.get(request.session);
      sessions.delete(request.session);
      await online?.close().catch(() => {});
      port.postMessage({ type: 'closed', id: request.id });
      return;
    }
  }
});

let tid: number | undefined;
try {
  tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
} catch {
  tid = undefined;
}
port.postMessage({ type: 'ready', tid });
