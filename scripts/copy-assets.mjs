// Copies the non-TypeScript files the code loads at run time (protobuf definitions) from src/ to
// dist/, keeping their paths, so the compiled CLI finds them next to its modules.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const assetExt = ['.proto'];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (assetExt.some((e) => p.endsWith(e))) {
      const out = join('dist', relative('src', p));
      mkdirSync(dirname(out), { recursive: true });
      cpSync(p, out);
    }
  }
}
walk('src');
