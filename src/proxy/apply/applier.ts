/**
 * Applies rendered rulesets to the kernel: incremental transactions while the applier knows what it
 * last installed, a full redefinition otherwise (and as the retry when an incremental one fails,
 * e.g. because someone edited the table). `remove()` deletes Bosun's table on stop.
 */
import type { Ruleset } from '../render/ruleset.js';
import { TABLE_NAME } from '../render/names.js';
import { NftRunner, type NftRunnerOptions } from '../../controller-runtime/nft/nft-runner.js';
import { fullTransaction, incrementalTransaction, removeTransaction } from './transaction.js';

export class NftApplier {
  private readonly nft: NftRunner;
  private last: Ruleset | undefined;

  private readonly table: string;

  /** `table`: the nftables table applied rulesets live in (default TABLE_NAME); it must match theirs. */
  constructor(opts: NftRunnerOptions & { table?: string } = {}) {
    this.nft = new NftRunner(opts);
    this.table = opts.table ?? TABLE_NAME;
  }

  /** Install `next` atomically. Skips the kernel when the text equals what was last installed. */
  async apply(next: Ruleset): Promise<'unchanged' | 'incremental' | 'full'> {
    const prev = this.last;
    if (prev && prev.text === next.text) return 'unchanged';
    const script = prev ? incrementalTransaction(prev, next) : undefined;
    if (script !== undefined) {
      try {
        if (script) await this.nft.apply(script);
        this.last = next;
        return 'incremental';
      } catch {
        this.last = undefined;
      }
    }
    await this.nft.apply(fullTransaction(next));
    this.last = next;
    return 'full';
  }

  /** Validate `next` against the kernel without changing anything (`nft -c`). */
  async check(next: Ruleset): Promise<void> {
    const script = this.last ? incrementalTransaction(this.last, next) : undefined;
    await this.nft.check(script ?? fullTransaction(next));
  }

  /** Whether Bosun's table is in the kernel (cheap: lists table names only). */
  async exists(): Promise<boolean> {
    const out = await this.nft.run(['list', 'tables', 'ip']);
    return out.split('\n').some((l) => l.trim() === `table ip ${this.table}`);
  }

  /** Forget what was installed, so the next apply is a full one (after the table was tampered with). */
  forget(): void {
    this.last = undefined;
  }

  /** Delete Bosun's table. */
  async remove(): Promise<void> {
    this.last = undefined;
    await this.nft.apply(removeTransaction(this.table));
  }

  /** `nft list table ip bosun`, or '' when there is none. */
  async list(): Promise<string> {
    try {
      return await this.nft.run(['list', 'table', 'ip', this.table]);
    } catch {
      return '';
    }
  }
}
