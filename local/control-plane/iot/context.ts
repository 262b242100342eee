import type { IssuedCa } from '../../../certs/issue.js';
import type { RegistryStore } from '../../state/store.js';

/** What an IoT operation sees of the HTTP request, already decoded. */
export interface IotRequest {
  labels: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; `{}` when the request has none. */
  body: Record<string, unknown>;
}

export interface IotContext {
  store: RegistryStore;
  now(): number;
  /** Issues certificates for CreateKeysAndCertificate / CreateCertificateFromCsr, as Amazon's CA does. */
  amazonCa(): Promise<IssuedCa>;
}

/** An operation returns the JSON body of its 200 answer (`undefined` for an empty one). */
export type IotHandler = (context: IotContext, request: IotRequest) => unknown | Promise<unknown>;

export interface IotOperation {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  handler: IotHandler;
}
