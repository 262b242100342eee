import { divertLines } from '../../scripts/demo/handler-logs.js';

/**
 * The emulator's Lambda runner writes each handler's output to this process's stderr as `[<function>] <line>`. The
 * storm keeps those lines off the terminal (thousands of them) and counts them instead: invocations per function,
 * by decision, and errors by name. Other stderr output passes through.
 */
export interface HandlerTally {
  /** function name -> decision (or `error:<name>`) -> lines. */
  counts: Record<string, Record<string, number>>;
  restore(): void;
}

const HANDLER_LINE = /^\[([\w.-]+)\] (\{.*\})$/;

export function tallyHandlerLines(stream: NodeJS.WriteStream = process.stderr): HandlerTally {
  const counts: Record<string, Record<string, number>> = {};
  const count = (fn: string, key: string) => {
    const table = counts[fn] ?? {};
    counts[fn] = table;
    table[key] = (table[key] ?? 0) + 1;
  };
  const { restore } = divertLines(stream, (line) => {
    const match = HANDLER_LINE.exec(line);
    if (!match) return false;
    try {
      const record = JSON.parse(match[2] ?? '') as Record<string, unknown>;
      // Powertools Metrics' EMF documents travel beside each decision line: they are not invocations.
      if ('_aws' in record) return true;
      const key =
        typeof record.decision === 'string' ? record.decision : `error:${String(record.code ?? record.error)}`;
      count(match[1] ?? '?', key);
    } catch {
      count(match[1] ?? '?', 'unparsed');
    }
    return true;
  });
  return { counts, restore };
}
