/**
 * Go-style durations (`200ms`, `5s`, `1m30s`, `1.5h`; a bare `0`), as Kubernetes flags and config
 * take them, to milliseconds. Returns undefined for anything else. Pure, so both the commander-based
 * CLI and the agent's own flag parser (which must not load commander) share it.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseGoDuration(v: string): number | undefined {
  if (v === '0') return 0;
  if (!v) return undefined;
  let total = 0;
  let rest = v;
  while (rest.length) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Go's time.Duration String() of whole milliseconds: "0s", "150ms", "10s", "1m20s", "5m0s", "1h30m0s". */
export function formatGoDuration(ms: number): string {
  if (ms < 0) return `-${formatGoDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
