#!/usr/bin/env node
/**
 * The package's command, `ask-sdk-account-linking <command>` (package.json `bin`). The commands
 * live in ./commands, each loaded only when it runs.
 */
import { processIo, runCommand } from './commands';

const io = processIo();
runCommand(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // An unexpected failure: its name and message only (no stack of values, never a request).
    io.stderr(`ask-sdk-account-linking: ${error instanceof Error ? `${error.name}: ${error.message}` : 'failed'}\n`);
    process.exitCode = 2;
  },
);
