/**
 * Which scheduled time a CronJob owes now (upstream pkg/controller/cronjob/utils.go
 * mostRecentScheduleTime / nextScheduleTime): counting from the last schedule (or creation), bounded
 * by startingDeadlineSeconds, only the most recent missed time is started; more than 100 missed
 * times is reported. Also the Job name and the scheduled-timestamp annotation's RFC 3339 form.
 */
import type { CronSchedule } from '../../api/kinds/batch/cron-schedule.js';

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** The latest scheduled time at or before `now`, if any since `earliest`. */
  time?: number;
  missed: Missed;
}

const TOO_MANY_MISSED = 100;

/** The earliest time to count from: last schedule or creation, or now - startingDeadlineSeconds if later. */
export function earliestTime(created: number, lastSchedule: number | undefined, startingDeadlineSeconds: number | undefined, now: number): number {
  let earliest = lastSchedule ?? created;
  if (startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - startingDeadlineSeconds * 1000);
  return earliest;
}

export function mostRecentScheduleTime(schedule: CronSchedule, earliest: number, now: number): MostRecent {
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { missed: 'none' };
  let last = t1;
  let count = 1;
  // Walk every missed time (a minutely schedule missed for a year is ~500k cheap steps).
  for (let t = schedule.next(t1); t !== undefined && t <= now; t = schedule.next(t)) {
    last = t;
    count++;
  }
  return { time: last, missed: count > TOO_MANY_MISSED ? 'many' : 'few' };
}

/** getJobName: `<cronjob>-<scheduled time in minutes since the epoch>`, the same name for the same nominal time. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

/** RFC 3339 of `ms` in `timeZone` (Go's time.RFC3339 after In(location)): `2026-01-02T03:04:00+01:00`, `Z` for UTC. */
export function rfc3339In(ms: number, timeZone: string | undefined): string {
  const d = new Date(ms);
  if (!timeZone || timeZone === 'UTC') return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(d)) p[part.type] = part.value;
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const offMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const off = offMin === 0 ? 'Z' : `${offMin < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offMin) / 60)).padStart(2, '0')}:${String(Math.abs(offMin) % 60).padStart(2, '0')}`;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${off}`;
}

/** Go's time.RFC1123Z in UTC, as the MissSchedule event prints it: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${two(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
