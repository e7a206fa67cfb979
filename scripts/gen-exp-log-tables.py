#!/usr/bin/env python3
"""Prints the constant tables of Sources/CKernels/exp_log.c (paste them between its TABLES markers).

Every value is computed to 80 decimal digits with Python's decimal module and rounded once to the double (or to
the double-double hi + lo) nearest it, so the tables are exact to the last bit and can be regenerated anywhere.
"""
from decimal import Decimal, getcontext
from fractions import Fraction
import struct

getcontext().prec = 80
LN2 = Decimal(2).ln()


def hexd(v):
    return float(v).hex()


def round_bits(v, bits):
    """v (Decimal or Fraction) rounded to nearest (ties to even) with `bits` significant bits, as a float."""
    f = Fraction(v)
    if f == 0:
        return 0.0
    sign = -1 if f < 0 else 1
    f = abs(f)
    e = f.numerator.bit_length() - f.denominator.bit_length()
    if Fraction(2) ** e > f:
        e -= 1
    scaled = f / Fraction(2) ** (e - bits + 1)
    n = scaled.numerator // scaled.denominator
    rem = scaled - n
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and n % 2 == 1):
        n += 1
    return sign * float(Fraction(n) * Fraction(2) ** (e - bits + 1))


def dd(v):
    """v as hi + lo: hi the double nearest v, lo the double nearest v - hi."""
    hi = float(v)
    lo = float(Decimal(v) - Decimal(hi))
    return hi, lo


def split3(v, bits):
    """v as c1 + c2 + c3 with c1, c2 of `bits` significant bits (so k*c1, k*c2 are exact for small integers k)."""
    c1 = round_bits(v, bits)
    c2 = round_bits(Decimal(v) - Decimal(c1), bits)
    c3 = float(Decimal(v) - Decimal(c1) - Decimal(c2))
    return c1, c2, c3


def f32(u):
    return struct.unpack('<f', struct.pack('<I', u))[0]


out = []
# ---- exp: 2^(j/64) = exp(j ln2 / 64), and ln2/64 in parts.
EXP_N = 64
out.append('// 2^(j/64) for j in 0..<64, rounded to double (hi) and the rest (lo).')
out.append('static const double exp_table_hi[64] = {')
his, los = [], []
for j in range(EXP_N):
    h, l = dd((LN2 * j / EXP_N).exp())
    his.append(h)
    los.append(l)
for j in range(0, EXP_N, 4):
    out.append('    ' + ', '.join(hexd(v) for v in his[j:j + 4]) + ',')
out.append('};')
out.append('static const double exp_table_lo[64] = {')
for j in range(0, EXP_N, 4):
    out.append('    ' + ', '.join(hexd(v) for v in los[j:j + 4]) + ',')
out.append('};')
ln2n = LN2 / EXP_N
e1, e2, e3 = split3(ln2n, 39)
out.append(f'#define EXP_INV_LN2_N {hexd(Decimal(EXP_N) / LN2)}  // 64/ln2')
out.append(f'#define EXP_LN2_N_1 {hexd(e1)}  // ln2/64 = 1 + 2 + 3; 1 and 2 have 39 bits, so k*1 and k*2 are exact for |k| < 2^14')
out.append(f'#define EXP_LN2_N_2 {hexd(e2)}')
out.append(f'#define EXP_LN2_N_3 {hexd(e3)}')
out.append(f'#define EXP_LN2_N_23 {hexd(Decimal(ln2n) - Decimal(e1))}  // 2 + 3 as one double')

# ---- log: z in [OFF, 2 OFF) split into 128 intervals by the top 7 bits of (bits(z) - OFF).
OFF = 0x3f338000
LOG_N = 128
out.append('')
out.append(f'#define LOG_OFF 0x{OFF:08x}u')
invcs, lhis, llos = [], [], []
for i in range(LOG_N):
    lo_bits = OFF + (i << 16)
    hi_bits = OFF + ((i + 1) << 16)
    a = Fraction(f32(lo_bits))
    b = Fraction(f32(hi_bits))
    if a <= 1 < b:
        invc = 1.0
    else:
        invc = round_bits(2 / (a + b), 24)  # 24 bits: z (24 bits) * invc is exact in double
    logc = -Decimal(invc).ln()  # log(c) with c = 1/invc
    h, l = dd(logc) if invc != 1.0 else (0.0, 0.0)
    invcs.append(invc)
    lhis.append(h)
    llos.append(l)
out.append('// Interval i of z: invc is 1/c for c near its centre, rounded to 24 bits (so z*invc is exact in double);')
out.append('// logc = log(c) = -log(invc) as hi + lo. The interval holding 1 has invc = 1, logc = 0 exactly.')
out.append('static const struct { double invc, logc; } log_table[128] = {')
for i in range(LOG_N):
    out.append(f'    {{{hexd(invcs[i])}, {hexd(lhis[i])}}},')
out.append('};')
out.append('static const double log_table_lo[128] = {')
for i in range(0, LOG_N, 4):
    out.append('    ' + ', '.join(hexd(v) for v in llos[i:i + 4]) + ',')
out.append('};')
l1, l2, l3 = split3(LN2, 45)
out.append(f'#define LOG_LN2_1 {hexd(l1)}  // ln2 = 1 + 2 + 3; 1 and 2 have 45 bits, so k*1 and k*2 are exact for |k| < 2^8')
out.append(f'#define LOG_LN2_2 {hexd(l2)}')
out.append(f'#define LOG_LN2_3 {hexd(l3)}')
out.append(f'#define LOG_LN2_23 {hexd(LN2 - Decimal(l1))}  // 2 + 3 as one double')
th, tl = dd(Decimal(1) / 3)
out.append(f'#define THIRD_HI {hexd(th)}')
out.append(f'#define THIRD_LO {hexd(tl)}')
print('\n'.join(out))
