// @peculiar/x509 2.x resolves its services through reflect metadata: the polyfill must load before it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509, ready to use. Only the issuing side loads it; validation (the Lambda's hot path) uses node:crypto. */
export { x509 };
