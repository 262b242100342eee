import { memoryCursorStore } from '../../functions/reconcile/cursor.js';
import { type ReconcileDeps, reconcile } from '../../functions/reconcile/run.js';
import type { OperatorClients } from '../../scripts/aws/clients.js';
import { DEFAULT_STAGE, deadLetterQueueName, fleetConfigParameterName } from '../../scripts/operator/deployment.js';
import { onboardDeps } from '../../scripts/operator/onboard-deps.js';
import { replay } from '../../scripts/operator/replay.js';

export interface RecoveryPass {
  tool: 'replay' | 'reconcile';
  /** Certificates this pass brought to ACTIVE (registry before/after, so nothing is counted twice). */
  recovered: number;
  detail: Record<string, number>;
  durationMs: number;
}

export interface RecoveryDeps {
  clients: OperatorClients;
  /** Certificate ids of the fleet that are ACTIVE now (read from the emulator's registry, no API call). */
  activeNow: () => Set<string>;
  dlqDepth: () => number;
  pendingNow: () => number;
}

/**
 * After a storm under faults: `jitr replay` re-drives the DLQ, then the reconciler sweeps what no event brought in
 * (dropped events, exhausted retries). Both run with the faults still on, as they would in production; each is repeated
 * (bounded) while it still finds work. Returns one entry per pass.
 */
export async function recoverStorm(deps: RecoveryDeps, options: { maxPasses?: number } = {}): Promise<RecoveryPass[]> {
  const passes: RecoveryPass[] = [];
  const maxPasses = options.maxPasses ?? 4;
  const measure = async (tool: RecoveryPass['tool'], work: () => Promise<Record<string, number>>) => {
    const before = deps.activeNow();
    const started = Date.now();
    let detail: Record<string, number>;
    try {
      detail = await work();
    } catch (error) {
      detail = { failed: 1 };
      process.stderr.write(`storm: ${tool} pass failed: ${(error as Error).message}\n`);
    }
    const after = deps.activeNow();
    let recovered = 0;
    for (const id of after) if (!before.has(id)) recovered++;
    passes.push({ tool, recovered, detail, durationMs: Date.now() - started });
  };
  for (let pass = 0; pass < maxPasses && deps.dlqDepth() > 0; pass++) {
    await measure('replay', async () => {
      const result = await replay(deps.clients, { stage: DEFAULT_STAGE, max: 100_000 });
      return { examined: result.examined, succeeded: result.succeeded, kept: result.kept };
    });
  }
  const reconcileDeps: ReconcileDeps = {
    ...onboardDeps(deps.clients, fleetConfigParameterName(DEFAULT_STAGE)),
    cursor: memoryCursorStore(),
    maxCertificates: 100_000,
    // The storm is over: every certificate still pending has had its chance.
    pendingAgeMs: 0,
  };
  for (let pass = 0; pass < maxPasses && (pass === 0 || deps.pendingNow() > 0); pass++) {
    await measure('reconcile', async () => {
      const result = await reconcile({}, reconcileDeps);
      return {
        examined: result.examined,
        onboarded: result.onboarded,
        completed: result.completed,
        errors: result.errors,
      };
    });
  }
  return passes;
}

export const DLQ_NAME = deadLetterQueueName(DEFAULT_STAGE);
