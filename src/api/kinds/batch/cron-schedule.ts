/**
 * Cron schedules as upstream's CronJob reads them (github.com/robfig/cron/v3 ParseStandard): five
 * fields (minute hour day-of-month month day-of-week), `*`, `?`, ranges, steps, lists, month and
 * weekday names, and the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly and
 * `@every <duration>`. Day-of-month and day-of-week are ORed unless either starts with `*`/`?`
 * (then ANDed), as cron and robfig do. Error texts are robfig's, which the API server returns.
 *
 * `next` walks wall-clock fields in an IANA time zone (Intl, in the server only) like
 * SpecSchedule.Next: times that fall into a DST gap are skipped, the first of a repeated hour is used.
 */
import { parseGoDuration } from '../../duration.js';

interface Bounds { min: number; max: number; names?: Record<string, number> }
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOWS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DOWS }];

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (epoch ms), or undefined if none within five years. */
  next(afterMs: number): number | undefined;
}

/** A field as the set of allowed values, plus whether it was written `*` or `?` (robfig's starBit). */
interface Field { values: Set<number>; star: boolean }

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

export class CronParseError extends Error {}

/** Parse `spec`; throws CronParseError with robfig's message. `timeZone` undefined means UTC. */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  const trimmed = spec.trim();
  if (trimmed === '') throw new CronParseError('empty spec string');
  if (trimmed.startsWith('@')) {
    if (trimmed.startsWith('@every ')) {
      const ms = parseGoDuration(trimmed.slice('@every '.length).trim());
      if (ms === undefined) throw new CronParseError(`failed to parse duration ${trimmed}: time: invalid duration`);
      // ConstantDelaySchedule: at least one second, rounded down to whole seconds.
      const every = Math.max(1000, Math.floor(ms / 1000) * 1000);
      return { next: (after) => Math.floor(after / 1000) * 1000 + every };
    }
    const expanded = DESCRIPTORS[trimmed.toLowerCase()];
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${trimmed}`);
    return parseCronSchedule(expanded, timeZone);
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const fields = parts.map((p, i) => parseField(p, FIELDS[i]!));
  return { next: (after) => nextTime(fields, after, timeZone) };
}

/**
 * robfig's ParseStandard as the CronJob controller feeds it (formatSchedule): a `TZ=zone ` or
 * `CRON_TZ=zone ` prefix (legacy CronJobs only; validation refuses it in new ones) names the zone
 * and wins over `timeZone`.
 */
export function parseStandardSchedule(schedule: string, timeZone?: string): CronSchedule {
  const m = /^(?:CRON_)?TZ=(\S*)\s+(.*)$/s.exec(schedule.trim());
  if (!m) return parseCronSchedule(schedule, timeZone);
  if (!isKnownTimeZone(m[1]!)) throw new CronParseError(`provided bad location ${m[1]}: unknown time zone ${m[1]}`);
  return parseCronSchedule(m[2]!, m[1]);
}

function parseField(expr: string, b: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of expr.split(',')) {
    const r = parseRange(part, b);
    star ||= r.star;
    for (let v = r.start; v <= r.end; v += r.step) values.add(v);
  }
  return { values, star };
}

function parseRange(expr: string, b: Bounds): { start: number; end: number; step: number; star: boolean } {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b.names);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (singleDigit) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  return { start, end, step, star };
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

function mustParseInt(expr: string): number {
  if (!/^-?\d+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

/** Wall-clock fields of an instant in `tz` (UTC when undefined). */
interface Wall { y: number; mo: number; d: number; h: number; mi: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallOf(ms: number, tz: string | undefined): Wall {
  if (!tz || tz === 'UTC') {
    const d = new Date(ms);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute! };
}

const wallMs = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);

/** The earliest instant whose wall clock in `tz` is `w`, or undefined when `w` falls in a DST gap. */
function instantOf(w: Wall, tz: string | undefined): number | undefined {
  const local = wallMs(w);
  if (!tz || tz === 'UTC') return local;
  for (const guessOffset of offsetsAround(local, tz)) {
    const t = local - guessOffset;
    if (wallMs(wallOf(t, tz)) === local) return t;
  }
  return undefined;
}

/** The zone's UTC offsets a day either side of `local` (the larger first, so a repeated hour resolves to its first instance). */
function offsetsAround(local: number, tz: string): number[] {
  const offs = [local - 86_400_000, local + 86_400_000].map((t) => wallMs(wallOf(t, tz)) - t);
  return [...new Set(offs)].sort((a, b) => b - a);
}

const daysIn = (y: number, mo: number) => new Date(Date.UTC(y, mo, 0)).getUTCDate();

function dayMatches(f: Field[], w: Wall): boolean {
  const dow = new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay();
  const dom = f[2]!.values.has(w.d);
  const dw = f[4]!.values.has(dow);
  return f[2]!.star || f[4]!.star ? dom && dw : dom || dw;
}

/** SpecSchedule.Next over wall-clock fields: roll the first mismatching field forward, smallest units reset. */
function nextTime(f: Field[], afterMs: number, tz: string | undefined): number | undefined {
  // Start at the next whole minute after `afterMs`.
  const w = wallOf(afterMs - (afterMs % 60_000) + 60_000, tz);
  const limitYear = w.y + 5;
  for (;;) {
    if (w.y > limitYear) return undefined;
    if (!f[3]!.values.has(w.mo)) {
      w.mo++; w.d = 1; w.h = 0; w.mi = 0;
      if (w.mo > 12) { w.mo = 1; w.y++; }
      continue;
    }
    if (!dayMatches(f, w)) {
      w.d++; w.h = 0; w.mi = 0;
      if (w.d > daysIn(w.y, w.mo)) { w.d = 1; w.mo++; if (w.mo > 12) { w.mo = 1; w.y++; } }
      continue;
    }
    if (!f[1]!.values.has(w.h)) {
      w.h++; w.mi = 0;
      if (w.h > 23) { w.h = 0; w.d++; if (w.d > daysIn(w.y, w.mo)) { w.d = 1; w.mo++; if (w.mo > 12) { w.mo = 1; w.y++; } } }
      continue;
    }
    if (!f[0]!.values.has(w.mi)) {
      w.mi++;
      if (w.mi > 59) { w.mi = 0; w.h++; if (w.h > 23) { w.h = 0; w.d++; if (w.d > daysIn(w.y, w.mo)) { w.d = 1; w.mo++; if (w.mo > 12) { w.mo = 1; w.y++; } } } }
      continue;
    }
    const t = instantOf(w, tz);
    if (t !== undefined && t > afterMs) return t;
    // In a DST gap (or not after `afterMs` on a repeated hour): try the next minute.
    w.mi++;
    if (w.mi > 59) { w.mi = 0; w.h++; if (w.h > 23) { w.h = 0; w.d++; if (w.d > daysIn(w.y, w.mo)) { w.d = 1; w.mo++; if (w.mo > 12) { w.mo = 1; w.y++; } } } }
  }
}

/** Whether `tz` names an IANA zone this process knows (time.LoadLocation). */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
