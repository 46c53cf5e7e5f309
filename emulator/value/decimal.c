/*
 * decimal: exact SQL Server decimal/numeric arithmetic on a 128-bit
 * magnitude (38 digits fit: 10^38 < 2^127) with a 256-bit intermediate for
 * alignment, products and quotients.
 *
 * Owns: parsing plain decimal text (optionally with an exponent, for
 * float -> decimal), canonical printing, rescaling with SQL Server's
 * rounding (half away from zero; truncation where SQL Server truncates),
 * the result precision/scale rules of + - * / and the operations
 * themselves. Leaves type-level checks (precision of a target column,
 * error texts) to convert.c.
 *
 * Invariant: a struct value_decimal produced here has mag < 10^38 and
 * neg == false when mag == 0.
 */
#include "value/value.h"

#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

#define P19 ((u128)10000000000000000000ULL)

/* 10^0 .. 10^38. */
static const u128 pow10_tab[39] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, P19, P19 * 10, P19 * 100, P19 * 1000,
    P19 * 10000, P19 * 100000, P19 * 1000000, P19 * 10000000, P19 * 100000000,
    P19 * 1000000000, P19 * 10000000000ULL, P19 * 100000000000ULL, P19 * 1000000000000ULL,
    P19 * 10000000000000ULL, P19 * 100000000000000ULL, P19 * 1000000000000000ULL,
    P19 * 10000000000000000ULL, P19 * 100000000000000000ULL, P19 * 1000000000000000000ULL,
    P19 * P19,
};

u128 value_decimal_pow10(int n)
{
    return pow10_tab[n];
}

/* ---- 256-bit unsigned helper: 8 little-endian 32-bit limbs ---- */

struct wide {
    uint32_t w[8];
};

static void wide_from(struct wide *x, u128 v)
{
    memset(x, 0, sizeof *x);
    for (int i = 0; i < 4; i++) {
        x->w[i] = (uint32_t)v;
        v >>= 32;
    }
}

/* True when x fits 128 bits; *v gets it. */
static bool wide_to(const struct wide *x, u128 *v)
{
    u128 r = 0;
    for (int i = 4; i < 8; i++)
        if (x->w[i])
            return false;
    for (int i = 3; i >= 0; i--)
        r = (r << 32) | x->w[i];
    *v = r;
    return true;
}

/* x *= m; returns false on overflow of 256 bits. */
static bool wide_mul_small(struct wide *x, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t t = (uint64_t)x->w[i] * m + carry;
        x->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    return carry == 0;
}

