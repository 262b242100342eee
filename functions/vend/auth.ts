import { type BalenaApi, BalenaUnauthorized } from './balena-api.js';
import { AuthError, upstreamFailed } from './errors.js';
import { tokenDeviceId, tokenMatches, tokenParameterName } from './tokens.js';

/**
 * Who may act for a device id. Every mode needs a credential (`Authorization: Bearer ...`): there is no open mode.
 * POST and DELETE call the same `authenticate`, so deprovisioning needs the same proof as provisioning.
 */
export interface Authenticator {
  readonly mode: 'token' | 'balena';
  /** Resolves when `bearer` proves the caller may act for `deviceId`; throws AuthError (401 / 403) otherwise. */
  authenticate(deviceId: string, bearer: string | undefined): Promise<void>;
  /** After a DELETE: the credential is void from now on. */
  revoke(deviceId: string): Promise<void>;
}

/** Secrets kept in SSM (SecureString), read decrypted; `remove` tolerates a missing one. */
export interface SecretStore {
  read(name: string): Promise<string | undefined>;
  remove(name: string): Promise<void>;
}

/** `token` mode: a per-device claim token made by `jitr token create`, stored hashed under `prefix`. */
export function tokenAuthenticator(store: SecretStore, prefix: string): Authenticator {
  return {
    mode: 'token',
    async authenticate(deviceId, bearer) {
      if (bearer === undefined) throw new AuthError(401, 'NO_CREDENTIAL');
      const claimed = tokenDeviceId(bearer);
      if (claimed === undefined) throw new AuthError(401, 'NOT_A_CLAIM_TOKEN');
      if (claimed !== deviceId.toLowerCase()) throw new AuthError(403, 'TOKEN_OF_ANOTHER_DEVICE');
      const stored = await store.read(tokenParameterName(prefix, deviceId));
      if (stored === undefined) throw new AuthError(401, 'TOKEN_VOID_OR_UNKNOWN');
      if (!tokenMatches(bearer, stored)) throw new AuthError(401, 'TOKEN_MISMATCH');
    },
    async revoke(deviceId) {
      await store.remove(tokenParameterName(prefix, deviceId));
    },
  };
}

/**
 * `balena` mode: the bearer is the device's own balenaCloud API key (BALENA_API_KEY inside its containers). A device
 * key sees only its own device, so finding the UUID with it proves the caller is that device; the operator token (an
 * SSM SecureString) then confirms the device exists in the operator's balenaCloud account.
 */
export function balenaAuthenticator(api: BalenaApi, operatorToken: () => Promise<string>): Authenticator {
  return {
    mode: 'balena',
    async authenticate(deviceId, bearer) {
      if (bearer === undefined) throw new AuthError(401, 'NO_CREDENTIAL');
      const uuid = deviceId.toLowerCase();
      let seen: Awaited<ReturnType<BalenaApi['findDevice']>>;
      try {
        seen = await api.findDevice(uuid, bearer);
      } catch (error) {
        if (error instanceof BalenaUnauthorized) throw new AuthError(401, 'BALENA_KEY_REFUSED');
        throw error;
      }
      if (!seen) throw new AuthError(403, 'BALENA_KEY_OF_ANOTHER_DEVICE');
      let known: Awaited<ReturnType<BalenaApi['findDevice']>>;
      try {
        known = await api.findDevice(uuid, await operatorToken());
      } catch (error) {
        if (error instanceof BalenaUnauthorized) throw upstreamFailed('balenaCloud refused the operator token', error);
        throw error;
      }
      if (!known || known.id !== seen.id) throw new AuthError(403, 'BALENA_DEVICE_NOT_IN_ACCOUNT');
    },
    async revoke() {
      // Device API keys belong to balenaCloud; deleting the device there is the operator's call.
    },
  };
}
