/**
 * CEL environments as the Kubernetes API server builds them (k8s.io/apiserver/pkg/cel/environment):
 * @marcbachmann/cel-js with optional types and the Kubernetes libraries (strings, lists, regex, urls,
 * quantity, ip/cidr, format), plus the variables of one use (`self`/`oldSelf` for CRD rules; `object`,
 * `request`, ... for admission). Every evaluation is metered in cel-go's cost units (cost.ts).
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { CostLimitError, metered, prepareCost, trackCost } from './cost.js';
import { widenHasMacros } from './has-macro.js';
import { registerIPLibrary } from './lib-ip.js';
import { registerListsLibrary } from './lib-lists.js';
import { registerQuantityLibrary } from './lib-quantity.js';
import { registerRegexLibrary } from './lib-regex.js';
import { registerStringsLibrary } from './lib-strings.js';
import { registerURLLibrary } from './lib-url.js';

export type Program = ParseResult;

type Root = new (registry: unknown, vars: Record<string, unknown>) => unknown;
interface Evaluator {
  registry: unknown;
  run(ast: unknown, ctx: unknown): unknown;
}

const PROBE = 'bosunCelEvaluatorProbe';

let base: Environment | undefined;
function library(): Environment {
  if (base) return base;
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false, unlistedVariablesAreDyn: false });
  registerStringsLibrary(env);
  registerListsLibrary(env);
  registerRegexLibrary(env);
  registerURLLibrary(env);
  registerQuantityLibrary(env);
  registerIPLibrary(env);
  // A macro sees the evaluator and the root context of the environment that runs it: the only
  // handles cel-js gives on its evaluation loop, needed to meter it (see cost.ts).
  env.registerFunction(`${PROBE}(ast): bool`, ({ ast }: { ast: unknown }) => ({
    ast,
    typeCheck: (chk: { getType(t: string): unknown }) => chk.getType('bool'),
    evaluate: (ev: Evaluator, _m: unknown, ctx: object) => {
      probed = { ev, root: ctx.constructor as Root };
      return true;
    },
  }));
  base = env;
  return env;
}
let probed: { ev: Evaluator; root: Root } | undefined;

/** One environment with its variables (`dyn` unless typed), whose evaluations are metered. */
export class CelEnvironment {
  private readonly env: Environment;
  private readonly ev: Evaluator;
  private readonly root: Root;

  constructor(variables: readonly string[] | Record<string, string>) {
    this.env = library().clone();
    const typed = Array.isArray(variables) ? Object.fromEntries(variables.map((v: string) => [v, 'dyn'])) : variables;
    for (const [v, type] of Object.entries(typed)) this.env.registerVariable(v, type);
    probed = undefined;
    this.env.evaluate(`${PROBE}(0)`, {});
    if (!probed) throw new Error('cel-js evaluator probe did not run');
    ({ ev: this.ev, root: this.root } = probed as { ev: Evaluator; root: Root });
    trackCost(this.ev);
  }

  /** Parses and type-checks; throws the first line of cel-js's message on either failure. */
  compile(expression: string): Program {
    let program: Program;
    try {
      program = this.env.parse(expression);
      widenHasMacros(program.ast);
      const checked = program.check();
      if (!checked.valid) throw checked.error ?? new Error('type check failed');
    } catch (err) {
      throw new Error((err as Error).message.split('\n')[0]);
    }
    prepareCost(program.ast);
    return program;
  }

  /** The static type of a compiled expression (`bool`, `string`, `dyn`, ...). */
  typeOf(program: Program): string {
    const checked = program.check();
    return (checked.valid && checked.type) || 'dyn';
  }

  /**
   * Evaluates with a meter that fails past `limit` (CostLimitError, cel-go's message); returns the
   * value and the cost spent. Other errors are cel-js's, worded in cel-go's lower case.
   */
  evaluate(program: Program, vars: Record<string, unknown>, limit: number): { value: unknown; cost: number } {
    try {
      return metered(limit, () => this.ev.run(program.ast, new this.root(this.ev.registry, vars)));
    } catch (err) {
      // cel-go's errors read `no such key: x`; cel-js capitalizes some (`No such key: x`)
      const m = err instanceof CostLimitError ? '' : String((err as Error)?.message ?? err).split('\n')[0]!;
      if (/^[A-Z][a-z]/.test(m)) throw new Error(m[0]!.toLowerCase() + m.slice(1));
      throw err;
    }
  }
}
