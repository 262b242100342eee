/** Copies everything written to stdout and stderr (the emulator's logs and the Lambda workers' output) while it runs. */
export interface LogCapture {
  text(): string;
  restore(): void;
}

export function captureProcessOutput(options: { echo?: boolean } = {}): LogCapture {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    const original = originals[i] as typeof stream.write;
    stream.write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      if (options.echo) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    } as typeof stream.write;
  });
  return {
    text: () => chunks.join(''),
    restore() {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    },
  };
}

/**
 * Secrets a log line must never carry, found in `text`: PEM blocks (private keys, whole certificates), the base64 body of
 * any of `privateKeys`, and any of `secrets` verbatim. Returns what was found, with a little context.
 */
export function secretsIn(text: string, privateKeys: readonly string[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  const around = (index: number) => text.slice(Math.max(0, index - 40), index + 80).replace(/\s+/g, ' ');
  for (const marker of ['PRIVATE KEY', 'BEGIN CERTIFICATE', 'Signature=', 'x-amz-security-token']) {
    const index = text.indexOf(marker);
    if (index >= 0) found.push(`${marker}: ${around(index)}`);
  }
  for (const pem of privateKeys) {
    // A 40-character run of the key's base64 body is enough to leak it.
    const body = pem.replace(/-----[A-Z ]+-----|\s/g, '');
    for (let start = 0; start + 40 <= body.length; start += 40) {
      const piece = body.slice(start, start + 40);
      const index = text.indexOf(piece);
      if (index >= 0) {
        found.push(`private key material: ${around(index)}`);
        break;
      }
    }
  }
  for (const secret of secrets) {
    const index = secret ? text.indexOf(secret) : -1;
    if (index >= 0) found.push(`secret: ${around(index)}`);
  }
  return found;
}
