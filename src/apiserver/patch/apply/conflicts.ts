/** The 409 an apply gets when it would change fields other managers own (managedfields NewConflictError). */
import { failure, type StatusError } from '../../../api/status.js';
import { pathString } from './path-element.js';
import { describeManager, managerKey, type ManagerEntry } from './managed-fields.js';

export interface Conflict {
  manager: ManagerEntry;
  path: string[];
}

export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathString(c.path)}`;
  } else {
    // Grouped by manager identity, in the byte order of its JSON (getConflictMessage sorts the
    // encoded identities: an Apply before an Update of the same manager, a subresource's before the main one's).
    const byManager = new Map<string, Conflict[]>();
    for (const c of conflicts) {
      const k = managerKey(c.manager);
      byManager.set(k, [...(byManager.get(k) ?? []), c]);
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      const group = byManager.get(k)!;
      lines.push(`conflicts with ${describeManager(group[0]!.manager)}:`);
      for (const c of group) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return failure(409, 'Conflict', message, { causes });
}
