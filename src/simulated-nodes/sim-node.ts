/** One simulated node's state inside the fleet. */
import type { Lease } from '../api/kinds/index.js';
import { hostIP, podCIDR, PodIPAllocator } from './addresses.js';

export class SimNode {
  readonly hostIP: string;
  readonly ips: PodIPAllocator;
  uid: string | undefined;
  /** The lease as last written (its resourceVersion makes the next renewal a plain PUT). */
  lease: Lease | undefined;
  /** Stopped through the fleet API (`fleet.stop(name)`). */
  stopped = false;
  /** Stopped through the node's PAUSED_ANNOTATION. */
  paused = false;
  /** Its Node object was deleted; `resume` registers it again. */
  deregistered = false;
  renewing = false;
  postingStatus = false;
  lastStatusMs = 0;

  constructor(readonly name: string, readonly index: number) {
    this.hostIP = hostIP(index);
    this.ips = new PodIPAllocator(podCIDR(index));
  }

  get running(): boolean {
    return !this.stopped && !this.paused;
  }
}
