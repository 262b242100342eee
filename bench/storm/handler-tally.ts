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
  const original = stream.write;
  const counts: Record<string, Record<string, number>> = {};
  let partial = '';
  const count = (fn: string, key: string) => {
    const table = counts[fn] ?? {};
    counts[fn] = table;
    table[key] = (table[key] ?? 0) + 1;
  };
  const divert = (text: string): string => {
    const pieces = (partial + text).split('\n');
    partial = pieces.pop() ?? '';
    const kept: string[] = [];
    for (const line of pieces) {
      const match = HANDLER_LINE.exec(line);
      if (!match) {
        kept.push(`${line}\n`);
        continue;
      }
      try {
        const record = JSON.parse(match[2] ?? '') as Record<string, unknown>;
        const key =
          typeof record.decision === 'string' ? record.decision : `error:${String(record.code ?? record.error)}`;
        count(match[1] ?? '?', key);
      } catch {
        count(match[1] ?? '?', 'unparsed');
      }
    }
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
    counts,
    restore() {
      stream.write = original;
    },
  };
}
