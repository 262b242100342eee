import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type EmulatorEvent, type EmulatorLogSink, isNotable, lineWriter } from '../../local/log-sink.js';
import { type DecisionLine, parseDecisionLine } from '../demo/handler-logs.js';

/** One line per onboarding decision, for people: `decision activate  thing 3f2a…  certificate 9b1c2d3e4f50`. */
export function decisionSummary(decision: DecisionLine): string {
  const reasons = decision.reasons.length > 0 ? `  reasons ${decision.reasons.join(', ')}` : '';
  const certificate = decision.certificateId ? decision.certificateId.slice(0, 12) : '-';
  return `jitr local: decision ${decision.decision.padEnd(9)} thing ${decision.thingName ?? '-'}  certificate ${certificate}${reasons}`;
}

/** One emulator event, for people: `jitr local: gateway lambda-error Runtime.ExitError  functionName=jitr-dev-onboard attempt=1`. */
export function eventSummary(line: EmulatorEvent): string {
  const { component, event, code, ...fields } = line;
  const details = Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `jitr local: ${component} ${event}${code ? ` ${code}` : ''}${details ? `  ${details}` : ''}`;
}

/** Events the terminal never needs: shutdown says how many invocations it dropped in its own words. */
const FILE_ONLY = new Set(['lambda-stopped']);

export interface LocalLogOptions {
  /** Every emulator event (a JSON line) and every Lambda line (`[<function>] <line>`, CloudWatch Logs in AWS). */
  logPath: string;
  terminal: NodeJS.WritableStream;
  /** One summary line per onboarding decision on the terminal. */
  decisions: boolean;
  /** One summary line per notable event (a Lambda error, an access denied...) on the terminal: the foreground run. */
  events: boolean;
}

/**
 * The sink of `jitr local start`: everything goes to the log file; the terminal gets, only as asked, one readable line
 * per onboarding decision and per notable event, never the raw JSON.
 */
export function localLogSink(
  options: LocalLogOptions,
): EmulatorLogSink & { note(text: string): void; close(): Promise<void> } {
  mkdirSync(dirname(resolve(options.logPath)), { recursive: true });
  const file = createWriteStream(options.logPath, { flags: 'a' });
  const functionLogs = lineWriter((line) => {
    file.write(`${line}\n`);
    const decision = options.decisions ? parseDecisionLine(line) : undefined;
    if (decision) options.terminal.write(`${decisionSummary(decision)}\n`);
  });
  return {
    event(line) {
      file.write(`${JSON.stringify(line)}\n`);
      if (options.events && isNotable(line) && !FILE_ONLY.has(line.event)) {
        options.terminal.write(`${eventSummary(line)}\n`);
      }
    },
    functionLogs,
    /** A line of the command's own (ready, shutting down) for the log file only. */
    note: (text) => file.write(`${text}\n`),
    close: () =>
      new Promise<void>((done) => {
        functionLogs.end(() => file.end(() => done()));
      }),
  };
}
