import { EmulatorConfigError } from './errors.js';

/**
 * Fault injection (`--faults "rate=0.1,ops=UpdateCertificate|CreateThing,kinds=throttle|500|timeout|drop-event"`).
 * API kinds hit control-plane calls of the listed operations (all when `ops` is absent); event kinds hit the JITR
 * registration events the gateway publishes. Decisions come from a PRNG seeded by `--seed`, so a run repeats exactly.
 */
export const API_FAULT_KINDS = ['throttle', '500', 'timeout'] as const;
export const EVENT_FAULT_KINDS = ['drop-event', 'dup-event'] as const;
export type ApiFaultKind = (typeof API_FAULT_KINDS)[number];
export type EventFaultKind = (typeof EVENT_FAULT_KINDS)[number];
export type FaultKind = ApiFaultKind | EventFaultKind;

export interface FaultPlan {
  /** Probability in [0, 1] that a call (or event) gets a fault. */
  rate: number;
  /** Operations the API kinds apply to; undefined means every operation. */
  ops?: ReadonlySet<string>;
  kinds: readonly FaultKind[];
}

const KINDS: readonly string[] = [...API_FAULT_KINDS, ...EVENT_FAULT_KINDS];

const badSpec = (message: string) => new EmulatorConfigError('BAD_FAULT_SPEC', `--faults: ${message}`);

export function parseFaultSpec(spec: string): FaultPlan {
  let rate: number | undefined;
  let ops: Set<string> | undefined;
  let kinds: FaultKind[] = ['throttle', '500'];
  for (const part of spec.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) throw badSpec(`expected key=value, got "${trimmed}"`);
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    if (key === 'rate') {
      if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value)) throw badSpec(`rate must be a number in [0, 1], got "${value}"`);
      rate = Number(value);
    } else if (key === 'ops') {
      const names = value.split('|').map((name) => name.trim());
      if (names.some((name) => !/^[A-Za-z]+$/.test(name))) throw badSpec(`ops must be operation names, got "${value}"`);
      ops = names.includes('*') ? undefined : new Set(names);
    } else if (key === 'kinds') {
      const names = value.split('|').map((name) => name.trim());
      const unknown = names.find((name) => !KINDS.includes(name));
      if (unknown !== undefined) throw badSpec(`unknown kind "${unknown}" (kinds: ${KINDS.join(', ')})`);
      kinds = [...new Set(names)] as FaultKind[];
    } else {
      throw badSpec(`unknown key "${key}" (keys: rate, ops, kinds)`);
    }
  }
  if (rate === undefined) throw badSpec('rate is required, e.g. rate=0.1');
  return { rate, ...(ops ? { ops } : {}), kinds };
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly apiRandom: () => number;
  private readonly eventRandom: () => number;
  private readonly apiKinds: ApiFaultKind[];

  constructor(
    readonly plan: FaultPlan | undefined,
    seed = 1,
  ) {
    // Separate streams: how many API calls happen does not change which events are dropped, and the other way round.
    this.apiRandom = seededRandom(seed);
    this.eventRandom = seededRandom(seed ^ 0x5bd1e995);
    this.apiKinds = (plan?.kinds ?? []).filter((kind): kind is ApiFaultKind =>
      (API_FAULT_KINDS as readonly string[]).includes(kind),
    );
  }

  private readonly delays: { operation: string; resource?: string; ms: number }[] = [];

  /**
   * Holds the next call of `operation` (on `resource`, e.g. an SSM parameter name, when given) for `ms` before serving
   * it normally: a request that lands late, as a slow network or a paused client makes it. One-shot; for tests.
   */
  delayNext(operation: string, ms: number, resource?: string): void {
    this.delays.push({ operation, ms, ...(resource !== undefined ? { resource } : {}) });
  }

  /** The delay registered for this call, consumed; undefined when none applies. */
  takeDelay(operation: string, resource?: string): number | undefined {
    const index = this.delays.findIndex(
      (delay) => delay.operation === operation && (delay.resource === undefined || delay.resource === resource),
    );
    if (index < 0) return undefined;
    return this.delays.splice(index, 1)[0]?.ms;
  }

  /** The fault to inject into this call of `operation`, if any. */
  apiFault(operation: string): ApiFaultKind | undefined {
    const plan = this.plan;
    if (!plan || this.apiKinds.length === 0) return undefined;
    if (plan.ops && !plan.ops.has(operation)) return undefined;
    if (this.apiRandom() >= plan.rate) return undefined;
    return this.apiKinds[Math.floor(this.apiRandom() * this.apiKinds.length)];
  }

  /** For the gateway: drop this registration event (kind `drop-event`)? */
  shouldDropEvent(): boolean {
    return this.eventDecision('drop-event');
  }

  /** For the gateway: publish this registration event twice (kind `dup-event`)? */
  shouldDuplicateEvent(): boolean {
    return this.eventDecision('dup-event');
  }

  private eventDecision(kind: EventFaultKind): boolean {
    if (!this.plan?.kinds.includes(kind)) return false;
    return this.eventRandom() < this.plan.rate;
  }
}