/* x /= d; returns the remainder. */
static uint32_t wide_div_small(struct wide *x, uint32_t d)
{
    uint64_t rem = 0;
    for (int i = 7; i >= 0; i--) {
        uint64_t cur = (rem << 32) | x->w[i];
        x->w[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    return (uint32_t)rem;
}

static bool wide_mul_pow10(struct wide *x, int k)
{
    while (k >= 9) {
        if (!wide_mul_small(x, 1000000000u))
            return false;
        k -= 9;
    }
    return k == 0 || wide_mul_small(x, (uint32_t)pow10_tab[k]);
}

static int wide_cmp(const struct wide *a, const struct wide *b)
{
    for (int i = 7; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static bool wide_add(struct wide *a, const struct wide *b)
{
    uint64_t carry = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t t = (uint64_t)a->w[i] + b->w[i] + carry;
        a->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    return carry == 0;
}

/* a -= b, requires a >= b. */
static void wide_sub(struct wide *a, const struct wide *b)
{
    int64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        int64_t t = (int64_t)a->w[i] - b->w[i] - borrow;
        borrow = t < 0;
        a->w[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
}

static void wide_mul(const struct wide *a, const struct wide *b, struct wide *out)
{
    uint32_t r[16] = {0};
    for (int i = 0; i < 8; i++) {
        uint64_t carry = 0;
        if (!a->w[i])
            continue;
        for (int j = 0; j < 8; j++) {
            uint64_t t = (uint64_t)a->w[i] * b->w[j] + r[i + j] + carry;
            r[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        for (int k = i + 8; carry && k < 16; k++) {
            uint64_t t = (uint64_t)r[k] + carry;
            r[k] = (uint32_t)t;
            carry = t >> 32;
        }
    }
    /* Callers keep products below 2^256 (two 38-digit factors). */
    memcpy(out->w, r, sizeof out->w);
}

/* q = n / d (d != 0, d < 2^127), truncating. Binary long division keeps the
 * remainder below d, so shifting it left one bit never overflows 128 bits. */
static void wide_div_u128(const struct wide *n, u128 d, struct wide *q)
{
    u128 r = 0;
    memset(q, 0, sizeof *q);
    for (int bit = 255; bit >= 0; bit--) {
        r = (r << 1) | ((n->w[bit / 32] >> (bit % 32)) & 1u);
        if (r >= d) {
            r -= d;
            q->w[bit / 32] |= 1u << (bit % 32);
        }
    }
}

/* Drop k decimal digits from x; round half away from zero unless truncate. */
static void wide_drop_digits(struct wide *x, int k, bool truncate)
{
    uint32_t digit = 0;
    if (k <= 0)
        return;
    while (k > 1) {
        int step = k - 1 > 9 ? 9 : k - 1;
        wide_div_small(x, (uint32_t)pow10_tab[step]);
        k -= step;
    }
    digit = wide_div_small(x, 10);
    if (!truncate && digit >= 5) {
        struct wide one;
        wide_from(&one, 1);
        wide_add(x, &one);
    }
}

/* Store x at scale into out if it has at most 38 digits. */
static int wide_store(const struct wide *x, bool neg, uint8_t scale, struct value_decimal *out)
{
    u128 v;
    if (!wide_to(x, &v) || v >= pow10_tab[38])
        return VALUE_ERANGE;
    out->mag = v;
    out->neg = neg && v != 0;
    out->scale = scale;
    return 0;
}

/* ---- text ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int value_decimal_parse_ex(const char *s, size_t n, uint8_t scale, bool allow_exponent,
                           struct value_decimal *out)
{
    size_t i = 0, end = n;
    bool neg = false, any = false, seen_nz = false;
    long nd = 0, nfrac = 0, exp = 0, shift, kept, idx = 0;
    size_t dstart;
    u128 mag = 0;
    bool round_up = false;

    if (scale > 38)
        return VALUE_EBAD;
    while (i < end && is_space(s[i]))
        i++;
    while (end > i && is_space(s[end - 1]))
        end--;
    if (i < end && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    dstart = i;
    /* Pass 1: validate, count significant digits and fraction digits. */
    for (bool frac = false; i < end; i++) {
        char c = s[i];
        if (c == '.' && !frac) {
            frac = true;
        } else if (c >= '0' && c <= '9') {
            any = true;
            if (c != '0')
                seen_nz = true;
            if (seen_nz)
                nd++;
            if (frac)
                nfrac++;
        } else {
            break;
        }
    }
    if (!any)
        return VALUE_EBAD;
    if (i < end) {
        bool eneg = false, edig = false;
        if (!allow_exponent || (s[i] != 'e' && s[i] != 'E'))
            return VALUE_EBAD;
        i++;
        if (i < end && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        for (; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
            edig = true;
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
        }
        if (!edig || i < end)
            return VALUE_EBAD;
        if (eneg)
            exp = -exp;
    }
    /* value = D * 10^(exp - nfrac); we want D * 10^shift. */
    shift = exp - nfrac + scale;
    kept = nd + (shift < 0 ? shift : 0);
    if (kept > 38)
        return VALUE_ERANGE;
    /* Pass 2: accumulate the kept digits and look at the first dropped one. */
    seen_nz = false;
    for (i = dstart; i < end; i++) {
        char c = s[i];
        if (c == '.')
            continue;
        if (c < '0' || c > '9')
            break;
        if (c != '0')
            seen_nz = true;
        if (!seen_nz)
            continue;
        if (idx < kept)
            mag = mag * 10 + (u128)(c - '0');
        else {
            round_up = c >= '5';
            break;
        }
        idx++;
    }
    if (kept < 0)
        round_up = false; /* the rounding digit is a leading zero */
    if (round_up)
        mag++;
    if (shift > 0 && mag != 0) {
        if (shift > 38 || mag >= pow10_tab[38 - shift])
            return VALUE_ERANGE;
        mag *= pow10_tab[shift];
    }
    if (mag >= pow10_tab[38])
        return VALUE_ERANGE;
    out->mag = mag;
    out->neg = neg && mag != 0;
    out->scale = scale;
    return 0;
}

int value_decimal_parse(const char *s, size_t n, uint8_t scale, struct value_decimal *out)
{
    return value_decimal_parse_ex(s, n, scale, false, out) == 0 ? 0 : -1;
}

int value_decimal_parse_auto(const char *s, size_t n, struct value_decimal *out)
{
    size_t i = 0;
    int frac = -1;
    for (; i < n; i++) {
        if (s[i] == '.')
            frac = 0;
        else if (s[i] >= '0' && s[i] <= '9') {
            if (frac >= 0)
                frac++;
        } else if (s[i] != '-' && s[i] != '+' && !is_space(s[i]))
            return VALUE_EBAD;
    }
    if (frac > 38)
        frac = 38;
    return value_decimal_parse_ex(s, n, (uint8_t)(frac < 0 ? 0 : frac), false, out);
}

size_t value_decimal_format(const struct value_decimal *d, char *out)
{
    char tmp[48];
    size_t nd = 0, o = 0;
    u128 m = d->mag;
    do {
        tmp[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    while (nd < (size_t)d->scale + 1)
        tmp[nd++] = '0';
    if (d->neg && d->mag)
        out[o++] = '-';
    while (nd > 0) {
        if (nd == d->scale && d->scale > 0)
            out[o++] = '.';
        out[o++] = tmp[--nd];
    }
    out[o] = 0;
    return o;
}

/* ---- operations ---- */

int value_decimal_rescale(struct value_decimal *d, uint8_t scale, bool truncate)
{
    struct wide x;
    if (scale > 38)
        return VALUE_EBAD;
    wide_from(&x, d->mag);
    if (scale >= d->scale) {
        if (!wide_mul_pow10(&x, scale - d->scale))
            return VALUE_ERANGE;
    } else {
        wide_drop_digits(&x, d->scale - scale, truncate);
    }
    return wide_store(&x, d->neg, scale, d);
}

bool value_decimal_fits(const struct value_decimal *d, uint8_t precision)
{
    return precision <= 38 && d->mag < pow10_tab[precision];
}

int value_decimal_cmp(const struct value_decimal *a, const struct value_decimal *b)
{
    struct wide x, y;
    int sign = a->neg ? -1 : 1, c;
    if (a->neg != b->neg)
        return a->neg ? -1 : 1;
    wide_from(&x, a->mag);
    wide_from(&y, b->mag);
    /* Align to the larger scale: both stay below 10^76 < 2^256. */
    if (a->scale < b->scale)
        wide_mul_pow10(&x, b->scale - a->scale);
    else
        wide_mul_pow10(&y, a->scale - b->scale);
    c = wide_cmp(&x, &y);
    return c * sign;
}

void value_decimal_from_i64(int64_t v, struct value_decimal *out)
{
    out->neg = v < 0;
    out->mag = v < 0 ? (u128)(-(v + 1)) + 1 : (u128)v;
    out->scale = 0;
}

int value_decimal_to_i64(const struct value_decimal *d, bool truncate, int64_t *out)
{
    struct value_decimal t = *d;
    if (value_decimal_rescale(&t, 0, truncate) != 0)
        return VALUE_ERANGE;
    if (t.neg) {
        if (t.mag > (u128)INT64_MAX + 1)
            return VALUE_ERANGE;
        *out = t.mag == (u128)INT64_MAX + 1 ? INT64_MIN : -(int64_t)t.mag;
    } else {
        if (t.mag > (u128)INT64_MAX)
            return VALUE_ERANGE;
        *out = (int64_t)t.mag;
    }
    return 0;
}

double value_decimal_to_double(const struct value_decimal *d)
{
    /* Via text and strtod: correctly rounded, unlike mag / 10^scale. */
    char buf[48];
    value_decimal_format(d, buf);
    return strtod(buf, NULL);
}

/*
 * Result types (SQL Server "Precision, scale, and length"), p/s of the
 * operands e1 (p1,s1) and e2 (p2,s2):
 *   + and -: s = max(s1,s2), p = max(s1,s2) + max(p1-s1, p2-s2) + 1
 *   *      : s = s1 + s2,     p = p1 + p2 + 1
 *   /      : s = max(6, s1 + p2 + 1), p = p1 - s1 + s2 + s
 * When p > 38 it becomes 38 and the scale shrinks to keep the integral
 * part: for + and - s = min(s, 38 - (p - s)) (SQL Server keeps at least
 * min(s, 6) here too); for * and / s = min(s, 38 - (p - s)) if the integral
 * part is below 32 digits, else s stays if below 6, else s = 6.
 */
void value_decimal_result_type(enum value_dec_op op, int p1, int s1, int p2, int s2, int *p,
                               int *s)
{
    int rp, rs, integral;
    switch (op) {
    case VALUE_DEC_ADD:
    case VALUE_DEC_SUB:
        rs = s1 > s2 ? s1 : s2;
        rp = rs + ((p1 - s1) > (p2 - s2) ? (p1 - s1) : (p2 - s2)) + 1;
        break;
    case VALUE_DEC_MUL:
        rs = s1 + s2;
        rp = p1 + p2 + 1;
        break;
    default:
        rs = s1 + p2 + 1 > 6 ? s1 + p2 + 1 : 6;
        rp = p1 - s1 + s2 + rs;
        break;
    }
    if (rp > 38) {
        integral = rp - rs;
        if (op == VALUE_DEC_ADD || op == VALUE_DEC_SUB) {
            int keep = rs < 6 ? rs : 6;
            rs = 38 - integral > keep ? 38 - integral : keep;
            if (rs > s1 && rs > s2)
                rs = s1 > s2 ? s1 : s2;
        } else if (integral < 32) {
            rs = 38 - integral < rs ? 38 - integral : rs;
        } else if (rs > 6) {
            rs = 6;
        }
        rp = 38;
    }
    *p = rp;
    *s = rs;
}

static int dec_addsub(bool sub, const struct value_decimal *a, const struct value_decimal *b,
                      uint8_t scale, struct value_decimal *out)
{
    struct wide x, y;
    int ms = a->scale > b->scale ? a->scale : b->scale;
    bool bneg = sub ? !b->neg : b->neg, neg;
    wide_from(&x, a->mag);
    wide_from(&y, b->mag);
    wide_mul_pow10(&x, ms - a->scale);
    wide_mul_pow10(&y, ms - b->scale);
    if (a->neg == bneg) {
        wide_add(&x, &y);
        neg = a->neg;
    } else if (wide_cmp(&x, &y) >= 0) {
        wide_sub(&x, &y);
        neg = a->neg;
    } else {
        wide_sub(&y, &x);
        x = y;
        neg = bneg;
    }
    if (scale >= ms) {
        if (!wide_mul_pow10(&x, scale - ms))
            return VALUE_ERANGE;
    } else {
        wide_drop_digits(&x, ms - scale, false);
    }
    return wide_store(&x, neg, scale, out);
}

int value_decimal_arith(enum value_dec_op op, const struct value_decimal *a,
                        const struct value_decimal *b, uint8_t precision, uint8_t scale,
                        struct value_decimal *out)
{
    struct wide x, y, q;
    int rc;
    bool neg = a->neg != b->neg;
    if (scale > 38 || precision > 38 || precision < 1)
        return VALUE_EBAD;
    switch (op) {
    case VALUE_DEC_ADD:
    case VALUE_DEC_SUB:
        rc = dec_addsub(op == VALUE_DEC_SUB, a, b, scale, out);
        break;
    case VALUE_DEC_MUL:
        wide_from(&x, a->mag);
        wide_from(&y, b->mag);
        wide_mul(&x, &y, &q);
        if (scale >= a->scale + b->scale) {
            if (!wide_mul_pow10(&q, scale - (a->scale + b->scale)))
                return VALUE_ERANGE;
        } else {
            wide_drop_digits(&q, a->scale + b->scale - scale, false);
        }
        rc = wide_store(&q, neg, scale, out);
        break;
    default: {
        /* a / b at `scale`: (a * 10^(scale + sb - sa)) / b, truncated as
         * SQL Server truncates decimal quotients. */
        int k = scale + b->scale - a->scale;
        if (b->mag == 0)
            return VALUE_EDIVZERO;
        wide_from(&x, a->mag);
        if (k >= 0) {
            if (!wide_mul_pow10(&x, k))
                return VALUE_ERANGE;
        } else {
            wide_drop_digits(&x, -k, true);
        }
        wide_div_u128(&x, b->mag, &q);
        rc = wide_store(&q, neg, scale, out);
        break;
    }
    }
    if (rc == 0 && !value_decimal_fits(out, precision))
        rc = VALUE_ERANGE;
    return rc;
}

