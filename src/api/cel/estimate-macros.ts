/**
 * The cost of one iteration of a comprehension macro (all, exists, exists_one, map, filter) in the
 * CEL cost estimate (estimate.ts), as cel-go's checker/cost.go costs the loop parser/macro.go expands
 * the macro to: the loop step (the predicate or transform, `body`, with the accumulator update
 * around it) and, for all and exists, the loop condition that stops at the first decisive element.
 * `body` holds the costs of the macro's expressions after the iteration variable: the predicate,
 * or map's transform, or map's filter then transform.
 */
import { add, fixed, type Cost } from './estimate-types.js';

export function iterationCost(fn: string, body: readonly Cost[]): Cost {
  const loop = fn === 'all' ? fixed(2) : fn === 'exists' ? fixed(3) : fixed(0);
  let step: Cost;
  switch (fn) {
    case 'all': case 'exists': step = { min: 1, max: add(fixed(1), body[0]!).max }; break;
    case 'exists_one': step = add(body[0]!, { min: 1, max: 2 }); break;
    case 'map':
      step = body.length === 2 ? add(body[0]!, { min: 1, max: add(fixed(12), body[1]!).max }) : add(fixed(12), body[0]!);
      break;
    default:
      step = add(body[0]!, { min: 1, max: 13 });
  }
  return add(step, loop);
}
