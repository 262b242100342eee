import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { handleRegisteredEvent } from '../../functions/onboard/run.js';
import type { OperatorClients } from '../aws/clients.js';
import { ExitCode } from '../cli/errors.js';
import { deadLetterQueueName, fleetConfigParameterName } from './deployment.js';
import { classifyDlqMessage } from './dlq-message.js';
import { aws, OperatorError } from './errors.js';
import { requireFleetConfig } from './fleet-config-store.js';
import { queueUrlOf } from './iot-reads.js';
import { onboardDeps } from './onboard-deps.js';

export type ReplayOutcome = 'succeeded' | 'failed' | 'unrecognised' | 'would-replay';

export interface ReplayedMessage {
  messageId: string;
  kind: string;
  outcome: ReplayOutcome;
  certificateId?: string;
  decision?: string;
  /** Why it failed before (from the message) or now (the error). */
  detail?: string;
}

export interface ReplayResult {
  dryRun: boolean;
  queue: string;
  examined: number;
  succeeded: number;
  kept: number;
  messages: ReplayedMessage[];
}

/** Decisions after which the event needs nothing more: the message can go. */
const SETTLED = new Set(['onboarded', 'rotated', 'duplicate', 'ignored', 'rejected', 'superseded']);
/**
 * How long a received message stays hidden: a kept message shows up again after this. A dry run hides nothing
 * (timeout 0) and stops when SQS hands back only messages it has already seen, so it may list fewer than all.
 */
const VISIBILITY_S = { replay: 60, dryRun: 0 };

/**
 * Re-drives dead-lettered onboarding events through the onboard workflow, in-process, with the operator's credentials.
 * A message whose event now reaches a decision is deleted; failures and unrecognised messages stay for later.
 */
export async function replay(
  clients: OperatorClients,
  options: { stage: string; max: number; dryRun?: boolean; progress?: (message: string) => void },
): Promise<ReplayResult> {
  const progress = options.progress ?? (() => {});
  const queueName = deadLetterQueueName(options.stage);
  const queueUrl = await queueUrlOf(clients.sqs, queueName);
  if (!queueUrl) {
    throw new OperatorError(
      'DLQ_NOT_FOUND',
      `the dead-letter queue ${queueName} does not exist: is stage ${options.stage} deployed?`,
      ExitCode.failure,
    );
  }
  const parameter = fleetConfigParameterName(options.stage);
  // A broken configuration would fail every event: say so once instead of failing each message.
  await requireFleetConfig(clients.ssm, parameter, { allowMissing: false });
  const deps = onboardDeps(clients, parameter);
  const messages: ReplayedMessage[] = [];
  const seen = new Set<string>();
  while (messages.length < options.max) {
    const batch = await aws(`SQS ReceiveMessage ${queueName}`, () =>
      clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - messages.length),
          VisibilityTimeout: options.dryRun ? VISIBILITY_S.dryRun : VISIBILITY_S.replay,
          WaitTimeSeconds: 0,
        }),
      ),
    );
    const fresh = (batch.Messages ?? []).filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId as string);
      const replayed = await replayOne(message, deps, options.dryRun === true);
      if (replayed.outcome === 'succeeded' && message.ReceiptHandle) {
        await aws(`SQS DeleteMessage ${queueName}`, () =>
          clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle })),
        );
      }
      progress(
        `${replayed.messageId}: ${replayed.outcome}${replayed.decision ? ` (${replayed.decision})` : ''}` +
          `${replayed.outcome !== 'succeeded' && replayed.detail ? `: ${replayed.detail}` : ''}`,
      );
      messages.push(replayed);
    }
  }
  const succeeded = messages.filter((message) => message.outcome === 'succeeded').length;
  return {
    dryRun: options.dryRun === true,
    queue: queueName,
    examined: messages.length,
    succeeded,
    kept: messages.length - succeeded,
    messages,
  };
}

async function replayOne(
  message: Message,
  deps: ReturnType<typeof onboardDeps>,
  dryRun: boolean,
): Promise<ReplayedMessage> {
  const messageId = message.MessageId ?? '';
  const classified = classifyDlqMessage(message.Body ?? '');
  if (classified.kind === 'unrecognised') {
    return { messageId, kind: 'unrecognised', outcome: 'unrecognised', detail: classified.problem };
  }
  const certificateId = (classified.event as { certificateId?: unknown } | null)?.certificateId;
  const base = {
    messageId,
    kind: classified.kind,
    ...(typeof certificateId === 'string' ? { certificateId } : {}),
  };
  if (dryRun) return { ...base, outcome: 'would-replay', ...(classified.detail ? { detail: classified.detail } : {}) };
  try {
    const result = await handleRegisteredEvent(classified.event, deps);
    const settled = SETTLED.has(result.decision);
    return {
      ...base,
      outcome: settled ? 'succeeded' : 'failed',
      decision: result.decision,
      ...(settled ? {} : { detail: result.reasons.join(', ') }),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const text = error instanceof Error ? error.message : String(error);
    return { ...base, outcome: 'failed', detail: `${name}: ${text}` };
  }
}
