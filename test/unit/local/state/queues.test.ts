import { describe, expect, it } from 'vitest';
import { QueueStore, queueNameOf } from '../../../../local/state/queues.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('QueueStore', () => {
  it('hides a received message for the visibility timeout, then shows it again with a new receipt handle', () => {
    const queues = new QueueStore();
    queues.create('q', {}, T0);
    queues.send('q', 'body', T0);
    const firstHandle = queues.receive('q', 10, T0, 30)[0]?.receiptHandle;
    expect(queues.receive('q', 10, T0 + 29_999)).toEqual([]);
    const [again] = queues.receive('q', 10, T0 + 30_000, 30);
    expect(again?.receiveCount).toBe(2);
    expect(again?.receiptHandle).not.toBe(firstHandle);
  });

  it('deletes only with the latest receipt handle', () => {
    const queues = new QueueStore();
    queues.create('q', {}, T0);
    queues.send('q', 'body', T0);
    const stale = queues.receive('q', 1, T0, 0)[0]?.receiptHandle ?? '';
    const fresh = queues.receive('q', 1, T0, 30)[0]?.receiptHandle ?? '';
    expect(queues.deleteMessage('q', stale)).toBe(false);
    expect(queues.deleteMessage('q', fresh)).toBe(true);
    expect(queues.counts('q', T0)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('delays a message by the queue DelaySeconds and counts it as delayed meanwhile', () => {
    const queues = new QueueStore();
    queues.create('q', { DelaySeconds: '5' }, T0);
    queues.send('q', 'later', T0);
    expect(queues.counts('q', T0)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(queues.receive('q', 1, T0 + 5_000)).toHaveLength(1);
  });

  it('tells listeners that a message arrived', () => {
    const queues = new QueueStore();
    queues.create('q', {}, T0);
    const seen: string[] = [];
    queues.events.on('message', (name) => seen.push(name));
    queues.send('q', 'x', T0);
    expect(seen).toEqual(['q']);
  });
});

describe('queueNameOf', () => {
  it.each([
    ['http://127.0.0.1:4566/000000000000/onboard-dlq', 'onboard-dlq'],
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/onboard-dlq/', 'onboard-dlq'],
    ['arn:aws:sqs:eu-west-1:123456789012:onboard-dlq', 'onboard-dlq'],
    ['onboard-dlq', 'onboard-dlq'],
  ])('reads the queue name of %s', (reference, name) => {
    expect(queueNameOf(reference)).toBe(name);
  });
});
