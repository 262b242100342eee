import type { Writable } from 'node:stream';
import { lineWriter } from '../../local/log-sink.js';

/**
 * The emulator's Lambda runner writes handler output (CloudWatch Logs in AWS) to its log sink, one
 * `[<function>] <line>` per line. The demo collects those lines (off the terminal) and reads the onboarding decisions
 * from them, which is how it can say why the Lambda revoked a certificate (the registry only records REVOKED).
 */
export interface DecisionLine {
  decision: string;
  reasons: string[];
  certificateId?: string;
  thingName?: string;
  /** The Lambda logged the decision as a security event. */
  security?: boolean;
  /** CERTIFICATE_REVOKED_BY_CA: the CRL entry's reason. */
  crlReason?: string;
  /** The decision was taken without a current, trusted CRL (docs/revocation.md). */
  crlProblem?: string;
}

const HANDLER_LINE = /^\[[\w.-]+\] (.*)$/;
/** The decision the Lambda logs for a re-published registration event it dropped. */
const DUPLICATE = 'duplicate';

/** Parses one handler log line; undefined for anything that is not a decision record. */
export function parseDecisionLine(line: string): DecisionLine | undefined {
  const body = HANDLER_LINE.exec(line)?.[1];
  if (body === undefined || !body.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(body) as Record<string, unknown>;
    if (typeof record.decision !== 'string' || !Array.isArray(record.reasons)) return undefined;
    return {
      decision: record.decision,
      reasons: record.reasons.filter((reason): reason is string => typeof reason === 'string'),
      ...(typeof record.certificateId === 'string' ? { certificateId: record.certificateId } : {}),
      ...(typeof record.thingName === 'string' ? { thingName: record.thingName } : {}),
      ...(record.security === true ? { security: true } : {}),
      ...(typeof record.crlReason === 'string' ? { crlReason: record.crlReason } : {}),
      ...(typeof record.crlProblem === 'string' ? { crlProblem: record.crlProblem } : {}),
    };
  } catch {
    return undefined;
  }
}

export interface HandlerLogCapture {
  /**
   * The decision that counts for each certificate: the last one logged, except that a duplicate (a re-published event
   * the Lambda dropped, REGISTRATION_IN_PROGRESS or REGISTRATION_HANDLED) never replaces the decision it duplicates.
   */
  decisions: Map<string, DecisionLine>;
  /**
   * Resolves with the certificate's decision once one that is not a duplicate was logged, or with what `decisions` holds
   * after `timeoutMs`. A device learns it was refused from its connection before the Lambda's log line arrives.
   */
  decided(certificateId: string, timeoutMs?: number): Promise<DecisionLine | undefined>;
  /** Every decision recorded for a certificate, oldest first (a device that retries is decided about again). */
  history(certificateId: string): DecisionLine[];
  /** Handler lines seen. */
  lines: () => number;
  /** Give this to the emulator as its sink's `functionLogs`. */
  functionLogs: Writable;
}

/**
 * Collects the handler lines written to `functionLogs` and records the onboarding decisions among them; `also` gets
 * every line too (e.g. to keep it in a log file).
 */
export function collectHandlerLogs(also?: (line: string) => void): HandlerLogCapture {
  const decisions = new Map<string, DecisionLine>();
  const all: DecisionLine[] = [];
  const waiting = new Map<string, Set<(decision: DecisionLine) => void>>();
  let seen = 0;
  const functionLogs = lineWriter((line) => {
    also?.(line);
    if (!HANDLER_LINE.test(line)) return;
    seen++;
    const decision = parseDecisionLine(line);
    if (!decision?.certificateId) return;
    all.push(decision);
    const id = decision.certificateId;
    const duplicate = decision.decision === DUPLICATE;
    if (duplicate && decisions.has(id)) return;
    decisions.set(id, decision);
    if (duplicate) return;
    for (const resolve of waiting.get(id) ?? []) resolve(decision);
    waiting.delete(id);
  });
  const history = (certificateId: string) => all.filter((decision) => decision.certificateId === certificateId);
  const decided = (certificateId: string, timeoutMs = 20_000) => {
    const known = decisions.get(certificateId);
    if (known && known.decision !== DUPLICATE) return Promise.resolve(known);
    return new Promise<DecisionLine | undefined>((resolve) => {
      const waiters = waiting.get(certificateId) ?? new Set();
      waiting.set(certificateId, waiters);
      const done = (decision: DecisionLine) => {
        clearTimeout(timer);
        resolve(decision);
      };
      const timer = setTimeout(() => {
        waiters.delete(done);
        if (waiters.size === 0) waiting.delete(certificateId);
        resolve(decisions.get(certificateId));
      }, timeoutMs);
      waiters.add(done);
    });
  };
  return { decisions, decided, history, lines: () => seen, functionLogs };
}

/**
 * Patches `stream.write` so that each complete line `claim` accepts is kept off the stream; every other line, and any
 * non-text chunk, passes through untouched. A line still being written that cannot be a handler line (it does not
 * start with `[`) goes out at once: progress bars redraw with \r and no \n. `restore()` puts the stream back.
 */
export function divertLines(stream: NodeJS.WriteStream, claim: (line: string) => boolean): { restore(): void } {
  const original = stream.write;
  let partial = '';
  const divert = (text: string): string => {
    const pieces = (partial + text).split('\n');
    partial = pieces.pop() ?? '';
    const kept = pieces.filter((line) => !claim(line)).map((line) => `${line}\n`);
    if (partial !== '' && !partial.startsWith('[')) {
      kept.push(partial);
      partial = '';
    }
    return kept.join('');
  };
  const replacement = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    if (text === undefined) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    const kept = divert(text);
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (kept === '') {
      callback?.();
      return true;
    }
    return (original as (...args: unknown[]) => boolean).call(stream, kept, ...rest);
  };
  stream.write = replacement as typeof stream.write;
  return {
    restore() {
      stream.write = original;
    },
  };
}
