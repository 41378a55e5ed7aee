/**
 * The result of running a plugin. A small closed set of codes, as upstream's framework.Code; each
 * says what happens to the pod next.
 */

export enum Code {
  /** The plugin ran and the pod may go on (for Filter: the node fits). */
  Success = 'Success',
  /**
   * Something went wrong that is not the pod's or the node's fault (a bug, an API error). The cycle
   * stops; the queue puts the pod in backoff and retries it without waiting for a cluster event.
   */
  Error = 'Error',
  /**
   * The pod does not fit (this node, at Filter). If no node fits, the pod goes to the unschedulable
   * pods and comes back when a cluster event could make it fit, or after the maximum stay.
   * Preemption (PostFilter) may help with this code.
   */
  Unschedulable = 'Unschedulable',
  /**
   * Like Unschedulable, but evicting pods from the node would not help either (a taint, a selector).
   * Same queueing; PostFilter skips such nodes.
   */
  UnschedulableAndUnresolvable = 'UnschedulableAndUnresolvable',
  /**
   * From PreFilter/PreScore: this plugin has nothing to say about the pod, so its Filter/Score is
   * not run for it in this cycle. Never a failure.
   */
  Skip = 'Skip',
}

/** A plugin result: a code, the reasons in Kubernetes' words, and the plugin that said it. */
export class Status {
  /** Shared success value; treat as immutable. */
  static readonly SUCCESS = new Status(Code.Success, []);
  static readonly SKIP = new Status(Code.Skip, []);

  constructor(
    readonly code: Code,
    /** Human-readable reasons; FitError counts nodes per reason. */
    readonly reasons: readonly string[],
    /** Name of the plugin that returned it (filled in by the framework). */
    public plugin = '',
    readonly error?: Error,
  ) {}

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static error(err: unknown): Status {
    const e = err instanceof Error ? err : new Error(String(err));
    return new Status(Code.Error, [e.message], '', e);
  }

  isSuccess(): boolean {
    return this.code === Code.Success;
  }

  isSkip(): boolean {
    return this.code === Code.Skip;
  }

  /** Unschedulable or UnschedulableAndUnresolvable: the pod's fault, not a failure of the scheduler. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }

  message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(name: string): Status {
    if (this.plugin === name) return this;
    return new Status(this.code, this.reasons, name, this.error);
  }
}
