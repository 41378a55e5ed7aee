import type { Pod, PodStatus } from '../../api/kinds/index.js';

/** Writes pod status and finishes deletions (the status manager). */
export interface PodStatusWriter {
  /** Sends `status` unless the API already has it. */
  write(pod: Pod, status: PodStatus): Promise<void>;
  /** Deletes the pod with gracePeriodSeconds=0 and a uid precondition; NotFound is success. */
  finishDeletion(pod: Pod): Promise<void>;
  forget(uid: string): void;
}
