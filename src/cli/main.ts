/**
 * The `bosun` command line. Each subcommand lives in commands/<name>.ts and registers itself on the
 * program (server now; agent and others later).
 */
import { Command } from 'commander';
import { registerServerCommand } from './commands/server.js';
import { registerAgentCommand } from './commands/agent.js';
import { BOSUN_VERSION } from '../apiserver/server.js';

const program = new Command('bosun')
  .description('A small container orchestrator that speaks the Kubernetes API')
  .version(BOSUN_VERSION);
registerServerCommand(program);
registerAgentCommand(program);
(await import('./commands/images.js')).registerImagesCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`bosun: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
}
