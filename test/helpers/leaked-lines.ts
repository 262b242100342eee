/**
 * What a log line leaked into the test output looks like: an emulator event (`{"component":...}`), a Lambda's console
 * line as the emulator's runner prefixes it (`[jitr-dev-onboard] ...`), a structured log record (Powertools Logger,
 * `"level":"ERROR"`), or a Lambda that crashed or could not start, named by its runtime error type.
 */
const LEAKED = [
  /^\{"component":"/,
  /^\[[\w.-]+\] \S/,
  /^\{.*"level":"(?:TRACE|DEBUG|INFO|WARN|ERROR|CRITICAL|SILENT)"/i,
  // Not in a failed test's report of what its emulator logged (test/helpers/emulator-logs.ts indents it with `  | `).
  /^(?! {2}\| ).*\bRuntime\.(?:ExitError|HandlerNotFound)\b/,
];

/** The lines of `text` that are leaked log lines. */
export function leakedLines(text: string): string[] {
  return text.split('\n').filter((line) => LEAKED.some((pattern) => pattern.test(line)));
}
