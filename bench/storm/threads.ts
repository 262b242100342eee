import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of this process's threads by kind, from /proc (Linux; elsewhere every figure is absent): the main thread
 * (TLS gateway, control plane, rules engine, the devices' backoff), the devices' thread (their side of each connection,
 * named by its id in `known`), the Lambda containers (worker threads), V8's helper threads (garbage collection,
 * optimizing compiler) and libuv's pool. Clock ticks are 1/100 s on Linux.
 */
export type ThreadKind = 'main' | 'devices' | 'lambdaContainers' | 'v8' | 'libuv' | 'other';
export type ThreadTicks = Map<string, { kind: ThreadKind; ticks: number }>;

const KIND_BY_NAME: Record<string, ThreadKind> = {
  MainThread: 'main',
  WorkerThread: 'lambdaContainers',
  V8Worker: 'v8',
  'libuv-worker': 'libuv',
};
const TICKS_PER_SECOND = 100;

export function threadTicks(known: ReadonlyMap<string, ThreadKind> = new Map()): ThreadTicks | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const ticks: ThreadTicks = new Map();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime: fields 14 and 15 of stat, 12 and 13 after the state.
      const kind = known.get(tid) ?? KIND_BY_NAME[name] ?? 'other';
      ticks.set(tid, { kind, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ticks;
}

/** Seconds of CPU per kind between two snapshots (threads that ended in between are not counted: a lower bound). */
export function cpuByThreadKind(before: ThreadTicks | undefined, after: ThreadTicks | undefined) {
  if (!before || !after) return undefined;
  const seconds: Record<ThreadKind, number> = { main: 0, devices: 0, lambdaContainers: 0, v8: 0, libuv: 0, other: 0 };
  for (const [tid, now] of after) seconds[now.kind] += (now.ticks - (before.get(tid)?.ticks ?? 0)) / TICKS_PER_SECOND;
  return seconds;
}
