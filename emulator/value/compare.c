/*
 * compare: SQL Server comparison of two typed values.
 *
 * Same-family values compare directly: numbers exactly (integers and
 * decimals through value_decimal; when either side is float/real both are
 * compared as doubles, which is what SQL Server's implicit conversion to
 * float does), strings with the CI_AS-like collation of text.c (trailing
 * spaces ignored), binary bytewise (a shorter prefix sorts first), dates
 * chronologically (datetimeoffset by UTC; datetime by its exact tick),
 * GUIDs in SQL Server's byte-group order. Mixed families convert the
 * lower-precedence side to the other's type first, as SQL Server does,
 * so 'abc' = 1 fails with Msg 245.
 */
#include "internal.h"

#include <string.h>

enum fam { F_NUM, F_STR, F_BIN, F_DT, F_GUID };

static void infer(const struct tl_value *v, const struct tl_type *t, struct tl_type *out)
{
    struct tl_type u = {TL_T_VARCHAR, TL_MAX, 0, 0};
    /* A declared type wins unless the storage class contradicts it (an
     * INT in a string column): then the storage class decides. */
    if (t && t->id != TL_T_UNKNOWN && t->id != TL_T_SQL_VARIANT &&
        !((v->kind == TL_V_INT || v->kind == TL_V_REAL) && !(t->id >= TL_T_BIT &&
                                                              t->id <= TL_T_FLOAT))) {
        *out = *t;
        return;
    }
    switch (v->kind) {
    case TL_V_INT: u.id = TL_T_BIGINT; u.length = 0; break;
    case TL_V_REAL: u.id = TL_T_FLOAT; u.length = 0; u.precision = 53; break;
    case TL_V_BLOB: u.id = TL_T_VARBINARY; break;
    default: break;
    }
    *out = u;
}

static enum fam family(enum tl_type_id id)
{
    if (id >= TL_T_BIT && id <= TL_T_FLOAT)
        return F_NUM;
    if (id >= TL_T_DATE && id <= TL_T_DATETIMEOFFSET)
        return F_DT;
    if (id == TL_T_BINARY || id == TL_T_VARBINARY || id == TL_T_IMAGE || id == TL_T_ROWVERSION)
        return F_BIN;
    if (id == TL_T_UNIQUEIDENTIFIER)
        return F_GUID;
    return F_STR;
}

struct num {
    bool is_float;
    double f;
    struct value_decimal d;
};

static int get_num(const struct tl_value *v, enum tl_type_id id, struct num *n)
{
    memset(n, 0, sizeof *n);
    n->is_float = id == TL_T_FLOAT || id == TL_T_REAL || v->kind == TL_V_REAL;
    if (v->kind == TL_V_INT) {
        value_decimal_from_i64(v->i, &n->d);
        n->f = (double)v->i;
    } else if (v->kind == TL_V_REAL) {
        n->f = v->r;
    } else if (v->kind == TL_V_TEXT) {
        if (value_decimal_parse_auto((const char *)v->p, v->n, &n->d) != 0)
            return -1;
        n->f = value_decimal_to_double(&n->d);
    } else {
        return -1;
    }
    return 0;
}

static int cmp_num(const struct tl_value *x, enum tl_type_id tx, const struct tl_value *y,
                   enum tl_type_id ty, struct value_error *e)
{
    struct num a, b;
    if (get_num(x, tx, &a) != 0 || get_num(y, ty, &b) != 0) {
        value_error_set(e, 8114, "Error converting data type varchar to numeric.");
        return -2;
    }
    if (a.is_float || b.is_float)
        return a.f < b.f ? -1 : a.f > b.f ? 1 : 0;
    return value_decimal_cmp(&a.d, &b.d);
}

static int get_dt(const struct tl_value *v, enum tl_type_id id, int32_t *days, uint64_t *units)
{
    struct value_datetime dt, utc;
    unsigned fl;
    if (v->kind != TL_V_TEXT ||
        value_datetime_parse_ex((const char *)v->p, v->n, false, &dt, &fl) != 0)
        return -1;
    if (id == TL_T_DATETIME) {
        int32_t d;
        uint32_t t;
        value_datetime_to_ticks(&dt, &d, &t);
        value_datetime_from_ticks(d, t, &dt);
    }
    if (id == TL_T_DATETIMEOFFSET) {
        value_datetime_to_utc(&dt, &utc);
        dt = utc;
    }
    value_datetime_split(&dt, days, units);
    return 0;
}

static int cmp_same(const struct tl_value *x, const struct tl_type *tx, const struct tl_value *y,
                    const struct tl_type *ty, struct value_error *e)
{
    switch (family(tx->id)) {
    case F_NUM:
        return cmp_num(x, tx->id, y, ty->id, e);
    case F_BIN: {
        size_t n = x->n < y->n ? x->n : y->n;
        int c = n ? memcmp(x->p, y->p, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return x->n < y->n ? -1 : x->n > y->n ? 1 : 0;
    }
    case F_DT: {
        int32_t d1, d2;
        uint64_t u1, u2;
        if (get_dt(x, tx->id, &d1, &u1) != 0 || get_dt(y, ty->id, &d2, &u2) != 0) {
            value_error_set(e, 241, "Conversion failed when converting date and/or time from "
                                    "character string.");
            return -2;
        }
        if (d1 != d2)
            return d1 < d2 ? -1 : 1;
        return u1 < u2 ? -1 : u1 > u2 ? 1 : 0;
    }
    case F_GUID: {
        uint8_t a[16], b[16];
        if (x->kind == TL_V_BLOB && x->n == 16)
            memcpy(a, x->p, 16);
        else if (value_guid_to_wire((const char *)x->p, x->n, a) != 0)
            return -2;
        if (y->kind == TL_V_BLOB && y->n == 16)
            memcpy(b, y->p, 16);
        else if (value_guid_to_wire((const char *)y->p, y->n, b) != 0)
            return -2;
        return value_guid_compare(a, b);
    }
    default: {
        return value_text_compare_ci(x->p, x->n, y->p, y->n);
    }
    }
}

int value_compare(const struct tl_value *x, const struct tl_type *tx, const struct tl_value *y,
                  const struct tl_type *ty, struct value_error *e)
{
    struct tl_type a, b;
    struct arena ar;
    struct tl_value cv;
    int rc;

    infer(x, tx, &a);
    infer(y, ty, &b);
    if (family(a.id) == family(b.id))
        return cmp_same(x, &a, y, &b, e);
    /* Convert the lower-precedence side to the other's type. */
    arena_init(&ar, 4096, 0);
    if (value_type_precedence(a.id) >= value_type_precedence(b.id)) {
        struct tl_type to = a;
        if (family(a.id) == F_STR || family(a.id) == F_BIN)
            to.length = TL_MAX;
        rc = value_convert(y, &b, &to, -1, true, NULL, NULL, &ar, &cv, e);
        rc = rc == 0 ? cmp_same(x, &a, &cv, &to, e) : -2;
    } else {
        struct tl_type to = b;
        if (family(b.id) == F_STR || family(b.id) == F_BIN)
            to.length = TL_MAX;
        rc = value_convert(x, &a, &to, -1, true, NULL, NULL, &ar, &cv, e);
        rc = rc == 0 ? cmp_same(&cv, &to, y, &b, e) : -2;
    }
    arena_free(&ar);
    return rc;
}
