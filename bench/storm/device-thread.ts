import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { MqttTarget } from '../../scripts/simulator/mqtt-session.js';
import type { AttemptOutcome, DeviceIdentity, SimulatedDevice } from '../../scripts/simulator/model.js';

/**
 * Runs the simulated devices' connections on a worker thread, so that the devices' half of each TLS handshake (their
 * key's signature, the check of the server's chain: about 60% of a handshake's CPU) does not run on the emulator's main
 * thread, which is AWS IoT Core here (gateway, control plane, rules). On the same thread, the two compete, and a storm's
 * first seconds of retries slowed the gateway for everyone. The orchestration (backoff, timers, the registry lookups)
 * stays in scripts/simulator/fleet.ts on the main thread; only `attempt` crosses.
 */
type Reply =
  | { type: 'ready'; tid?: number }
  | { type: 'outcome'; id: number; outcome: AttemptOutcome; session?: number }
  | { type: 'closed'; id: number }
  | { type: 'lost'; session: number };

export class DeviceThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly lostListeners = new Map<number, () => void>();
  /** The worker's Linux thread id once it is ready (for the CPU split), else undefined. */
  tid: number | undefined;

  private constructor(target: MqttTarget) {
    // The worker is TypeScript: it loads with tsx, whatever loader (tsx, vitest) the parent runs with.
    const execArgv = process.execArgv.some((arg) => arg.includes('tsx')) ? process.execArgv : ['--import', 'tsx'];
    this.worker = new Worker(new URL('./device-thread-worker.ts', import.meta.url), {
      workerData: { target },
      execArgv,
    });
    this.worker.on('message', (reply: Reply) => {
      if (reply.type === 'ready') this.tid = reply.tid;
      else if (reply.type === 'lost') this.lostListeners.get(reply.session)?.();
      else {
        this.pending.get(reply.id)?.(reply);
        this.pending.delete(reply.id);
      }
    });
  }

  static async start(target: MqttTarget): Promise<DeviceThread> {
    const thread = new DeviceThread(target);
    const [reply] = (await once(thread.worker, 'message')) as [Reply];
    if (reply.type === 'ready') thread.tid = reply.tid;
    return thread;
  }

  register(devices: readonly SimulatedDevice[]): void {
    const identities: DeviceIdentity[] = devices.map((device) => device.identity);
    this.worker.postMessage({ type: 'register', identities });
  }

  private request(message: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...message, id });
    });
  }

  /** simulateFleet's `attempt`, run on the device thread. */
  readonly attempt = async (
    device: SimulatedDevice,
    identity: DeviceIdentity,
    sequence: number,
  ): Promise<AttemptOutcome> => {
    const reply = await this.request({
      type: 'attempt',
      certificateId: identity.certificateId,
      presentsCa: device.presentsCa === true,
      sequence,
    });
    if (reply.type !== 'outcome') throw new Error(`device thread: unexpected ${reply.type}`);
    if (reply.outcome.kind !== 'online' || reply.session === undefined) return reply.outcome;
    const session = reply.session;
    return {
      kind: 'online',
      close: async () => {
        this.lostListeners.delete(session);
        await this.request({ type: 'close', session });
      },
      onLost: (listener) => {
        this.lostListeners.set(session, listener);
      },
    };
  };

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
