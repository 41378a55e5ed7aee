/**
 * The `bosun` command line. `server` and `agent` parse their flags from one table (src/cli/flags,
 * with util.parseArgs, so the agent never loads commander); the other subcommands register
 * themselves on commander's program. Commander lists all of them in `bosun --help`.
 */
import { Command } from 'commander';
import { BOSUN_VERSION } from '../apiserver/server.js';
import { AGENT_DESCRIPTION } from './flags/agent-flags.js';
import { SERVER_DESCRIPTION } from './flags/server-flags.js';

/** Commands with their own entry point, on the flag table: `bosun NAME ARGS...` runs `main(ARGS)`. */
const FLAG_COMMANDS: Record<string, { description: string; main: () => Promise<(args: string[]) => Promise<void>> }> = {
  server: { description: SERVER_DESCRIPTION, main: async () => (await import('./commands/server.js')).serverMain },
  agent: { description: AGENT_DESCRIPTION, main: async () => {
    const { agentMain } = await import('./commands/agent.js');
    return (args) => agentMain(['node', 'bosun', 'agent', ...args]);
  } },
  'install-service': { description: 'install a systemd unit (and OpenRC script) running `bosun server|agent` with the flags given', main: async () => (await import('./commands/install-service.js')).installServiceMain },
};

const [cmd, ...rest] = process.argv.slice(2);
// `bosun help server` is `bosun server --help`.
const helpFor = cmd === 'help' && rest[0] !== undefined ? FLAG_COMMANDS[rest[0]] : undefined;
const flagCommand = cmd === undefined ? undefined : FLAG_COMMANDS[cmd];
if (helpFor) {
  await (await helpFor.main())(['--help']);
} else if (flagCommand) {
  await (await flagCommand.main())(rest);
} else {
  const program = new Command('bosun')
    .description('A small container orchestrator that speaks the Kubernetes API')
    .version(BOSUN_VERSION);
  for (const [name, c] of Object.entries(FLAG_COMMANDS)) program.command(name).description(c.description);
  (await import('./commands/images.js')).registerImagesCommand(program);
  (await import('./commands/killall.js')).registerKillallCommands(program);
  (await import('./commands/secrets-encrypt.js')).registerSecretsEncryptCommand(program);
  (await import('./commands/rotate-sa-key.js')).registerRotateSaKeyCommand(program);
  (await import('./commands/user.js')).registerUserCommand(program);
  // An unknown command is an error, even with --help after it (commander would print the top-level
  // help and exit 0: a script calling a command this version lacks must not pass).
  if (cmd !== undefined && !cmd.startsWith('-') && cmd !== 'help' && !program.commands.some((c) => c.name() === cmd)) {
    console.error(`error: unknown command '${cmd}'\n(run 'bosun --help' for the commands)`);
    process.exit(1);
  }
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    console.error(`bosun: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  }
}
