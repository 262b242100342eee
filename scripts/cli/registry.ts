import type { Command } from './command.js';

/**
 * Every command, loaded lazily so that `jitr cert inspect` does not pay for the AWS SDK or the emulator.
 * Key: the command's words joined by a space. Add a line here for each new command module.
 */
export const commandLoaders: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('../demo/command.js')).command,
  'ca create': async () => (await import('../commands/ca-create.js')).command,
  'ca revoke': async () => (await import('../commands/ca-revoke.js')).command,
  'ca crl': async () => (await import('../commands/ca-crl.js')).command,
  'ca retire': async () => (await import('../commands/ca-retire.js')).command,
  'ca verification-cert': async () => (await import('../commands/ca-verification-cert.js')).command,
  'device issue': async () => (await import('../commands/device-issue.js')).command,
  'cert inspect': async () => (await import('../commands/cert-inspect.js')).command,
  'local start': async () => (await import('../commands/local-start.js')).command,
  'local env': async () => (await import('../commands/local-env.js')).command,
  'local stop': async () => (await import('../commands/local-stop.js')).command,
  simulate: async () => (await import('../commands/simulate.js')).command,
  preconfigure: async () => (await import('../commands/preconfigure.js')).command,
  status: async () => (await import('../commands/status.js')).command,
  doctor: async () => (await import('../commands/doctor.js')).command,
  deprovision: async () => (await import('../commands/deprovision.js')).command,
  revoke: async () => (await import('../commands/revoke.js')).command,
  readmit: async () => (await import('../commands/readmit.js')).command,
  replay: async () => (await import('../commands/replay.js')).command,
  'firmware-config': async () => (await import('../commands/firmware-config.js')).command,
  'vend setup': async () => (await import('../commands/vend-setup.js')).command,
  'token create': async () => (await import('../commands/token-create.js')).command,
};
