/**
 * `has(e.f)` for any operand `e`, as CEL defines it: cel-js's macro accepts only a chain of field
 * selections rooted at an identifier (`has(a.b.c)`) and refuses `has(self[0].f)` or
 * `has(self.items[0].f)`, which real CRDs use (Gateway API's HTTPRoute rules). After parsing, such
 * macros get this expansion instead: the operand is evaluated like any expression (an error if it
 * fails, as cel-go), then the field's presence tested. Chains rooted at an identifier keep cel-js's.
 */
import type { ASTNode } from '@marcbachmann/cel-js';

interface Node {
  op: string;
  args: unknown;
  meta?: { macro?: unknown };
  setMeta(key: string, value: unknown): Node;
}
interface Checker {
  check(n: unknown, ctx: unknown): unknown;
  getType(name: string): unknown;
  createError(code: string, message: string, node: unknown): Error;
}
interface Evaluator {
  run(n: unknown, ctx: unknown): unknown;
  debugType(v: unknown): { fieldLazy(obj: unknown, key: unknown, node: unknown, ev: Evaluator): unknown };
}

function rootedAtIdentifier(sel: Node): boolean {
  let n = sel;
  while (n.op === '.' || n.op === '.?') n = (n.args as Node[])[0]!;
  return n.op === 'id';
}

function macroFor(sel: Node): object {
  const [operand, field] = sel.args as [Node, string];
  return {
    args: [sel],
    async: false,
    typeCheck(chk: Checker, _m: unknown, ctx: unknown) {
      chk.check(operand, ctx);
      return chk.getType('bool');
    },
    evaluate(ev: Evaluator, _m: unknown, ctx: unknown) {
      const obj = ev.run(operand, ctx);
      return ev.debugType(obj).fieldLazy(obj, field, sel, ev) !== undefined;
    },
  };
}

/** Gives every `has()` under `root` whose field selection is not rooted at an identifier the general expansion. */
export function widenHasMacros(root: ASTNode): void {
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const n = x as Node;
    if (typeof n.op !== 'string') return;
    const a = n.args as unknown[];
    if (n.op === 'call' && a[0] === 'has' && n.meta?.macro) {
      const sel = (a[1] as Node[])[0];
      if (sel && (sel.op === '.' || sel.op === '.?') && !rootedAtIdentifier(sel)) n.setMeta('macro', macroFor(sel));
    }
    visit(n.args);
  };
  visit(root);
}
