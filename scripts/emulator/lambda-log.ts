import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DecisionLine, divertLines, parseDecisionLine } from '../demo/handler-logs.js';

const HANDLER_LINE = /^\[[\w.-]+\] /;

/** One line per onboarding decision, for people: `decision activate  thing 3f2a…  certificate 9b1c2d3e4f50`. */
export function decisionSummary(decision: DecisionLine): string {
  const reasons = decision.reasons.length > 0 ? `  reasons ${decision.reasons.join(', ')}` : '';
  const certificate = decision.certificateId ? decision.certificateId.slice(0, 12) : '-';
  return `jitr local: decision ${decision.decision.padEnd(9)} thing ${decision.thingName ?? '-'}  certificate ${certificate}${reasons}`;
}

/**
 * Keeps the emulator's Lambda output (what CloudWatch Logs holds in AWS: `[<function>] <line>` on stderr) off the
 * terminal: every such line goes to the log file, and with `decisions` a one-line summary of each onboarding decision
 * goes to the terminal. Everything else on stderr passes through.
 */
export function routeLambdaLogs(options: { stderr: NodeJS.WriteStream; logPath: string; decisions: boolean }): {
  close(): Promise<void>;
} {
  // Summaries go out through the stream's own write, not the diverted one being run.
  const terminal = options.stderr.write.bind(options.stderr);
  mkdirSync(dirname(resolve(options.logPath)), { recursive: true });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  const { restore } = divertLines(options.stderr, (line) => {
    if (!HANDLER_LINE.test(line)) return false;
    log.write(`${line}\n`);
    const decision = options.decisions ? parseDecisionLine(line) : undefined;
    if (decision) terminal(`${decisionSummary(decision)}\n`);
    return true;
  });
  return {
    close: () =>
      new Promise<void>((done) => {
        restore();
        log.end(() => done());
      }),
  };
}
