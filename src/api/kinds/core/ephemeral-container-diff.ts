/**
 * The diff upstream's ValidatePodEphemeralContainersUpdate appends to "existing ephemeral
 * containers %q may not be changed\n": go-cmp's cmp.Diff(old, new) of the internal
 * core.EphemeralContainer (EphemeralContainerCommon's 24 fields in kube 1.32's order, then
 * TargetContainerName), in go-cmp's report format (report_compare.go formatDiffList, report_text.go):
 * a "  ", "- " or "+ " column, tab indents, keys aligned in runs, two identical records of context
 * around a change and "... // N identical fields" for the rest, identical values on one line with
 * zero fields and types elided. go-cmp calls its output unstable (it swaps in U+00A0 for some
 * spaces at random); this is its plain-space form.
 * Not reproduced: go-cmp's character diff of strings of 32 bytes or more (whole lines here), and
 * the types of nested structs inside a changed value (only the field's own type is named).
 */
import { deepEqual } from '../../schema/equal.js';
import type { EphemeralContainer } from './container.js';

type Json = unknown;
type Mode = '' | '-' | '+';
interface Rec { key: string; diff: Mode; value: string | Wrap; comment?: string }
interface Wrap { prefix: string; list: Rec[]; suffix: string }

/** EphemeralContainerCommon's fields (JSON name, Go name, Go type: named in a changed value; `*` a pointer to a string). */
const COMMON: [string, string, string][] = [
  ['name', 'Name', 'string'], ['image', 'Image', 'string'], ['command', 'Command', '[]string'], ['args', 'Args', '[]string'],
  ['workingDir', 'WorkingDir', 'string'], ['ports', 'Ports', '[]core.ContainerPort'], ['envFrom', 'EnvFrom', '[]core.EnvFromSource'],
  ['env', 'Env', '[]core.EnvVar'], ['resources', 'Resources', 'core.ResourceRequirements'], ['resizePolicy', 'ResizePolicy', '[]core.ContainerResizePolicy'],
  ['restartPolicy', 'RestartPolicy', '*'], ['volumeMounts', 'VolumeMounts', '[]core.VolumeMount'], ['volumeDevices', 'VolumeDevices', '[]core.VolumeDevice'],
  ['livenessProbe', 'LivenessProbe', '*core.Probe'], ['readinessProbe', 'ReadinessProbe', '*core.Probe'], ['startupProbe', 'StartupProbe', '*core.Probe'],
  ['lifecycle', 'Lifecycle', '*core.Lifecycle'], ['terminationMessagePath', 'TerminationMessagePath', 'string'],
  ['terminationMessagePolicy', 'TerminationMessagePolicy', 'string'], ['imagePullPolicy', 'ImagePullPolicy', 'string'],
  ['securityContext', 'SecurityContext', '*core.SecurityContext'], ['stdin', 'Stdin', 'bool'], ['stdinOnce', 'StdinOnce', 'bool'], ['tty', 'TTY', 'bool'],
];

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Go's IsZero as far as JSON shows it (absent, null, false, 0, ""); an empty struct is zero too. */
const isZero = (v: Json): boolean => v === undefined || v === null || v === false || v === 0 || v === '' || (isObject(v) && Object.keys(v).length === 0);
/** A Go struct held by value (never nil: its zero value is `{}`). */
const isStructValue = (type: string): boolean => type.startsWith('core.');
/** Go's zero value of a scalar field JSON leaves out. */
const zeroOf = (type: string): Json => (type === 'string' ? '' : type === 'bool' ? false : undefined);
const goName = (k: string): string => (k === 'tty' ? 'TTY' : k.charAt(0).toUpperCase() + k.slice(1));
const same = (a: Json, b: Json): boolean => (isZero(a) && isZero(b)) || deepEqual(a ?? null, b ?? null);

/** go-cmp's formatString: quoted when that needs no escapes, else raw when printable on one line, else quoted. */
function formatString(s: string): string {
  const q = JSON.stringify(s);
  if (q.length === s.length + 2) return q;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} \t]*$/u.test(s) && !s.includes('`') ? `\`${s}\`` : q;
}

