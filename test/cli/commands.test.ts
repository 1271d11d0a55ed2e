/** lib/cli/commands.ts: the subcommands of ask-sdk-account-linking, the usage, and what is never echoed. */
import { COMMANDS, runCommand, USAGE, type CommandIo } from '../../lib/cli/commands';

const REFRESH_TOKEN = 'rt_given_0123456789abcdefghijklmnop';

/** An io for the command: no stdin, what it prints collected (stdout and stderr apart, and together). */
function commandIo(
  env: Record<string, string> = {},
): CommandIo & { out: () => string; stdout_: () => string; stderr_: () => string } {
  let out = '';
  let stdout = '';
  let stderr = '';
  return {
    env,
    readStdin: async () => '',
    stdout: (text) => void ((out += text), (stdout += text)),
    stderr: (text) => void ((out += text), (stderr += text)),
    out: () => out,
    stdout_: () => stdout,
    stderr_: () => stderr,
  };
}

describe('runCommand', () => {
  it('prints the usage, listing every command, on stderr with exit 2 when no command is given', async () => {
    const io = commandIo();
    expect(await runCommand([], io)).toBe(2);
    expect(io.stderr_()).toBe(USAGE);
    for (const name of Object.keys(COMMANDS)) expect(USAGE).toContain(`  ${name} `);
  });

  it.each(['help', '--help', '-h'])('prints the usage on stdout with exit 0 for %s', async (word) => {
    const io = commandIo();
    expect(await runCommand([word], io)).toBe(0);
    expect([io.stdout_(), io.stderr_()]).toEqual([USAGE, '']);
  });

  it('does not repeat a token pasted as the command name, and still names a mistyped command', async () => {
    const io = commandIo();
    expect(await runCommand([REFRESH_TOKEN], io)).toBe(2);
    expect(io.out()).not.toContain(REFRESH_TOKEN.slice(0, 12));
    const typo = commandIo();
    expect(await runCommand(['check-sever'], typo)).toBe(2);
    expect(typo.out()).toMatch(/unknown command check-sever\n/);
  });

  it('takes no inherited property of an object for a command', async () => {
    const io = commandIo();
    expect(await runCommand(['constructor'], io)).toBe(2);
    expect(io.out()).toMatch(/unknown command constructor\n/);
  });

  it('runs the command named with the rest of the arguments, resolving to its exit code', async () => {
    const io = commandIo();
    expect(await runCommand(['verdict', '--help'], io)).toBe(0);
    expect(io.stdout_()).toMatch(/verdict/);
  });
});
