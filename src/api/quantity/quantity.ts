/**
 * resource.Quantity: exact fixed-point amounts such as `100m`, `1.5`, `512Mi`, `1e3`. Values are
 * held as a bigint count of nano-units (Kubernetes keeps nano precision and rounds finer digits
 * up, away from zero), so there is no float drift. The format (DecimalSI, BinarySI,
 * DecimalExponent) comes from the suffix and decides the canonical string, as upstream.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The pattern upstream states in its format error. */
const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const NANO = 1_000_000_000n;
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Bounds the exponent so a hostile `1e999999999` cannot allocate a giant bigint. */
const MAX_EXPONENT = 1000;
const MAX_BINARY = ((1n << 63n) - 1n) * NANO;

/** A string that is not a quantity; the message names it and the reason as upstream words it. */
export class QuantityError extends Error {
  constructor(readonly value: string, reason: string) {
    super(`invalid quantity "${value}": ${reason}`);
    this.name = 'QuantityError';
  }
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Divides rounding away from zero, as upstream rounds values it cannot hold exactly. */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  private constructor(
    /** The amount in units of 10^-9. */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  /** Parses `s` as upstream's ParseQuantity; throws QuantityError naming `s`. */
  static parse(s: string): Quantity {
    const m = SHAPE.exec(s);
    if (!s || !m) throw new QuantityError(s, `quantities must match the regular expression '${QUANTITY_PATTERN}'`);
    const [, sign, whole = '', frac = '', suffix = ''] = m;
    if (whole === '' && frac === '') throw new QuantityError(s, 'unable to parse numeric part of quantity');
    let format: QuantityFormat;
    let base10 = 0;
    let base2 = 0;
    if (suffix in DECIMAL_SUFFIX) {
      format = 'DecimalSI';
      base10 = DECIMAL_SUFFIX[suffix]!;
    } else if (suffix in BINARY_SUFFIX) {
      format = 'BinarySI';
      base2 = BINARY_SUFFIX[suffix]!;
    } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
      format = 'DecimalExponent';
      base10 = Number(suffix.slice(1));
      if (Math.abs(base10) > MAX_EXPONENT) throw new QuantityError(s, 'exponent out of range');
    } else {
      throw new QuantityError(s, "unable to parse quantity's suffix");
    }
    // value = digits * 10^(base10 - frac.length) * 2^base2, kept in nano-units.
    let n = BigInt(whole + frac || '0') * (1n << BigInt(base2));
    const shift = base10 - frac.length + 9;
    n = shift >= 0 ? n * pow10(shift) : divAway(n, pow10(-shift));
    if (format === 'BinarySI') {
      // Upstream caps binary amounts at 2^63-1 and treats fractions below 1 as DecimalSI.
      if (n > MAX_BINARY) n = MAX_BINARY;
      if (n > 0n && n < NANO) format = 'DecimalSI';
    }
    return new Quantity(sign === '-' ? -n : n, format);
  }

  /** A quantity of `milli` thousandths (e.g. CPU millicores). */
  static fromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli) * 1_000_000n, format);
  }

  /** A quantity of whole units (e.g. bytes; use BinarySI to print `Mi`/`Gi`). */
  static fromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value) * NANO, format);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** Sum; keeps this quantity's format (upstream's Add), or the other's when this is zero. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** Thousandths, rounded up away from zero (`0.1m` gives 1), as upstream's MilliValue. */
  milliValue(): bigint {
    return divAway(this.nanos, 1_000_000n);
  }

  /** Whole units rounded up away from zero, as upstream's Value: bytes for memory, cores for CPU. */
  value(): bigint {
    return divAway(this.nanos, NANO);
  }

  /** Alias of value() for memory and storage amounts. */
  bytes(): bigint {
    return this.value();
  }

  /** The canonical form upstream serializes: `1500m`, `1Gi`, `1536Mi`, `1k`, `12e6`. */
  toString(): string {
    if (this.nanos === 0n) return '0';
    const sign = this.nanos < 0n ? '-' : '';
    const abs = this.nanos < 0n ? -this.nanos : this.nanos;
    // BinarySI only for integers of at least 1024; anything else prints as DecimalSI (upstream).
    if (this.format === 'BinarySI' && abs >= 1024n * NANO && abs % NANO === 0n) {
      let units = abs / NANO;
      let i = 0;
      while (i < 6 && units % 1024n === 0n) {
        units /= 1024n;
        i++;
      }
      return `${sign}${units}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][i]}`;
    }
    // Decimal: the largest exponent, a multiple of 3, that leaves an integer mantissa. DecimalSI
    // has no suffix past E (10^18), so larger exponents print as `1e21` (upstream does the same).
    let exp = -9;
    let mantissa = abs;
    while (mantissa % 1000n === 0n) {
      mantissa /= 1000n;
      exp += 3;
    }
    if (this.format === 'DecimalExponent' || exp > 18) return `${sign}${mantissa}${exp === 0 ? '' : `e${exp}`}`;
    const suffix = Object.keys(DECIMAL_SUFFIX).find((k) => DECIMAL_SUFFIX[k] === exp)!;
    return `${sign}${mantissa}${suffix}`;
  }

  /** Quantities serialize as their canonical string in JSON. */
  toJSON(): string {
    return this.toString();
  }
}

/** Shorthand for Quantity.parse. */
export function parseQuantity(s: string): Quantity {
  return Quantity.parse(s);
}
