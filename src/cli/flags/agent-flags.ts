/** `bosun agent`'s flags: where to join, then the node flags. Kept apart from the server's: the agent bundle carries only these. */
import { CONFIG_FLAG, NODE_FLAGS } from './node-flags.js';
import type { Flag } from './flag.js';

export const AGENT_DESCRIPTION = 'join a cluster and run this machine as one of its nodes';
export const AGENT_FLAGS: readonly Flag[] = [
  CONFIG_FLAG,
  { name: 'server', value: 'url', help: 'the server to join, https://HOST:PORT', required: true },
  { name: 'token', value: 'token', help: 'join token (the server\'s DATA_DIR/token); also --token-file or BOSUN_TOKEN' },
  { name: 'token-file', value: 'path', help: 'file holding the join token' },
  ...NODE_FLAGS,
];
