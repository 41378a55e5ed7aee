/**
 * Parses the join token `bosun server` prints and keeps in its DATA_DIR/token, in k3s's secure
 * format `K10<sha256 hex of the server's CA bundle>::<user>:<secret>`. The hash pins the CA; a token
 * without it (a bare secret) is refused, because the agent could then not tell the real server from
 * an impostor.
 */

export interface ParsedJoinToken {
  /** sha256 (hex, lower case) of the CA bundle the server must serve at /cacerts. */
  caHash: string;
  /** The bearer secret for the credential request. */
  secret: string;
}

export function parseJoinToken(token: string): ParsedJoinToken {
  const m = /^K10([0-9a-fA-F]{64})::([^:]+):(.+)$/.exec(token.trim());
  if (!m) {
    throw new Error('invalid join token: expected K10<sha256 of the server CA>::server:<secret>, as in the server\'s DATA_DIR/token');
  }
  return { caHash: m[1]!.toLowerCase(), secret: m[3]! };
}
