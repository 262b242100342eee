/**
 * When the Lambda activated the storm's certificates, apart from when the devices came online. A device learns of its
 * activation only on its next connection attempt (its backoff, firmware's choice), so the devices' ratio mixes the
 * pipeline's pace with the devices' reconnect policy; the activation figures are the pipeline's alone.
 */
export interface ActivationFigures {
  /** Seconds from power-on to the first and the last certificate ACTIVE. */
  firstS: number;
  lastS: number;
  /** Devices per second from power-on to the last activation, over the quota bound. */
  ratio: number;
  /** Devices per second between the first activation and the last (the pace once onboarding is under way). */
  steadyPerSecond: number;
  /** Seconds from the last activation to the last device online: the devices' backoff. */
  tailS: number;
}

/**
 * `activatedAt`: epoch ms of each certificate's activation (the registry's lastModifiedDate of an ACTIVE certificate);
 * `startedAtMs`: power-on; `lastOnlineS`: the storm's duration; `bound`: devices per second the quotas allow.
 */
export function activationFigures(
  activatedAt: readonly number[],
  startedAtMs: number,
  lastOnlineS: number,
  bound: number,
): ActivationFigures | undefined {
  if (activatedAt.length === 0) return undefined;
  const times = activatedAt.map((at) => (at - startedAtMs) / 1000).sort((a, b) => a - b);
  const firstS = times[0] as number;
  const lastS = times[times.length - 1] as number;
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  return {
    firstS: round(firstS, 2),
    lastS: round(lastS, 2),
    ratio: round(times.length / Math.max(lastS, 1e-3) / bound, 3),
    steadyPerSecond: round(lastS > firstS ? (times.length - 1) / (lastS - firstS) : 0, 2),
    tailS: round(lastOnlineS - lastS, 2),
  };
}