/** go-cmp's verbosity limits: entries of a struct or list, then "..."; characters of a string, then "...". */
interface Limits { entries: number; chars: number }
/** Identical values (verbosity 1 at every level) and changed ones (verbosity 3). */
const SAME: Limits = { entries: 4, chars: 64 };
const CHANGED: Limits = { entries: 16, chars: 256 };

/** Up to `max` entries, then "..." when any are left (go-cmp's deferredEllipsis). */
const limited = (entries: string[], max: number): string => (entries.length > max ? [...entries.slice(0, max), '...'] : entries).join(', ');

/** A value on one line, types elided, zero fields left out (go-cmp's FormatDiff of an identical node). */
function formatValue(v: Json, pointer = false, lim: Limits = SAME): string {
  if (v === undefined || v === null) return 'nil';
  const amp = pointer ? '&' : '';
  if (typeof v === 'string') return amp + (v.length > lim.chars + 3 ? `${formatString(v.slice(0, lim.chars))}...` : formatString(v));
  if (typeof v !== 'object') return amp + String(v);
  if (Array.isArray(v)) return `{${limited(v.map((e) => formatValue(e, false, lim)), lim.entries)}}`;
  const entries = Object.entries(v);
  const shown: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    if (shown.length === lim.entries) {
      shown.push('...');
      break;
    }
    const [k, x] = entries[i]!;
    if (!isZero(x)) shown.push(`${goName(k)}: ${formatValue(x, false, lim)}`);
  }
  return `${amp}{${shown.join(', ')}}`;
}

/** A changed value with its field's type named (go-cmp's autoType outside identical nodes). */
function formatChanged(v: Json, type: string): string {
  if (v === undefined || v === null) return isStructValue(type) ? `${type}{}` : formatValue(zeroOf(type));
  if (type === 'string' || type === 'bool' || type === '*') return formatValue(v, type === '*', CHANGED);
  const ptr = type.startsWith('*');
  return `${ptr ? '&' : ''}${ptr ? type.slice(1) : type}${formatValue(v, false, CHANGED)}`;
}

interface FieldRec { key: string; equal: boolean; rec: () => Rec; diff: () => Rec[] }

/** formatDiffList: runs of equal records keep two of context next to a change, the rest "... // N identical <name>s". */
function diffList(recs: FieldRec[], name: string): Rec[] {
  const groups: FieldRec[][] = [];
  for (const r of recs) {
    const last = groups.at(-1);
    if (last && last[0]!.equal === r.equal) last.push(r);
    else groups.push([r]);
  }
  const out: Rec[] = [];
  groups.forEach((g, i) => {
    if (!g[0]!.equal) {
      for (const r of g) out.push(...r.diff());
      return;
    }
    const lo = i === 0 ? 0 : Math.min(2, g.length);
    let hi = i === groups.length - 1 ? 0 : Math.min(2, g.length - lo);
    if (g.length - (lo + hi) === 1) hi++;
    for (const r of g.slice(0, lo)) out.push(r.rec());
    const elided = g.length - lo - hi;
    if (elided > 0) out.push({ key: '', diff: '', value: '...', comment: `${elided} identical ${name}${elided === 1 ? '' : 's'}` });
    for (const r of g.slice(g.length - hi)) out.push(r.rec());
  });
  return out;
}

/** Element-wise diff of two lists of strings (longest common subsequence; removals before insertions). */
function stringSliceDiff(x: string[], y: string[]): Rec[] {
  const L = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) L[i]![j] = x[i] === y[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const recs: FieldRec[] = [];
  let i = 0;
  let j = 0;
  const line = (diff: Mode, s: string): Rec => ({ key: '', diff, value: formatString(s) });
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      const s = x[i]!;
      recs.push({ key: '', equal: true, rec: () => line('', s), diff: () => [] });
      i++;
      j++;
      continue;
    }
    const removed: string[] = [];
    const inserted: string[] = [];
    while (i < x.length && (j >= y.length || L[i + 1]![j]! >= L[i]![j + 1]!) && !(j < y.length && x[i] === y[j])) removed.push(x[i++]!);
    while (j < y.length && !(i < x.length && x[i] === y[j])) inserted.push(y[j++]!);
    recs.push({ key: '', equal: false, rec: () => line('', ''), diff: () => [...removed.map((s) => line('-', s)), ...inserted.map((s) => line('+', s))] });
  }
  return diffList(recs, 'element');
}

