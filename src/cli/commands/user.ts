/** `bosun user add NAME [--group G]... [--kubeconfig-out FILE] [--duration D]` (user-add.ts), flags from flags/user-flags.ts. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { KubeClient } from '../../client/index.js';
import { isFlagError, usageOf } from '../flags/flag.js';
import { USER_ADD_DESCRIPTION, USER_ADD_FLAGS } from '../flags/user-flags.js';
import { addUser } from './user-add.js';

interface UserAddOptions {
  group?: string[];
  kubeconfigOut?: string;
  duration?: number;
  dataDir: string;
  kubeconfig?: string;
  server?: string;
  timeout: number;
}

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('manage people who use the cluster (client certificates through CertificateSigningRequests)');
  const add = user.command('add <name>').description(USER_ADD_DESCRIPTION);
  for (const f of USER_ADD_FLAGS) {
    const parse = (v: string, previous: unknown): unknown => {
      if (f.name === 'group') return [...((previous as string[] | undefined) ?? []), v];
      const out = f.parse ? f.parse(v) : v;
      if (isFlagError(out)) throw new Error(`option '${usageOf(f)}' argument '${v}' is invalid. ${out.error}`);
      return out;
    };
    const def = f.default === undefined ? undefined : f.parse ? f.parse(f.default) : f.default;
    add.option(usageOf(f), f.help, parse, def);
  }
  add.action(async (name: string, o: UserAddOptions) => {
    if (o.duration !== undefined && o.duration < 600_000) throw new Error('--duration must be at least 10m (the API refuses shorter expirationSeconds)');
    const client = KubeClient.fromKubeconfig(o.kubeconfig ?? join(o.dataDir, 'kubeconfig.yaml'), { userAgent: 'bosun-user-add' });
    try {
      const out = o.kubeconfigOut ?? `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.kubeconfig`;
      const added = await addUser(client, { name, groups: o.group ?? [], kubeconfigOut: out, durationMs: o.duration, server: o.server, timeoutMs: o.timeout });
      process.stdout.write(`user "${name}" added (CertificateSigningRequest ${added.csrName}); kubeconfig written to ${added.kubeconfig}\n`);
    } finally {
      client.close();
    }
  });
}
