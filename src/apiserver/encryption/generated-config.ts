/**
 * k3s's `--secrets-encryption`: without a configuration file of one's own, the server keeps one in
 * DATA_DIR/encryption-config.yaml (0600), made on first start with a fresh 32-byte aescbc key for
 * Secrets and identity after it (so Secrets written before it was turned on stay readable), and
 * reused as is afterwards (rotation edits that file, as docs/operations.md describes).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../pki/private-file.js';

export const GENERATED_CONFIG_FILE = 'encryption-config.yaml';

/** The path of the data dir's configuration, written first if absent. */
export function ensureGeneratedEncryptionConfig(dataDir: string): string {
  const path = join(dataDir, GENERATED_CONFIG_FILE);
  if (existsSync(path)) return path;
  writePrivateFile(path, `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - name: aescbckey-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}
              secret: ${randomBytes(32).toString('base64')}
      - identity: {}
`);
  return path;
}