function fieldRec(goKey: string, x: Json, y: Json, type: string): FieldRec {
  return {
    key: goKey,
    equal: same(x, y),
    rec: () => ({ key: goKey, diff: '', value: isStructValue(type) && isZero(y) ? '{}' : formatValue(y ?? zeroOf(type), type.startsWith('*') && y !== undefined && y !== null) }),
    diff: () => {
      const strings = (v: Json): v is string[] => Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string');
      if (type === '[]string' && strings(x) && strings(y)) return [{ key: goKey, diff: '', value: { prefix: '[]string{', list: stringSliceDiff(x, y), suffix: '}' } }];
      return [{ key: goKey, diff: '-', value: formatChanged(x, type) }, { key: goKey, diff: '+', value: formatChanged(y, type) }];
    },
  };
}

/** go-cmp's textList.formatExpandedTo with its key alignment. */
function render(w: Wrap, n: number, d: Mode): string {
  const indent = (level: number, mode: Mode): string => `${mode === '' ? ' ' : mode} ${'\t'.repeat(level)}`;
  const pads = new Array<number>(w.list.length).fill(0);
  let start = 0;
  const flush = (end: number): void => {
    const max = Math.max(0, ...w.list.slice(start, end).map((r) => r.key.length));
    for (let k = start; k < end; k++) pads[k] = max - w.list[k]!.key.length;
  };
  w.list.forEach((r, i) => {
    if (r.key === '' || typeof r.value !== 'string') {
      flush(i);
      start = i + 1;
    }
  });
  flush(w.list.length);
  let out = w.prefix;
  w.list.forEach((r, i) => {
    const mode = d || r.diff;
    const value = typeof r.value === 'string' ? r.value : render(r.value, n + 1, mode);
    out += `\n${indent(n + 1, mode)}${r.key ? `${r.key}: ` : ''}${' '.repeat(pads[i]!)}${value}${r.comment !== undefined ? ` // ${r.comment}` : ','}`;
  });
  return `${out}\n${indent(n, d)}${w.suffix}`;
}

/** cmp.Diff(old, new) as upstream's message carries it (ends with a newline). */
export function ephemeralContainerDiff(oldC: EphemeralContainer, newC: EphemeralContainer): string {
  const o = oldC as unknown as Record<string, Json>;
  const n = newC as unknown as Record<string, Json>;
  const common = COMMON.map(([k, go, type]) => fieldRec(go, o[k], n[k], type));
  const commonEqual = common.every((r) => r.equal);
  const inner: Wrap = { prefix: 'core.EphemeralContainerCommon{', list: diffList(common, 'field'), suffix: '}' };
  const outer: FieldRec[] = [
    {
      key: 'EphemeralContainerCommon', equal: commonEqual,
      rec: () => {
        // As formatValue's struct: up to four non-zero fields, then "..." if any field is left.
        const shown: string[] = [];
        for (const [k, go] of COMMON) {
          if (shown.length === SAME.entries) {
            shown.push('...');
            break;
          }
          if (!isZero(n[k])) shown.push(`${go}: ${formatValue(n[k], k === 'restartPolicy')}`);
        }
        return { key: 'EphemeralContainerCommon', diff: '', value: `{${shown.join(', ')}}` };
      },
      diff: () => [{ key: 'EphemeralContainerCommon', diff: '', value: inner }],
    },
    fieldRec('TargetContainerName', o.targetContainerName, n.targetContainerName, 'string'),
  ];
  return `  ${render({ prefix: 'core.EphemeralContainer{', list: diffList(outer, 'field'), suffix: '}' }, 0, '')}\n`;
}
