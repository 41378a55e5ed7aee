import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ContainerAllocateResponse } from './proto.js';

/**
 * Which devices each container holds, and the plugin's Allocate answer for them (upstream's
 * devicemanager podDevices), kept in a checkpoint file so an agent restart neither hands the same
 * device to a second container nor loses what a restarted container must get again (upstream's
 * DATA_DIR/device-plugins/kubelet_internal_checkpoint; the format here is our own JSON).
 */

export interface Allocation {
  podUID: string;
  container: string;
  resource: string;
  deviceIDs: string[];
  response: ContainerAllocateResponse;
}

interface CheckpointFile {
  version: 1;
  entries: Allocation[];
}

export class DeviceAllocations {
  private entries: Allocation[] = [];

  /** `file` is read now (a missing or unreadable one is an empty checkpoint, as upstream starts fresh). */
  constructor(private readonly file: string) {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as CheckpointFile;
      if (data.version === 1 && Array.isArray(data.entries)) this.entries = data.entries.filter(validEntry);
    } catch {
      this.entries = [];
    }
  }

  get(podUID: string, container: string, resource: string): Allocation | undefined {
    return this.entries.find((e) => e.podUID === podUID && e.container === container && e.resource === resource);
  }

  /** Device ids of `resource` held by any container. */
  inUse(resource: string): Set<string> {
    return new Set(this.entries.filter((e) => e.resource === resource).flatMap((e) => e.deviceIDs));
  }

  add(a: Allocation): void {
    this.entries = this.entries.filter((e) => !(e.podUID === a.podUID && e.container === a.container && e.resource === a.resource));
    this.entries.push(a);
    this.save();
  }

  /** Frees every device of the pods `keep` rejects; true when something was freed. */
  retain(keep: (podUID: string) => boolean): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => keep(e.podUID));
    if (this.entries.length === before) return false;
    this.save();
    return true;
  }

  all(): readonly Allocation[] {
    return this.entries;
  }

  /** Written to a temporary file and renamed, so a crash leaves the old checkpoint or the new one. */
  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, entries: this.entries } satisfies CheckpointFile));
    renameSync(tmp, this.file);
  }
}

function validEntry(e: Allocation): boolean {
  return typeof e?.podUID === 'string' && typeof e.container === 'string' && typeof e.resource === 'string' && Array.isArray(e.deviceIDs);
}

/**
 * The devices a new container gets: `n` of the healthy ones no container holds, the plugin's
 * preference first (upstream's devicesToAllocate keeps the preferred ids that are available and
 * fills up from the rest). Throws when fewer than `n` are available, with upstream's wording.
 */
export function chooseDevices(resource: string, n: number, healthy: readonly string[], inUse: ReadonlySet<string>, preferred: readonly string[] = []): string[] {
  const available = healthy.filter((id) => !inUse.has(id));
  if (available.length < n) {
    throw new Error(`requested number of devices unavailable for ${resource}. Requested: ${n}, Available: ${available.length}`);
  }
  const chosen = preferred.filter((id) => available.includes(id)).slice(0, n);
  for (const id of [...available].sort()) {
    if (chosen.length >= n) break;
    if (!chosen.includes(id)) chosen.push(id);
  }
  return chosen;
}
