/** What a subcommand of the `ask-sdk-account-linking` command is, and what it reads and writes. */
import type { Environment } from '../verification/environment';

/** What a subcommand reads and writes: the process's, or a test's. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  env: Environment;
}

/** A subcommand: `run` resolves to the process's exit code. */
export interface Command {
  run(args: readonly string[], io: CommandIo): Promise<number>;
}
