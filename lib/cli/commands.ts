/**
 * The subcommands of the `ask-sdk-account-linking` command, each loaded only when it runs. Adding
 * one is one line in {@link COMMANDS}: a module exporting `run(args, io)` that resolves to an exit code.
 */
import type { Command, CommandIo } from './command-io';
import { echoable } from './findings';

export type { Command, CommandIo } from './command-io';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  'check-server': {
    summary: "try the authorization server the way Alexa and the skill's verifier will",
    load: () => import('./check-server'),
  },
  verdict: {
    summary: 'what a skill configured by the environment answers to an access token',
    load: () => import('./verdict'),
  },
};

export const USAGE = `Usage: ask-sdk-account-linking <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(14)} ${summary}`)
  .join('\n')}

Run ask-sdk-account-linking <command> --help for a command's options.
`;

/** Runs the command `args` names; resolves to the exit code (2 for a usage error). */
export async function runCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io[name === undefined ? 'stderr' : 'stdout'](USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    // Repeated only when it reads as a command name: a token pasted here is not echoed back.
    io.stderr(
      `ask-sdk-account-linking: unknown command${echoable(name) ? ` ${name}` : ' (not repeated: it is not a command name)'}\n\n${USAGE}`,
    );
    return 2;
  }
  return (await command.load()).run(rest, io);
}

/** The process's standard streams and environment. */
export function processIo(): CommandIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
}
