/**
 * Go regexp (RE2) patterns, as CRD schemas carry them in `pattern` (kube-openapi compiles them with Go's
 * regexp.Compile), run by JavaScript's RegExp in unicode mode. What differs in syntax is rewritten:
 * flag groups `(?i)` that apply to the rest of their group become modifier groups `(?i:...)` (Go's
 * `^(?i)(abort|warn)?$` is `^(?i:(abort|warn)?$)`), `(?P<name>` is `(?<name>`, `\A` and `\z` are the
 * text's start and end, `\pL` is `\p{L}`, `\Q...\E` is literal text, POSIX classes `[[:alpha:]]`
 * are ASCII ranges, and an escaped punctuation character unicode mode would refuse is the character.
 * What cannot be expressed (the ungreedy flag U, negated POSIX classes) throws a SyntaxError.
 */

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** Characters unicode-mode RegExp accepts escaped (outside a class; inside it also takes '-'). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

const cache = new Map<string, RegExp>();

/** The RegExp of a Go pattern; throws SyntaxError when it is not a valid (or not a translatable) one. */
export function goRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(translate(pattern), 'u');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

export function translate(p: string): string {
  let out = '';
  // per open group, how many modifier groups a flag group opened in it (closed with the group)
  const open: number[] = [0];
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      const [s, next] = escape(p, i, false);
      out += s;
      i = next;
    } else if (c === '[') {
      const [s, next] = charClass(p, i);
      out += s;
      i = next;
    } else if (c === '(') {
      const flags = /^\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)/.exec(p.slice(i));
      if (flags) {
        if (/[^ims-]/.test(flags[1]!) || flags[1]!.replace('-', '') === '') throw new SyntaxError(`unsupported flag group ${flags[0]}`);
        out += `(?${flags[1]}:`;
        open[open.length - 1]!++;
        i += flags[0].length;
        continue;
      }
      open.push(0);
      if (p.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
      } else {
        out += c;
        i++;
      }
    } else if (c === ')') {
      if (open.length === 1) throw new SyntaxError('unexpected )');
      out += ')'.repeat(open.pop()!) + ')';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (open.length !== 1) throw new SyntaxError('missing closing )');
  return out + ')'.repeat(open[0]!);
}

/** An escape at p[i] ('\\'): its JavaScript form and where the pattern continues. */
function escape(p: string, i: number, inClass: boolean): [string, number] {
  const c = p[i + 1];
  if (c === undefined) throw new SyntaxError('trailing backslash');
  if (c === 'Q') {
    const end = p.indexOf('\\E', i + 2);
    const literal = p.slice(i + 2, end < 0 ? p.length : end);
    const quoted = [...literal].map((ch) => (SYNTAX.has(ch) || (inClass && ch === '-') ? `\\${ch}` : ch)).join('');
    return [quoted, end < 0 ? p.length : end + 2];
  }
  if (!inClass && c === 'A') return ['(?<![\\s\\S])', i + 2];
  if (!inClass && c === 'z') return ['(?![\\s\\S])', i + 2];
  if ((c === 'p' || c === 'P') && p[i + 2] !== '{') return [`\\${c}{${p[i + 2] ?? ''}}`, i + 3];
  if (c === 'x' && p[i + 2] === '{') {
    const end = p.indexOf('}', i);
    return [`\\u{${p.slice(i + 3, end)}}`, end + 1];
  }
  if (/[a-zA-Z0-9]/.test(c)) return [`\\${c}`, i + 2];
  if (SYNTAX.has(c) || (inClass && c === '-')) return [`\\${c}`, i + 2];
  return [c, i + 2];
}

/** A bracket expression at p[i] ('['): its JavaScript form and where the pattern continues. */
function charClass(p: string, i: number): [string, number] {
  let out = '[';
  let j = i + 1;
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  if (p[j] === ']') {
    out += '\\]';
    j++;
  }
  while (j < p.length && p[j] !== ']') {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(j));
    if (posix) {
      const ranges = POSIX[posix[2]!];
      if (!ranges || posix[1]) throw new SyntaxError(`unsupported character class ${posix[0]}`);
      out += ranges;
      j += posix[0].length;
    } else if (p[j] === '\\') {
      const [s, next] = escape(p, j, true);
      out += s;
      j = next;
    } else {
      out += p[j] === '[' ? '\\[' : p[j];
      j++;
    }
  }
  if (j >= p.length) throw new SyntaxError('missing closing ]');
  return [out + ']', j + 1];
}
