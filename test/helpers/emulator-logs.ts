import { beforeEach } from 'vitest';
import type { EmulatorEvent, EmulatorLogSink } from '../../local/log-sink.js';
import { collectHandlerLogs, type HandlerLogCapture } from '../../scripts/demo/handler-logs.js';

/**
 * An emulator log sink for tests: the emulator's events and its Lambdas' lines are kept here, off the test output, so a
 * test asserts on them (a deliberately failing Lambda's `lambda-error`, an `access-denied`); `printOnFailure` shows
 * them when a test fails.
 */
export interface EmulatorLogCapture extends EmulatorLogSink {
  events: EmulatorEvent[];
  /** The Lambdas' lines, `[<function>] <line>`, in order. */
  functionLines: string[];
  /** The onboarding decisions among the Lambdas' lines. */
  handler: HandlerLogCapture;
  /** Every line so far (events as JSON), in order. */
  lines: string[];
  /** Events of one kind, e.g. `eventsNamed('lambda-error')`. */
  eventsNamed(event: string): EmulatorEvent[];
}

export function captureEmulatorLogs(): EmulatorLogCapture {
  const events: EmulatorEvent[] = [];
  const functionLines: string[] = [];
  const lines: string[] = [];
  const handler = collectHandlerLogs((line) => {
    functionLines.push(line);
    lines.push(line);
  });
  return {
    events,
    functionLines,
    handler,
    lines,
    event(line) {
      events.push(line);
      lines.push(JSON.stringify(line));
    },
    functionLogs: handler.functionLogs,
    eventsNamed: (event) => events.filter((line) => line.event === event),
  };
}

/**
 * Registers hooks that print, for a failed test, what `capture` received while it ran (indented, so it reads as the
 * test's report, not as a leaked line).
 */
export function printOnFailure(capture: () => { lines: string[] } | undefined): void {
  beforeEach(({ task, onTestFailed }) => {
    const from = capture()?.lines.length ?? 0;
    onTestFailed(() => {
      const seen = capture()?.lines.slice(from) ?? [];
      if (seen.length === 0) return;
      process.stderr.write(`emulator log of "${task.name}" (${seen.length} lines):\n`);
      for (const line of seen) process.stderr.write(`  | ${line}\n`);
    });
  });
}
