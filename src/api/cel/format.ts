/**
 * cel-go's ext.Strings `format`: printf-like clauses %s %d %f %e %x %X %o %b and %%, with an
 * optional precision for %f and %e (`%.2f`), worded errors as cel-go's where they matter.
 */
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

/** A value as `%s` (and string()) renders it. */
export function celString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
  if (v === null || v === undefined) return 'null';
  if (v instanceof UnsignedInt) return String(v.valueOf());
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Duration) return String(v);
  if (Array.isArray(v)) return `[${v.map(celString).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${celString(k)}: ${celString(x)}`).join(', ')}}`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${celString(x)}`).join(', ')}}`;
  return String(v);
}

function integer(v: unknown, verb: string): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof UnsignedInt) return BigInt(String(v.valueOf()));
  throw new Error(`error during formatting: ${verb} clause can only be used on integers, was given ${typeof v}`);
}

function float(v: unknown, verb: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`error during formatting: ${verb} clause can only be used on doubles, was given ${typeof v}`);
}

function exp(n: number, p: number): string {
  const [m, e = '0'] = n.toExponential(p).split('e');
  const ev = Number(e);
  return `${m}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
}

export function formatString(fmt: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  const arg = (): unknown => {
    if (next >= args.length) throw new Error(`index ${next} out of range`);
    return args[next++];
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^(?:\.(\d+))?([sdfeExXob%])/.exec(fmt.slice(i + 1));
    if (!m) throw new Error(`could not parse formatting clause: unrecognized formatting clause "${fmt[i + 1] ?? ''}"`);
    i += m[0].length;
    const p = m[1] === undefined ? 6 : Number(m[1]);
    switch (m[2]) {
      case '%': out += '%'; break;
      case 's': out += celString(arg()); break;
      case 'd': out += String(integer(arg(), 'decimal')); break;
      case 'f': out += float(arg(), 'fixed-point').toFixed(p); break;
      case 'e': out += exp(float(arg(), 'scientific'), p); break;
      case 'E': out += exp(float(arg(), 'scientific'), p).toUpperCase(); break;
      case 'b': out += integer(arg(), 'binary').toString(2); break;
      case 'o': out += integer(arg(), 'octal').toString(8); break;
      default: {
        const v = arg();
        const hex = typeof v === 'string' ? Buffer.from(v).toString('hex') : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : integer(v, 'hex').toString(16);
        out += m[2] === 'X' ? hex.toUpperCase() : hex;
      }
    }
  }
  return out;
}
