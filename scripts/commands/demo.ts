import type { Command } from '../cli/command.js';

export const command: Command = {
  path: ['demo'],
  summary: 'Run the zero-touch onboarding demo on the local emulator',
  usage: 'Usage: jitr demo [--json]',
  options: {},
  async run() {
    return { data: { status: 'not-built' }, human: 'The demo is not built yet.' };
  },
};
