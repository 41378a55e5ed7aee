/**
 * The API server alone for bench/rbac.bench.ts, in its own process so that the benchmark can read
 * exactly the server's CPU time: `node --import tsx bench/rbac-server.ts <RBAC|AlwaysAllow> <dataDir>`
 * prints `{"url":...}` once listening and stops on SIGTERM.
 */
import { startApiServer } from '../src/apiserver/server.js';

const mode = process.argv[2] === 'AlwaysAllow' ? 'AlwaysAllow' : 'RBAC';
const server = await startApiServer({ dataDir: process.argv[3]!, port: 0, bindAddress: '127.0.0.1', storeBackend: 'sqlite', authorization: mode });
console.log(JSON.stringify({ url: server.url }));
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
