import type { Command } from '../cli/command.js';
import { ExitCode } from '../cli/errors.js';
import { optionalInteger } from '../cli/flags.js';
import { progressReporter } from '../simulator/progress.js';
import { demoDocument, formatDemo } from './format.js';
import { runDemo } from './run.js';

export const command: Command = {
  path: ['demo'],
  summary: 'Zero-touch onboarding end to end on the local emulator: two fleets, bad devices, status',
  usage: `Usage: jitr demo [--devices N] [--json]

Starts the local AWS IoT Core in-process, trusts an Azure Sphere tenant CA, a Microchip signer and a second tenant
with \`jitr preconfigure\`, boots N devices (default 50, half of each profile), then an expired device, a foreign CA
claiming an onboarded device's id and a device of an untrusted tenant; prints the results and \`jitr status\`.
Run it from the project directory (the emulator runs ./serverless.yml's functions). Exit 0 when every good device is
online and every bad one rejected, 1 otherwise.`,
  description:
    "Starts the local AWS IoT Core in-process, trusts an Azure Sphere tenant CA, a Microchip signer and a second tenant with `jitr preconfigure`, boots the devices (half of each profile), then an expired device, a foreign CA claiming an onboarded device's id and a device of an untrusted tenant; prints the results and `jitr status`. Needs no AWS account and writes nothing outside the process. Run it from the project directory (the emulator runs ./serverless.yml's functions). Exit 0 when every good device is online and every bad one rejected, 1 otherwise.",
  flags: {
    devices: 'good devices to boot, half of each profile (default: 50)',
  },
  examples: ['jitr demo', 'jitr demo --devices 10 --json > .jitr/demo.json'],
  options: { devices: { type: 'string' } },
  async run(input) {
    const devices = optionalInteger(input, 'devices', { min: 1, max: 2_000 }) ?? 50;
    const stderr = input.io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
    let progress = progressReporter(stderr);
    const result = await runDemo({
      devices,
      say: (line) => {
        progress.done();
        progress = progressReporter(stderr);
        stderr.write(`demo: ${line}\n`);
      },
      progress: (p) => progress.update(p),
    });
    progress.done();
    // A failed demo shows what the emulator and the Lambdas logged; a good one keeps the terminal to the results.
    if (!result.ok) {
      stderr.write(`demo: what the emulator and its Lambdas logged (${result.emulatorLog.length} lines):\n`);
      for (const line of result.emulatorLog) stderr.write(`${line}\n`);
    }
    return {
      data: demoDocument(result),
      human: formatDemo(result),
      exitCode: result.ok ? ExitCode.ok : ExitCode.failure,
    };
  },
};
