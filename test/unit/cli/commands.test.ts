import { describe, expect, it } from 'vitest';
import type { Command } from '../../../scripts/cli/command.js';
import { optionsOf } from '../../../scripts/cli/parse.js';
import { commandLoaders } from '../../../scripts/cli/registry.js';

// Every command's --help: a description, each flag explained with its default, an example. Commands that other work
// adds without them are listed by name here, so the gap is found without breaking compilation.
async function everyCommand(): Promise<Command[]> {
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}

const name = (command: Command) => command.path.join(' ');

describe('the commands of jitr', () => {
  it('each have a description and at least one example', async () => {
    const commands = await everyCommand();
    const missing = commands
      .filter((command) => !command.description || !command.examples || command.examples.length === 0)
      .map(name);
    expect(missing, 'commands without a description or an example').toEqual([]);
  });

  it('explain every flag they take', async () => {
    const commands = await everyCommand();
    const unexplained = commands.flatMap((command) =>
      Object.keys(command.options)
        .filter((flag) => !command.flags?.[flag])
        .map((flag) => `${name(command)} --${flag}`),
    );
    expect(unexplained, 'flags without a help line').toEqual([]);
  });

  it('give the default of every optional value flag ("default:"), or say it is required', async () => {
    const commands = await everyCommand();
    const silent = commands.flatMap((command) =>
      Object.entries(command.options)
        .filter(
          ([flag, spec]) => spec.type === 'string' && !/\(default|required|\(with --/.test(command.flags?.[flag] ?? ''),
        )
        .map(([flag]) => `${name(command)} --${flag}`),
    );
    expect(silent, 'value flags whose help gives no default').toEqual([]);
  });

  it('examples run the command they document', async () => {
    const commands = await everyCommand();
    const wrong = commands.flatMap((command) =>
      (command.examples ?? [])
        .filter((example) => !example.includes(`jitr ${name(command)}`))
        .map((e) => `${name(command)}: ${e}`),
    );
    expect(wrong).toEqual([]);
  });

  it('take --region exactly when they call AWS (and local start, for the region it emulates)', async () => {
    const commands = await everyCommand();
    const withRegion = commands
      .filter((command) => 'region' in optionsOf(command))
      .map(name)
      .sort();
    const aws = commands.filter((command) => command.aws).map(name);
    expect(withRegion).toEqual([...aws, 'local start'].sort());
    expect(aws).toEqual(
      expect.arrayContaining(['preconfigure', 'status', 'doctor', 'deprovision', 'revoke', 'replay', 'simulate']),
    );
  });

  it('mean one thing by --stage, --dry-run and --concurrency wherever they appear', async () => {
    const commands = await everyCommand();
    const help = (flag: string) =>
      commands.flatMap((command) => (flag in command.options ? [[name(command), command.flags?.[flag] ?? '']] : []));
    for (const [command, text] of help('stage')) expect(text, command).toMatch(/^deployment stage.*\(default: dev\)/);
    for (const [command, text] of help('dry-run')) expect(text, command).toMatch(/change nothing|changes nothing/);
    for (const [command, text] of help('concurrency')) expect(text, command).toMatch(/^connection attempts in flight/);
    // Every AWS command that acts on a stage's deployment takes --stage (deprovision included).
    const stageless = commands.filter((command) => command.aws && !('stage' in command.options)).map(name);
    expect(stageless).toEqual([]);
  });
});
