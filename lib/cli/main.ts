#!/usr/bin/env node
/**
 * The package's command, `ask-sdk-account-linking <command>` (package.json `bin`). The commands
 * live in ./commands, each loaded only when it runs.
 */
import { processIo, runCommand } from './commands';
import { printable } from './findings';

const io = processIo();
runCommand(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // An unexpected failure: its name and code only. Its message is not printed: a library's message
    // can quote a value it was given (a file name, a URL, a token).
    const { name, code } =
      error instanceof Error ? (error as NodeJS.ErrnoException) : { name: undefined, code: undefined };
    io.stderr(
      `ask-sdk-account-linking: failed unexpectedly${name ? ` (${printable(name, 40)}${code ? ` ${printable(code, 40)}` : ''})` : ''}: please report it\n`,
    );
    process.exitCode = 2;
  },
);
