import { clientsFromEnv, destroyClients, type OperatorClients } from '../aws/clients.js';
import type { CommandInput } from '../cli/command.js';
import { readInputBytes } from '../commands/ca-files.js';

/** Runs a command's work with SDK clients built from the command's environment, and closes them afterwards. */
export async function withClients<T>(input: CommandInput, work: (clients: OperatorClients) => Promise<T>): Promise<T> {
  const clients = clientsFromEnv(input.io.env);
  try {
    return await work(clients);
  } finally {
    destroyClients(clients);
  }
}

/** Progress for people, on stderr (stdout carries the result). */
export function progressOn(input: CommandInput): (message: string) => void {
  return (message) => input.io.stderr.write(`jitr: ${message}\n`);
}

export const readBytes = readInputBytes;

/** `short(id)` for tables: the first 12 hex digits of a certificateId. */
export const short = (id: string | undefined) => (id ? id.slice(0, 12) : '-');
