#!/usr/bin/env python3
"""Writes libm-reference.txt: inputs for the kernel's C math functions and their correctly rounded
results, computed with mpmath at 2000 bits (LibMTests reads it). Run: python3 make-reference.py > libm-reference.txt"""
import random, struct
from mpmath import mp, mpf, sin, cos, tan, asin, acos, atan, atan2, exp, log, log10, sinh, cosh, tanh, cbrt, sqrt, power, inf, isnan, isinf

mp.prec = 2000

def bits(x): return struct.unpack('<Q', struct.pack('<d', x))[0]

EDGE = [0.0, -0.0, float('inf'), float('-inf'), float('nan'), 5e-324, -5e-324, 2.2250738585072014e-308,
        2.225073858507201e-308, 1e-310, -1e-320, 1.7976931348623157e308, -1.7976931348623157e308, 1e300, -1e300,
        1e22, 1e16, 9007199254740993.0, 4503599627370497.5, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, 10.0, 100.0, 0.1, 1e-8,
        1e-20, 1e-300, 3.141592653589793, -3.141592653589793, 1.5707963267948966, 0.7853981633974483,
        2.356194490192345, 6.283185307179586, 3141592.653589793, 1647099.0, 1647100.0, 7.1e240, 5.0e15, 2.0e9, -7.0e5,
        0.7853981633974484, 1.5707963267948968, 0.9999999999999999, 1.0000000000000002, 0.3465735902799726,
        0.6931471805599453, 22.0, -22.0, 709.782712893384, 709.79, 710.4, -708.4, -745.1332191019411, -745.14, 88.7,
        -103.9, 1.4142135623730951, 0.7071067811865476, 0.125, 0.0625, 0.1875, 0.4375, 27.0, -8.0, 1e-5,
        0.49999999999999994, 6381956970095103.0 * 2.0 ** 797]

def sample(count, scale, seed):
    r = random.Random(seed)
    return [(1 if r.random() < 0.5 else -1) * 2.0 ** (r.uniform(-scale, scale)) for _ in range(count)]

def rounded(v):
    if isnan(v): return float('nan')
    if isinf(v): return float('inf') if v > 0 else float('-inf')
    return float(v)

def real(f):
    def g(*args):
        try:
            v = f(*[mpf(a) for a in args])
        except (ValueError, ZeroDivisionError):
            return float('nan')
        if hasattr(v, 'imag') and v.imag != 0: return float('nan')
        return rounded(v.real if hasattr(v, 'real') else v)
    return g

UNARY = {
    'sin': (real(sin), 1023), 'cos': (real(cos), 1023), 'tan': (real(tan), 1023),
    'asin': (real(asin), 3), 'acos': (real(acos), 3), 'atan': (real(atan), 1023),
    'exp': (real(exp), 10), 'log': (real(log), 1020), 'log2': (real(lambda x: log(x, 2)), 1020),
    'log10': (real(log10), 1020), 'sinh': (real(sinh), 10), 'cosh': (real(cosh), 10), 'tanh': (real(tanh), 6),
    'cbrt': (real(lambda x: cbrt(x) if x >= 0 else -cbrt(-x)), 1020),
}

for name, (f, scale) in UNARY.items():
    xs = EDGE + sample(300, scale, sum(map(ord, name))) + sample(100, 2, 5)
    for x in xs:
        if name in ('asin', 'acos') and (x != x or abs(x) > 1): y = float('nan')
        elif name.startswith('log') and x < 0: y = float('nan')
        elif name.startswith('log') and x == 0: y = float('-inf')
        elif name in ('sin', 'cos', 'tan') and (x != x or abs(x) == float('inf')): y = float('nan')
        elif name == 'cbrt' and (x == 0 or x != x or abs(x) == float('inf')): y = x
        elif name in ('exp', 'sinh', 'cosh', 'tanh', 'atan') and x != x: y = x
        elif name in ('sin', 'tan', 'asin', 'atan', 'sinh', 'tanh') and x == 0: y = x
        elif name == 'tanh' and abs(x) == float('inf'): y = 1.0 if x > 0 else -1.0
        elif name == 'atan' and abs(x) == float('inf'): y = 1.5707963267948966 if x > 0 else -1.5707963267948966
        elif name == 'exp' and x == float('-inf'): y = 0.0
        elif name in ('exp', 'sinh', 'cosh') and abs(x) == float('inf'): y = x if name != 'cosh' else float('inf')
        elif name.startswith('log') and x == float('inf'): y = x
        else: y = f(x)
        print(name, '%016X' % bits(x), '%016X' % bits(y))

BINARY_X = [v for v in EDGE if v == v][:40] + sample(25, 30, 99)
BINARY_Y = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -3.0, 1.0 / 3, 1e-3, 123.456, -1074.0, 1023.0, 1024.0, 53.0, 1e300,
            -1e300, 0.1, 7.5, -2.5, float('inf'), float('-inf')] + sample(15, 30, 98)
for x in BINARY_X:
    for y in BINARY_Y:
        # pow: only ordinary cases; the special cases (zeros, infinities, negative bases) are exact in C99 and tested apart.
        if x != 0 and abs(x) != float('inf') and abs(y) != float('inf') and y != 0:
            if x < 0 and y != int(y): pass
            else:
                v = power(mpf(abs(x)), mpf(y))
                if x < 0 and int(y) % 2 == 1: v = -v
                print('pow', '%016X' % bits(x), '%016X' % bits(y), '%016X' % bits(rounded(v)))
        if x == x and y == y and x != 0 and y != 0 and abs(x) != float('inf') and abs(y) != float('inf'):
            print('atan2', '%016X' % bits(y), '%016X' % bits(x), '%016X' % bits(real(atan2)(y, x)))
