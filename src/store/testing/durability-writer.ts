/**
 * Child process for sqlite-durability.test.ts: opens a SQLite store at argv[2] and runs argv[3]
 * concurrent writers creating keys forever. A key is printed (one per line) only after its create
 * resolved, i.e. after its transaction committed; the parent kill -9s us and checks every printed
 * key survived. Values are derived from the key so the parent can verify them.
 */
import { SqliteStore } from '../sqlite.js';

export function durabilityValue(key: string): string {
  return JSON.stringify({ key, pad: 'd'.repeat(200) });
}

async function main(): Promise<void> {
  const [path, writersArg] = process.argv.slice(2);
  const store = new SqliteStore({ path });
  const writers = Number(writersArg ?? '16');
  const writer = async (w: number): Promise<void> => {
    for (let n = 0; ; n++) {
      const key = `/dur/w${w}/${n}`;
      await store.create(key, durabilityValue(key));
      process.stdout.write(`${key}\n`);
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((err) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
