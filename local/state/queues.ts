import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/** One SQS message as the emulator keeps it. Times are epoch ms. */
export interface QueueMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  /** Hidden until this instant (delay or visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Receipt handle of the latest receive; a delete must present it. */
  receiptHandle?: string;
  messageAttributes?: Record<string, unknown>;
}

export interface QueueRecord {
  name: string;
  attributes: Record<string, string>;
  createdAt: number;
  messages: QueueMessage[];
}

export interface QueueEvents {
  message: [queueName: string];
}

const DEFAULT_VISIBILITY_TIMEOUT_S = 30;

/** The emulator's SQS queues: standard queues with visibility timeouts, enough for Lambda on-failure destinations. */
export class QueueStore {
  readonly events = new EventEmitter<QueueEvents>();
  private readonly queues = new Map<string, QueueRecord>();

  constructor() {
    // Long polls of many queues may wait at once.
    this.events.setMaxListeners(0);
  }

  get(name: string): QueueRecord | undefined {
    return this.queues.get(name);
  }

  list(): QueueRecord[] {
    return [...this.queues.values()];
  }

  create(name: string, attributes: Record<string, string>, now: number): QueueRecord {
    const queue: QueueRecord = { name, attributes: { ...attributes }, createdAt: now, messages: [] };
    this.queues.set(name, queue);
    return queue;
  }

  delete(name: string): boolean {
    return this.queues.delete(name);
  }

  /** Appends a message; `delaySeconds` defaults to the queue's DelaySeconds attribute. */
  send(
    name: string,
    body: string,
    now: number,
    options: { delaySeconds?: number; messageAttributes?: Record<string, unknown> } = {},
  ): QueueMessage | undefined {
    const queue = this.queues.get(name);
    if (!queue) return undefined;
    const delay = options.delaySeconds ?? Number(queue.attributes.DelaySeconds ?? 0);
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      ...(options.messageAttributes ? { messageAttributes: options.messageAttributes } : {}),
    };
    queue.messages.push(message);
    this.events.emit('message', name);
    return message;
  }

  /** Takes up to `max` visible messages and hides them for the visibility timeout. */
  receive(name: string, max: number, now: number, visibilityTimeoutS?: number): QueueMessage[] {
    const queue = this.queues.get(name);
    if (!queue) return [];
    const timeout = visibilityTimeoutS ?? Number(queue.attributes.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_S);
    const taken: QueueMessage[] = [];
    for (const message of queue.messages) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + timeout * 1000;
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      taken.push(message);
    }
    return taken;
  }

  /** Deletes by receipt handle; true when a message went away. AWS accepts a stale handle silently. */
  deleteMessage(name: string, receiptHandle: string): boolean {
    const queue = this.queues.get(name);
    if (!queue) return false;
    const index = queue.messages.findIndex((message) => message.receiptHandle === receiptHandle);
    if (index < 0) return false;
    queue.messages.splice(index, 1);
    return true;
  }

  /** ApproximateNumberOfMessages (visible) and ApproximateNumberOfMessagesNotVisible. */
  counts(name: string, now: number): { visible: number; inFlight: number; delayed: number } {
    const messages = this.queues.get(name)?.messages ?? [];
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of messages) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  toJSON(): QueueRecord[] {
    return this.list();
  }

  load(records: QueueRecord[]): void {
    this.queues.clear();
    for (const record of records) this.queues.set(record.name, structuredClone(record));
  }
}

/** The queue name from a queue URL (`.../<account>/<name>`), an ARN (`arn:aws:sqs:...:<name>`) or a bare name. */
export function queueNameOf(reference: string): string {
  const trimmed = reference.replace(/\/+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.startsWith('arn:') ? trimmed.lastIndexOf(':') : -1);
  return trimmed.slice(cut + 1);
}
