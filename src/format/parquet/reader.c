/*
 * reader: Parquet files into batches. See parquet.h for the contract.
 *
 * Owns: the mapping (or the caller's borrowed bytes), the parsed footer,
 * one decoded row group. Reads flat schemas: PLAIN, PLAIN_DICTIONARY /
 * RLE_DICTIONARY, RLE booleans, RLE/bit-packed levels, data pages V1 and
 * V2, every codec of codec.c. DELTA_* and BYTE_STREAM_SPLIT are refused
 * with SL_EUNSUPPORTED.
 *
 * Hardening: the footer is parsed with the bounds-checked thrift reader;
 * every chunk range is checked against the data area at open; every page
 * header and body against its chunk; decoded sizes are capped by mem_cap,
 * which is proportional to the file size (floor 64 MiB), so a small file
 * cannot claim gigabytes. Errors are SL_ECORRUPT with a message naming the
 * column and row group.
 *
 * A row group is decoded whole into an internal batch whose var-len
 * columns are all BINARY (copied bytes, no UTF-8 check); parquet_reader_read
 * copies rows from it, validating/repairing STRING and JSON values through
 * batch_append_str.
 */
#include "parquet.h"

#include "codec.h"
#include "meta.h"
#include "rle.h"
#include "thrift.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MEM_FLOOR ((uint64_t)64 << 20)

struct rcol {
    int ptype, type_length;
    int ts_mul, ts_div;      /* timestamp unit scaling to micros */
    bool nullable;           /* has definition levels (max_def > 0) */
    int max_def;             /* 1 for an OPTIONAL column, up to 2 inside a struct */
};

struct rchunk {
    int codec;
    int ptype;
    uint64_t start, len, num_values;
    bool has_meta;
    int64_t data_off, dict_off;
    uint32_t encodings;
    struct parquet_stats st;
};

struct rrg {
    uint64_t num_rows;
    struct rchunk *cols;
};

struct parquet_reader {
    const uint8_t *data;
    size_t len;
    void *map;
    size_t map_len;
    uint64_t mem_cap;
    struct batch_schema schema;   /* public: batch types */
    struct batch_schema dschema;  /* decode: var-len as BINARY */
    struct rcol *cols;
    struct rrg *rgs;
    size_t nrgs;
    uint64_t num_rows;
    char **kv;                    /* key, value pairs */
    size_t nkv;
    char *created_by;
    bool kv_only;                 /* parquet_reader_open_kv: footer kv and created_by only */
    /* decoding */
    struct batch *cur;            /* decoded row group */
    size_t next_rg;               /* next row group to decode */
    size_t cur_row;
    struct buf page, dict, dvals, idx, bools;
};

/* A decoded physical value. */
struct pval {
    int64_t i;
    double d;
    const uint8_t *p;
    size_t n;
};

/* ---- footer parsing ---- */

struct felem {
    int type, type_length, rep, num_children, converted, scale, precision;
    bool has_type, has_children;
    int lt, lt_bits, lt_signed, lt_utc, lt_unit, lt_scale, lt_precision;
    const uint8_t *name;
    size_t name_len;
};

static void parse_logical(struct thrift_r *tr, struct felem *e)
{
    int16_t last = 0, id, l2, id2, l3, id3;
    uint8_t t, t2, t3;
    thrift_r_enter(tr);
    while (thrift_r_field(tr, &last, &id, &t)) {
        if (t != THRIFT_STRUCT) {
            thrift_r_skip(tr, t);
            continue;
        }
        e->lt = id;
        thrift_r_enter(tr);
        l2 = 0;
        while (thrift_r_field(tr, &l2, &id2, &t2)) {
            if (id == LT_INTEGER && id2 == 1 && t2 == THRIFT_I8)
                e->lt_bits = thrift_r_i8(tr);
            else if (id == LT_INTEGER && id2 == 2 && (t2 == THRIFT_TRUE || t2 == THRIFT_FALSE))
                e->lt_signed = t2 == THRIFT_TRUE;
            else if ((id == LT_TIMESTAMP || id == LT_TIME) && id2 == 1 &&
                     (t2 == THRIFT_TRUE || t2 == THRIFT_FALSE))
                e->lt_utc = t2 == THRIFT_TRUE;
            else if (id == LT_DECIMAL && id2 == 1 && t2 == THRIFT_I32)
                e->lt_scale = thrift_r_i32(tr);
            else if (id == LT_DECIMAL && id2 == 2 && t2 == THRIFT_I32)
                e->lt_precision = thrift_r_i32(tr);
            else if (id == LT_TIMESTAMP && id2 == 2 && t2 == THRIFT_STRUCT) {
                thrift_r_enter(tr);
                l3 = 0;
                while (thrift_r_field(tr, &l3, &id3, &t3)) {
                    e->lt_unit = id3;
                    thrift_r_skip(tr, t3);
                }
                thrift_r_leave(tr);
            } else
                thrift_r_skip(tr, t2);
        }
        thrift_r_leave(tr);
    }
    thrift_r_leave(tr);
}

static void parse_schema_elem(struct thrift_r *tr, struct felem *e)
{
    int16_t last = 0, id;
    uint8_t t;
    memset(e, 0, sizeof *e);
    e->converted = -1;
    thrift_r_enter(tr);
    while (thrift_r_field(tr, &last, &id, &t)) {
        if (t == THRIFT_I32 && id >= 1 && id <= 8) {
            int32_t v = thrift_r_i32(tr);
            switch (id) {
            case 1: e->type = v, e->has_type = true; break;
            case 2: e->type_length = v; break;
            case 3: e->rep = v; break;
            case 5: e->num_children = v, e->has_children = true; break;
            case 6: e->converted = v; break;
            case 7: e->scale = v; break;
            case 8: e->precision = v; break;
            default: break;
            }
        } else if (id == 4 && t == THRIFT_BINARY) {
            thrift_r_binary(tr, &e->name, &e->name_len);
        } else if (id == 10 && t == THRIFT_STRUCT) {
            parse_logical(tr, e);
        } else {
            thrift_r_skip(tr, t);
        }
    }
    thrift_r_leave(tr);
}

static void parse_stats(struct thrift_r *tr, struct parquet_stats *s)
{
    int16_t last = 0, id;
    uint8_t t;
    const uint8_t *lmin = NULL, *lmax = NULL;
    size_t lmin_n = 0, lmax_n = 0;
    bool has_new_min = false, has_new_max = false;
    thrift_r_enter(tr);
    while (thrift_r_field(tr, &last, &id, &t)) {
        if (t == THRIFT_BINARY && (id == 1 || id == 2 || id == 5 || id == 6)) {
            const uint8_t *p;
            size_t n;
            thrift_r_binary(tr, &p, &n);
            if (id == 1)
                lmax = p, lmax_n = n;
            else if (id == 2)
                lmin = p, lmin_n = n;
            else if (id == 5)
                s->max = p, s->max_len = n, has_new_max = true;
            else
                s->min = p, s->min_len = n, has_new_min = true;
        } else if (id == 3 && t == THRIFT_I64) {
            s->null_count = thrift_r_i64(tr);
            s->has_null_count = true;
        } else if ((id == 7 || id == 8) && (t == THRIFT_TRUE || t == THRIFT_FALSE)) {
            if (id == 7)
                s->max_exact = t == THRIFT_TRUE;
            else
                s->min_exact = t == THRIFT_TRUE;
        } else {
            thrift_r_skip(tr, t);
        }
    }
    thrift_r_leave(tr);
    /* Fall back to the legacy fields only when the new ones are absent. */
    if (!has_new_min && lmin)
        s->min = lmin, s->min_len = lmin_n, has_new_min = true;
    if (!has_new_max && lmax)
        s->max = lmax, s->max_len = lmax_n, has_new_max = true;
    s->has_min = has_new_min;
    s->has_max = has_new_max;
}

static void parse_col_meta(struct thrift_r *tr, struct rchunk *c)
{
    int16_t last = 0, id;
    uint8_t t, et;
    size_t n;
    thrift_r_enter(tr);
    c->has_meta = true;
    while (thrift_r_field(tr, &last, &id, &t)) {
        if (id == 1 && t == THRIFT_I32) {
            c->ptype = thrift_r_i32(tr);
        } else if (id == 2 && t == THRIFT_LIST) {
            thrift_r_list(tr, &et, &n);
            for (size_t i = 0; i < n && !tr->err; i++) {
                int32_t e = et == THRIFT_I32 ? thrift_r_i32(tr) : (thrift_r_skip(tr, et), -1);
                if (e >= 0 && e < 32)
                    c->encodings |= 1u << e;
            }
        } else if (id == 4 && t == THRIFT_I32) {
            c->codec = thrift_r_i32(tr);
        } else if (id == 5 && t == THRIFT_I64) {
            c->num_values = (uint64_t)thrift_r_i64(tr);
        } else if (id == 7 && t == THRIFT_I64) {
            c->len = (uint64_t)thrift_r_i64(tr);
        } else if (id == 9 && t == THRIFT_I64) {
            c->data_off = thrift_r_i64(tr);
        } else if (id == 11 && t == THRIFT_I64) {
            c->dict_off = thrift_r_i64(tr);
        } else if (id == 12 && t == THRIFT_STRUCT) {
            parse_stats(tr, &c->st);
        } else {
            thrift_r_skip(tr, t);
        }
    }
    thrift_r_leave(tr);
}

static void parse_row_group(struct thrift_r *tr, struct rrg *g, size_t ncols, int *bad)
{
    int16_t last = 0, id, l2, id2;
    uint8_t t, t2, et;
    size_t n;
    thrift_r_enter(tr);
    while (thrift_r_field(tr, &last, &id, &t)) {
        if (id == 1 && t == THRIFT_LIST) {
            thrift_r_list(tr, &et, &n);
            if (n != ncols || et != THRIFT_STRUCT || g->cols) {
                *bad = SL_ECORRUPT;
                return;
            }
            g->cols = sl_calloc(ncols ? ncols : 1, sizeof *g->cols);
            if (!g->cols) {
                *bad = SL_ENOMEM;
                return;
            }
            for (size_t i = 0; i < n && !tr->err; i++) {
                struct rchunk *c = &g->cols[i];
                c->st.min_exact = c->st.max_exact = true;
                thrift_r_enter(tr);
                l2 = 0;
                while (thrift_r_field(tr, &l2, &id2, &t2)) {
                    if (id2 == 1 && t2 == THRIFT_BINARY)
                        *bad = SL_EUNSUPPORTED; /* chunk in another file */
                    if (id2 == 3 && t2 == THRIFT_STRUCT)
                        parse_col_meta(tr, c);
                    else
                        thrift_r_skip(tr, t2);
                }
                thrift_r_leave(tr);
            }
        } else if (id == 3 && t == THRIFT_I64) {
            g->num_rows = (uint64_t)thrift_r_i64(tr);
        } else {
            thrift_r_skip(tr, t);
        }
    }
    thrift_r_leave(tr);
}

/* Map one leaf to a batch field; SL_EUNSUPPORTED when it has no mapping. */
static int map_leaf(const struct felem *e, struct rcol *c, struct batch_field *f)
{
    int ct = e->converted, lt = e->lt;
    bool dec = lt == LT_DECIMAL || ct == CT_DECIMAL;
    int prec = lt == LT_DECIMAL ? e->lt_precision : e->precision;
    int scale = lt == LT_DECIMAL ? e->lt_scale : e->scale;

    c->ptype = e->type;
    c->type_length = e->type_length;
    c->ts_mul = c->ts_div = 1;
    f->nullable = e->rep == REP_OPTIONAL;
    c->nullable = f->nullable;
    c->max_def = f->nullable ? 1 : 0;
    if (e->rep == REP_REPEATED)
        return SL_EUNSUPPORTED;
    if (dec) {
        if (prec < 1 || prec > 38 || scale < 0 || scale > prec)
            return SL_EUNSUPPORTED;
        if (e->type != PT_INT32 && e->type != PT_INT64 && e->type != PT_FLBA &&
            e->type != PT_BYTE_ARRAY)
            return SL_EUNSUPPORTED;
        if (e->type == PT_FLBA && (e->type_length < 1 || e->type_length > 16))
            return SL_EUNSUPPORTED;
        f->type = BATCH_DECIMAL;
        f->precision = (uint8_t)prec;
        f->scale = (uint8_t)scale;
        return 0;
    }
    switch (e->type) {
    case PT_BOOLEAN:
        f->type = BATCH_BOOL;
        return 0;
    case PT_INT32:
        if ((lt == LT_INTEGER && e->lt_bits == 8 && e->lt_signed) || ct == CT_INT_8)
            f->type = BATCH_INT8;
        else if ((lt == LT_INTEGER && e->lt_bits == 16 && e->lt_signed) || ct == CT_INT_16 ||
                 (lt == LT_INTEGER && e->lt_bits == 8) || ct == CT_UINT_8)
            f->type = BATCH_INT16;
        else if ((lt == LT_INTEGER && !e->lt_signed && e->lt_bits >= 16) || ct == CT_UINT_16 ||
                 ct == CT_UINT_32)
            f->type = BATCH_INT64; /* unsigned: widen through int64 (ts_mul marks it) */
        else if (lt == LT_DATE || ct == CT_DATE)
            f->type = BATCH_DATE;
        else
            f->type = BATCH_INT32;
        if (f->type == BATCH_INT64)
            c->ts_div = -1; /* flag: zero-extend the 32-bit value */
        return 0;
    case PT_INT64:
        if (lt == LT_TIMESTAMP || ct == CT_TIMESTAMP_MICROS || ct == CT_TIMESTAMP_MILLIS) {
            int unit = lt == LT_TIMESTAMP ? e->lt_unit
                                          : (ct == CT_TIMESTAMP_MILLIS ? TU_MILLIS : TU_MICROS);
            f->type = BATCH_TIMESTAMP;
            f->utc_adjusted = lt == LT_TIMESTAMP ? e->lt_utc : true;
            if (unit == TU_MILLIS)
                c->ts_mul = 1000;
            else if (unit == TU_NANOS)
                c->ts_div = 1000;
            return 0;
        }
        f->type = BATCH_INT64;
        return 0;
    case PT_INT96:
        f->type = BATCH_TIMESTAMP;
        f->utc_adjusted = true;
        return 0;
    case PT_FLOAT:
        f->type = BATCH_FLOAT;
        return 0;
    case PT_DOUBLE:
        f->type = BATCH_DOUBLE;
        return 0;
    case PT_BYTE_ARRAY:
        if (lt == LT_JSON || ct == CT_JSON)
            f->type = BATCH_JSON;
        else if (lt == LT_STRING || ct == CT_UTF8 || lt == LT_ENUM || ct == 4)
            f->type = BATCH_STRING;
        else
            f->type = BATCH_BINARY;
        return 0;
    case PT_FLBA:
        if (e->type_length < 1)
            return SL_EUNSUPPORTED;
        f->type = BATCH_BINARY;
        return 0;
    default:
        return SL_EUNSUPPORTED;
    }
}

static int copy_kv(struct parquet_reader *r, struct thrift_r *tr)
{
    uint8_t et, t;
    size_t n;
    int16_t last, id;
    thrift_r_list(tr, &et, &n);
    if (tr->err || et != THRIFT_STRUCT)
        return SL_ECORRUPT;
    r->kv = sl_calloc(n ? 2 * n : 1, sizeof *r->kv);
    if (!r->kv)
        return SL_ENOMEM;
    for (size_t i = 0; i < n && !tr->err; i++) {
        const uint8_t *k = NULL, *v = NULL;
        size_t kn = 0, vn = 0;
        thrift_r_enter(tr);
        last = 0;
        while (thrift_r_field(tr, &last, &id, &t)) {
            if (id == 1 && t == THRIFT_BINARY)
                thrift_r_binary(tr, &k, &kn);
            else if (id == 2 && t == THRIFT_BINARY)
                thrift_r_binary(tr, &v, &vn);
            else
                thrift_r_skip(tr, t);
        }
        thrift_r_leave(tr);
        if (!k)
            continue;
        r->kv[2 * r->nkv] = sl_strndup((const char *)k, kn);
        r->kv[2 * r->nkv + 1] = sl_strndup(v ? (const char *)v : "", vn);
        r->nkv++;
        if (!r->kv[2 * r->nkv - 2] || !r->kv[2 * r->nkv - 1])
            return SL_ENOMEM;
    }
    return tr->err;
}

/* Add leaf e (named prefix.name inside a struct) as column i. */
static int add_leaf(struct parquet_reader *r, size_t i, const struct felem *e,
                    const struct felem *parent, struct sl_err *err)
{
    struct batch_field f = {0};
    char *name = NULL;
    enum batch_type dt;
    int rc;

    if (parent)
        name = sl_malloc(parent->name_len + 1 + e->name_len + 1);
    else
        name = sl_malloc(e->name_len + 1);
    if (!name)
        return sl_err_set(err, SL_ENOMEM, "out of memory reading parquet schema");
    if (parent) {
        memcpy(name, parent->name, parent->name_len);
        name[parent->name_len] = '.';
        memcpy(name + parent->name_len + 1, e->name, e->name_len);
        name[parent->name_len + 1 + e->name_len] = '\0';
    } else {
        memcpy(name, e->name, e->name_len);
        name[e->name_len] = '\0';
    }
    rc = map_leaf(e, &r->cols[i], &f);
    if (rc) {
        sl_err_set(err, rc, "parquet column \"%s\" has an unsupported type", name);
        goto out;
    }
    if (parent) {
        r->cols[i].max_def += parent->rep == REP_OPTIONAL;
        r->cols[i].nullable = f.nullable = r->cols[i].max_def > 0;
    }
    dt = batch_type_width(f.type) == 0 ? BATCH_BINARY : f.type;
    rc = batch_schema_set(&r->schema, i, name, f.type, f.nullable, f.precision, f.scale,
                          f.utc_adjusted);
    if (!rc)
        rc = batch_schema_set(&r->dschema, i, name, dt, f.nullable, f.precision, f.scale,
                              f.utc_adjusted);
    if (rc)
        sl_err_set(err, rc, "out of memory reading parquet schema");
out:
    sl_free(name);
    return rc;
}

/*
 * Parse the schema list: fills r->schema/dschema/cols. Flat columns and
 * one level of structs (a REQUIRED or OPTIONAL group of leaves) are read;
 * a struct's children become columns named "struct.child", NULL where the
 * struct or the child is. Lists, maps and deeper nesting are refused.
 */
static int parse_schema(struct parquet_reader *r, struct thrift_r *tr, struct sl_err *err)
{
    uint8_t et;
    size_t n, nleaf = 0;
    struct felem root, e, group;
    int rc, in_group = 0; /* children of `group` still to come */

    thrift_r_list(tr, &et, &n);
    if (tr->err || et != THRIFT_STRUCT || n < 1)
        return sl_err_set(err, SL_ECORRUPT, "parquet footer: bad schema list");
    parse_schema_elem(tr, &root);
    if (tr->err || root.num_children < 0 || (size_t)root.num_children > n - 1)
        return sl_err_set(err, SL_ECORRUPT, "parquet footer: malformed schema root");
    if ((rc = batch_schema_init(&r->schema, n - 1)) != 0 ||
        (rc = batch_schema_init(&r->dschema, n - 1)) != 0)
        return sl_err_set(err, rc, "out of memory reading parquet schema");
    r->cols = sl_calloc(n, sizeof *r->cols);
    if (!r->cols)
        return sl_err_set(err, SL_ENOMEM, "out of memory reading parquet schema");
    for (size_t i = 0; i + 1 < n; i++) {
        parse_schema_elem(tr, &e);
        if (tr->err)
            return sl_err_set(err, SL_ECORRUPT, "parquet footer: bad schema element %zu", i);
        if (e.has_children && e.num_children > 0) {
            if (in_group || e.rep == REP_REPEATED || e.converted == 1 || e.converted == 3)
                return sl_err_set(err, SL_EUNSUPPORTED, "parquet column \"%.*s\" is a list, "
                                  "a map or nested more than one level; only flat columns and "
                                  "structs of plain columns are read", (int)e.name_len,
                                  e.name ? (const char *)e.name : "");
            group = e;
            in_group = e.num_children;
            continue;
        }
        if (!e.has_type)
            return sl_err_set(err, SL_ECORRUPT, "parquet footer: schema element %zu has no type", i);
        if ((rc = add_leaf(r, nleaf, &e, in_group ? &group : NULL, err)) != 0)
            return rc;
        nleaf++;
        if (in_group)
            in_group--;
    }
    if (in_group)
        return sl_err_set(err, SL_ECORRUPT, "parquet footer: a struct has fewer children than "
                          "it declares");
    /* Unused trailing slots have no names; shrink to the leaves. */
    r->schema.nfields = r->dschema.nfields = nleaf;
    return 0;
}

static int parse_row_groups(struct parquet_reader *r, struct thrift_r *tr, struct sl_err *err)
{
    uint8_t et;
    size_t n;
    thrift_r_list(tr, &et, &n);
    if (tr->err || (n && et != THRIFT_STRUCT))
        return sl_err_set(err, SL_ECORRUPT, "parquet footer: bad row group list");
    r->rgs = sl_calloc(n ? n : 1, sizeof *r->rgs);
    if (!r->rgs)
        return sl_err_set(err, SL_ENOMEM, "out of memory reading parquet footer");
    for (size_t g = 0; g < n; g++) {
        int bad = 0;
        parse_row_group(tr, &r->rgs[g], r->schema.nfields, &bad);
        r->nrgs = g + 1;
        if (bad == SL_ENOMEM)
            return sl_err_set(err, bad, "out of memory reading parquet footer");
        if (bad)
            return sl_err_set(err, bad, "parquet row group %zu is malformed or unsupported", g);
        if (tr->err)
            return sl_err_set(err, SL_ECORRUPT, "parquet footer: bad row group %zu", g);
    }
    return 0;
}

/* Check every chunk range lies in the data area and matches the schema. */
static int check_chunks(struct parquet_reader *r, size_t data_end, struct sl_err *err)
{
    uint64_t total = 0;
    for (size_t g = 0; g < r->nrgs; g++) {
        struct rrg *rg = &r->rgs[g];
        if (!rg->cols)
            return sl_err_set(err, SL_ECORRUPT, "parquet row group %zu has no columns", g);
        if (rg->num_rows > (uint64_t)INT64_MAX || total + rg->num_rows < total)
            return sl_err_set(err, SL_ECORRUPT, "parquet row group %zu: bad row count", g);
        total += rg->num_rows;
        for (size_t i = 0; i < r->schema.nfields; i++) {
            struct rchunk *c = &rg->cols[i];
            int64_t start = c->dict_off > 0 && c->dict_off < c->data_off ? c->dict_off
                                                                          : c->data_off;
            if (!c->has_meta || c->ptype != r->cols[i].ptype)
                return sl_err_set(err, SL_ECORRUPT,
                                  "parquet column \"%s\" in row group %zu: bad metadata",
                                  r->schema.fields[i].name, g);
            if (start < 4 || (uint64_t)start > data_end || c->len > data_end - (uint64_t)start)
                return sl_err_set(err, SL_ECORRUPT,
                                  "parquet column \"%s\" in row group %zu: offsets past the data",
                                  r->schema.fields[i].name, g);
            c->start = (uint64_t)start;
            c->st.codec = c->codec;
            c->st.encodings = c->encodings;
        }
    }
    r->num_rows = total;
    return 0;
}

static int parse_footer(struct parquet_reader *r, struct sl_err *err)
{
    struct thrift_r tr;
    uint32_t flen;
    size_t fstart;
    int16_t last = 0, id;
    uint8_t t;
    int rc;
    bool have_schema = false, have_rgs = false;

    if (r->len < 12 || memcmp(r->data, "PAR1", 4) != 0 ||
        memcmp(r->data + r->len - 4, "PAR1", 4) != 0)
        return sl_err_set(err, SL_ECORRUPT, "not a parquet file (bad magic)");
    memcpy(&flen, r->data + r->len - 8, 4);
    if (flen == 0 || flen > r->len - 12)
        return sl_err_set(err, SL_ECORRUPT, "parquet footer length %u is out of range", flen);
    fstart = r->len - 8 - flen;
    thrift_r_init(&tr, r->data + fstart, flen);
    while (thrift_r_field(&tr, &last, &id, &t)) {
        if (r->kv_only && (id == 2 || id == 4)) {
            thrift_r_skip(&tr, t);
        } else if (id == 2 && t == THRIFT_LIST && !have_schema) {
            if ((rc = parse_schema(r, &tr, err)) != 0)
                return rc;
            have_schema = true;
        } else if (id == 4 && t == THRIFT_LIST && have_schema && !have_rgs) {
            if ((rc = parse_row_groups(r, &tr, err)) != 0)
                return rc;
            have_rgs = true;
        } else if (id == 5 && t == THRIFT_LIST && !r->kv) {
            if ((rc = copy_kv(r, &tr)) != 0)
                return sl_err_set(err, rc, "parquet footer: bad key/value metadata");
        } else if (id == 6 && t == THRIFT_BINARY && !r->created_by) {
            const uint8_t *p;
            size_t n;
            thrift_r_binary(&tr, &p, &n);
            if (!tr.err && !(r->created_by = sl_strndup((const char *)p, n)))
                return sl_err_set(err, SL_ENOMEM, "out of memory reading parquet footer");
        } else {
            thrift_r_skip(&tr, t);
        }
    }
    if (tr.err)
        return sl_err_set(err, SL_ECORRUPT, "parquet footer is malformed");
    if (r->kv_only)
        return 0;
    if (!have_schema || !have_rgs)
        return sl_err_set(err, SL_ECORRUPT, "parquet footer lacks %s",
                          have_schema ? "row groups" : "a schema");
    if (r->schema.nfields == 0)
        return sl_err_set(err, SL_EUNSUPPORTED, "parquet file has no columns");
    return check_chunks(r, fstart, err);
}

static int reader_init(struct parquet_reader *r, struct sl_err *err)
{
    uint64_t cap = (uint64_t)r->len * 256;
    r->mem_cap = cap < MEM_FLOOR ? MEM_FLOOR : cap;
    buf_init(&r->page, 0);
    buf_init(&r->dict, 0);
    buf_init(&r->idx, 0);
    buf_init(&r->dvals, 0);
    buf_init(&r->bools, 0);
    return parse_footer(r, err);
}

int parquet_reader_open_mem(const uint8_t *data, size_t len, struct parquet_reader **out,
                            struct sl_err *err)
{
    struct parquet_reader *r;
    int rc;
    *out = NULL;
    r = sl_calloc(1, sizeof *r);
    if (!r)
        return sl_err_set(err, SL_ENOMEM, "out of memory opening parquet data");
    r->data = data;
    r->len = data ? len : 0;
    if ((rc = reader_init(r, err)) != 0) {
        parquet_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

static int open_file(const char *path, bool kv_only, struct parquet_reader **out,
                     struct sl_err *err)
{
    struct parquet_reader *r = NULL;
    struct stat stbuf;
    int fd, rc;
    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot open \"%s\"", path);
    if (fstat(fd, &stbuf) != 0) {
        rc = sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot stat \"%s\"", path);
        goto out;
    }
    r = sl_calloc(1, sizeof *r);
    if (!r) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory opening \"%s\"", path);
        goto out;
    }
    if (stbuf.st_size > 0) {
        r->map = mmap(NULL, (size_t)stbuf.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (r->map == MAP_FAILED) {
            r->map = NULL;
            rc = sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot map \"%s\"", path);
            goto out;
        }
        r->map_len = (size_t)stbuf.st_size;
        r->data = r->map;
        r->len = r->map_len;
    }
    r->kv_only = kv_only;
    if ((rc = reader_init(r, err)) != 0) {
        sl_err_detail(err, "file \"%s\"", path);
        goto out;
    }
    *out = r;
    r = NULL;
out:
    close(fd);
    parquet_reader_close(r);
    return rc;
}

int parquet_reader_open(const char *path, struct parquet_reader **out, struct sl_err *err)
{
    return open_file(path, false, out, err);
}

int parquet_reader_open_kv(const char *path, struct parquet_reader **out, struct sl_err *err)
{
    return open_file(path, true, out, err);
}

void parquet_reader_close(struct parquet_reader *r)
{
    if (!r)
        return;
    batch_destroy(r->cur);
    if (r->rgs)
        for (size_t g = 0; g < r->nrgs; g++)
            sl_free(r->rgs[g].cols);
    sl_free(r->rgs);
    if (r->kv)
        for (size_t i = 0; i < 2 * r->nkv; i++)
            sl_free(r->kv[i]);
    sl_free(r->kv);
    sl_free(r->created_by);
    sl_free(r->cols);
    batch_schema_free(&r->schema);
    batch_schema_free(&r->dschema);
    buf_free(&r->page);
    buf_free(&r->dict);
    buf_free(&r->idx);
    buf_free(&r->dvals);
    buf_free(&r->bools);
    if (r->map)
        munmap(r->map, r->map_len);
    sl_free(r);
}

const struct batch_schema *parquet_reader_schema(const struct parquet_reader *r)
{
    return &r->schema;
}

uint64_t parquet_reader_num_rows(const struct parquet_reader *r)
{
    return r->num_rows;
}

size_t parquet_reader_num_row_groups(const struct parquet_reader *r)
{
    return r->nrgs;
}

uint64_t parquet_reader_row_group_rows(const struct parquet_reader *r, size_t rg)
{
    return rg < r->nrgs ? r->rgs[rg].num_rows : 0;
}

const char *parquet_reader_kv(const struct parquet_reader *r, const char *key)
{
    for (size_t i = 0; i < r->nkv; i++)
        if (strcmp(r->kv[2 * i], key) == 0)
            return r->kv[2 * i + 1];
    return NULL;
}

const char *parquet_reader_created_by(const struct parquet_reader *r)
{
    return r->created_by;
}

int parquet_reader_column_stats(const struct parquet_reader *r, size_t rg, size_t col,
                                struct parquet_stats *out)
{
    if (rg >= r->nrgs || col >= r->schema.nfields)
        return SL_EINVAL;
    *out = r->rgs[rg].cols[col].st;
    return 0;
}

/* ---- pages ---- */

struct pagehdr {
    int type;
    int32_t unc, comp, nvals, enc;
    int32_t def_len, rep_len;   /* V2 */
    bool is_compressed;         /* V2 */
};

static void parse_data_hdr(struct thrift_r *tr, struct pagehdr *h, bool v2)
{
    int16_t last = 0, id;
    uint8_t t;
    thrift_r_enter(tr);
    while (thrift_r_field(tr, &last, &id, &t)) {
        if (id == 1 && t == THRIFT_I32)
            h->nvals = thrift_r_i32(tr);
        else if (!v2 && id == 2 && t == THRIFT_I32)
            h->enc = thrift_r_i32(tr);
        else if (v2 && id == 4 && t == THRIFT_I32)
            h->enc = thrift_r_i32(tr);
        else if (v2 && id == 5 && t == THRIFT_I32)
            h->def_len = thrift_r_i32(tr);
        else if (v2 && id == 6 && t == THRIFT_I32)
            h->rep_len = thrift_r_i32(tr);
        else if (v2 && id == 7 && (t == THRIFT_TRUE || t == THRIFT_FALSE))
            h->is_compressed = t == THRIFT_TRUE;
        else
            thrift_r_skip(tr, t);
    }
    thrift_r_leave(tr);
}

/* Parse a page header at p[0..avail); *hlen gets its encoded size. */
static int parse_page_header(const uint8_t *p, size_t avail, struct pagehdr *h, size_t *hlen)
{
    struct thrift_r tr;
    int16_t last = 0, id;
    uint8_t t;
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->is_compressed = true;
    thrift_r_init(&tr, p, avail);
    while (thrift_r_field(&tr, &last, &id, &t)) {
        if (id == 1 && t == THRIFT_I32)
            h->type = thrift_r_i32(&tr);
        else if (id == 2 && t == THRIFT_I32)
            h->unc = thrift_r_i32(&tr);
        else if (id == 3 && t == THRIFT_I32)
            h->comp = thrift_r_i32(&tr);
        else if ((id == 5 || id == 7 || id == 8) && t == THRIFT_STRUCT)
            parse_data_hdr(&tr, h, id == 8);
        else
            thrift_r_skip(&tr, t);
    }
    if (tr.err || h->unc < 0 || h->comp < 0 || h->nvals < 0 || h->def_len < 0 || h->rep_len < 0)
        return SL_ECORRUPT;
    *hlen = (size_t)(tr.p - p);
    return 0;
}

/* Body bytes of a page after decompression (borrowed until the next page). */
static int page_bytes(struct parquet_reader *r, int codec, const uint8_t *src, size_t n,
                      size_t unc, struct buf *into, const uint8_t **out)
{
    int rc;
    if (codec == PARQUET_UNCOMPRESSED) {
        if (n != unc)
            return SL_ECORRUPT;
        *out = src;
        return 0;
    }
    if (unc > r->mem_cap)
        return SL_ECORRUPT;
    buf_reset(into);
    if ((rc = buf_reserve(into, unc)) != 0)
        return rc;
    if ((rc = codec_decompress(codec, src, n, into->data, unc)) != 0)
        return rc;
    into->len = unc;
    *out = into->data;
    return 0;
}

struct cursor {
    const uint8_t *p, *end;
    size_t bit;
};

static int plain_next(struct cursor *cu, const struct rcol *c, struct pval *v)
{
    size_t avail = (size_t)(cu->end - cu->p);
    uint32_t u32;
    switch (c->ptype) {
    case PT_BOOLEAN:
        if ((cu->bit >> 3) >= avail)
            return SL_ECORRUPT;
        v->i = (cu->p[cu->bit >> 3] >> (cu->bit & 7)) & 1;
        cu->bit++;
        return 0;
    case PT_INT32:
    case PT_FLOAT:
        if (avail < 4)
            return SL_ECORRUPT;
        memcpy(&u32, cu->p, 4);
        v->i = (int32_t)u32;
        if (c->ptype == PT_FLOAT) {
            float f;
            memcpy(&f, cu->p, 4);
            v->d = f;
        }
        cu->p += 4;
        return 0;
    case PT_INT64:
    case PT_DOUBLE:
        if (avail < 8)
            return SL_ECORRUPT;
        memcpy(&v->i, cu->p, 8);
        memcpy(&v->d, cu->p, 8);
        cu->p += 8;
        return 0;
    case PT_INT96: {
        uint64_t nanos;
        uint32_t jd;
        if (avail < 12)
            return SL_ECORRUPT;
        memcpy(&nanos, cu->p, 8);
        memcpy(&jd, cu->p + 8, 4);
        v->i = ((int64_t)jd - 2440588) * 86400000000LL + (int64_t)(nanos / 1000);
        cu->p += 12;
        return 0;
    }
    case PT_BYTE_ARRAY:
        if (avail < 4)
            return SL_ECORRUPT;
        memcpy(&u32, cu->p, 4);
        if (u32 > avail - 4)
            return SL_ECORRUPT;
        v->p = cu->p + 4;
        v->n = u32;
        cu->p += 4 + (size_t)u32;
        return 0;
    case PT_FLBA:
        if ((size_t)c->type_length > avail || c->type_length < 1)
            return SL_ECORRUPT;
        v->p = cu->p;
        v->n = (size_t)c->type_length;
        cu->p += c->type_length;
        return 0;
    }
    return SL_ECORRUPT;
}

static int store_null(struct parquet_reader *r, size_t ci, size_t row)
{
    struct batch *b = r->cur;
    size_t w = batch_type_width(b->schema->fields[ci].type);
    if (w == 0) {
        b->nrows = row;
        return batch_append_null(b, ci);
    }
    memset((uint8_t *)b->cols[ci].values + row * w, 0, w);
    return 0;
}

static int store(struct parquet_reader *r, size_t ci, size_t row, const struct pval *v)
{
    struct batch *b = r->cur;
    const struct rcol *c = &r->cols[ci];
    void *vals = b->cols[ci].values;
    int64_t t;
    switch (b->schema->fields[ci].type) {
    case BATCH_BOOL:
        ((uint8_t *)vals)[row] = v->i != 0;
        return 0;
    case BATCH_INT8:
        ((int8_t *)vals)[row] = (int8_t)v->i;
        return 0;
    case BATCH_INT16:
        ((int16_t *)vals)[row] = c->ptype == PT_INT32 && c->ts_div == -1 ? (int16_t)(uint8_t)v->i
                                                                         : (int16_t)v->i;
        return 0;
    case BATCH_INT32:
    case BATCH_DATE:
        ((int32_t *)vals)[row] = (int32_t)v->i;
        return 0;
    case BATCH_INT64:
        ((int64_t *)vals)[row] = c->ptype == PT_INT32 && c->ts_div == -1 ? (int64_t)(uint32_t)v->i
                                                                         : v->i;
        return 0;
    case BATCH_TIMESTAMP:
        if (__builtin_mul_overflow(v->i, (int64_t)c->ts_mul, &t))
            return SL_ECORRUPT;
        if (c->ts_div > 1)
            t = t / c->ts_div - (t % c->ts_div < 0); /* floor */
        ((int64_t *)vals)[row] = t;
        return 0;
    case BATCH_FLOAT:
        ((float *)vals)[row] = (float)v->d;
        return 0;
    case BATCH_DOUBLE:
        ((double *)vals)[row] = v->d;
        return 0;
    case BATCH_DECIMAL: {
        __int128 q = 0;
        if (c->ptype == PT_INT32 || c->ptype == PT_INT64) {
            q = v->i;
        } else {
            if (v->n > 16)
                return SL_ECORRUPT;
            if (v->n && (v->p[0] & 0x80))
                q = -1;
            for (size_t k = 0; k < v->n; k++)
                q = (__int128)(((unsigned __int128)q << 8) | v->p[k]);
        }
        ((__int128 *)vals)[row] = q;
        return 0;
    }
    default:
        if (b->cols[ci].data_len + v->n > r->mem_cap)
            return SL_ECORRUPT;
        b->nrows = row;
        return batch_append_bytes(b, ci, v->p, v->n);
    }
}

/* Decode a dictionary page body into r->dvals (pvals pointing into r->dict). */
static int decode_dict(struct parquet_reader *r, const struct rcol *c, const uint8_t *body,
                       size_t n, int32_t count)
{
    struct cursor cu = {body, body + n, 0};
    struct pval *pv;
    int rc;
    if ((size_t)count > n + 1 || c->ptype == PT_BOOLEAN)
        return SL_ECORRUPT; /* every entry takes at least a byte */
    buf_reset(&r->dvals);
    if ((rc = buf_reserve(&r->dvals, (size_t)count * sizeof *pv)) != 0)
        return rc;
    pv = (struct pval *)r->dvals.data;
    for (int32_t i = 0; i < count; i++) {
        memset(&pv[i], 0, sizeof pv[i]);
        if ((rc = plain_next(&cu, c, &pv[i])) != 0)
            return rc;
    }
    r->dvals.len = (size_t)count * sizeof *pv;
    return 0;
}

/*
 * Values of one data page for rows [row0, row0+n) of column ci. lv/lvn are
 * the definition levels (NULL for REQUIRED columns), with_prefix says
 * whether they carry the V1 4-byte length; vp/vn the value bytes.
 */
static int decode_page_values(struct parquet_reader *r, size_t ci, size_t row0, size_t n,
                              const uint8_t *lv, size_t lvn, bool with_prefix, int enc,
                              const uint8_t *vp, size_t vn, size_t *consumed_levels)
{
    const struct rcol *c = &r->cols[ci];
    uint8_t *valid = r->cur->cols[ci].valid;
    struct cursor cu = {vp, vp + vn, 0};
    const struct pval *dict = (const struct pval *)r->dvals.data;
    size_t ndict = r->dvals.len / sizeof(struct pval), nn = n, k = 0;
    const uint32_t *ix = NULL;
    const uint8_t *bl = NULL;
    struct rle_dec d;
    int rc;

    *consumed_levels = 0;
    if (c->nullable) {
        uint32_t len = (uint32_t)lvn;
        if (with_prefix) {
            if (lvn < 4)
                return SL_ECORRUPT;
            memcpy(&len, lv, 4);
            if (len > lvn - 4)
                return SL_ECORRUPT;
            lv += 4;
            *consumed_levels = 4;
        }
        *consumed_levels += len;
        rle_dec_init(&d, lv, len, rle_bit_width((uint32_t)c->max_def));
        if ((rc = rle_dec_u8(&d, valid + row0, n)) != 0)
            return rc;
        nn = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t lvl = valid[row0 + i];
            if (lvl > c->max_def)
                return SL_ECORRUPT;
            valid[row0 + i] = lvl == c->max_def;
            nn += valid[row0 + i];
        }
    }
    if (enc == ENC_RLE_DICTIONARY || enc == ENC_PLAIN_DICTIONARY) {
        if (!dict || ndict == 0) {
            if (nn)
                return SL_ECORRUPT;
        } else {
            if (vn < 1 || vp[0] > 32)
                return SL_ECORRUPT;
            buf_reset(&r->idx);
            if ((rc = buf_reserve(&r->idx, nn * 4)) != 0)
                return rc;
            rle_dec_init(&d, vp + 1, vn - 1, vp[0]);
            if ((rc = rle_dec_u32(&d, (uint32_t *)r->idx.data, nn)) != 0)
                return rc;
            ix = (const uint32_t *)r->idx.data;
        }
    } else if (enc == ENC_RLE && c->ptype == PT_BOOLEAN) {
        uint32_t len;
        if (vn < 4)
            return SL_ECORRUPT;
        memcpy(&len, vp, 4);
        if (len > vn - 4)
            return SL_ECORRUPT;
        buf_reset(&r->bools);
        if ((rc = buf_reserve(&r->bools, nn)) != 0)
            return rc;
        rle_dec_init(&d, vp + 4, len, 1);
        if ((rc = rle_dec_u8(&d, r->bools.data, nn)) != 0)
            return rc;
        bl = r->bools.data;
    } else if (enc != ENC_PLAIN) {
        return SL_EUNSUPPORTED;
    }
    for (size_t i = 0; i < n; i++) {
        struct pval v = {0};
        if (c->nullable && !valid[row0 + i]) {
            rc = store_null(r, ci, row0 + i);
        } else {
            if (ix) {
                if (ix[k] >= ndict)
                    return SL_ECORRUPT;
                v = dict[ix[k]];
            } else if (bl) {
                v.i = bl[k];
            } else if ((rc = plain_next(&cu, c, &v)) != 0) {
                return rc;
            }
            k++;
            rc = store(r, ci, row0 + i, &v);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int decode_data_page(struct parquet_reader *r, size_t ci, const struct rchunk *ch,
                            const struct pagehdr *h, const uint8_t *body, size_t row0)
{
    const uint8_t *bytes;
    size_t used;
    int rc;
    if (h->type == PAGE_DATA) {
        if ((rc = page_bytes(r, ch->codec, body, (size_t)h->comp, (size_t)h->unc, &r->page,
                             &bytes)) != 0)
            return rc;
        if (!r->cols[ci].nullable)
            return decode_page_values(r, ci, row0, (size_t)h->nvals, NULL, 0, false, h->enc,
                                      bytes, (size_t)h->unc, &used);
        /* Levels are parsed first; the values start where they end. */
        {
            size_t lv_len;
            uint32_t len;
            if (h->unc < 4)
                return SL_ECORRUPT;
            memcpy(&len, bytes, 4);
            if (len > (size_t)h->unc - 4)
                return SL_ECORRUPT;
            lv_len = 4 + (size_t)len;
            return decode_page_values(r, ci, row0, (size_t)h->nvals, bytes, lv_len, true,
                                      h->enc, bytes + lv_len, (size_t)h->unc - lv_len, &used);
        }
    }
    /* V2: levels are never compressed; only the values section may be. */
    {
        size_t lv = (size_t)h->def_len + (size_t)h->rep_len;
        const uint8_t *vals;
        size_t vcomp, vunc;
        if (h->rep_len != 0 || lv > (size_t)h->comp || lv > (size_t)h->unc)
            return SL_ECORRUPT;
        vcomp = (size_t)h->comp - lv;
        vunc = (size_t)h->unc - lv;
        if (h->is_compressed && ch->codec != PARQUET_UNCOMPRESSED) {
            if ((rc = page_bytes(r, ch->codec, body + lv, vcomp, vunc, &r->page, &vals)) != 0)
                return rc;
        } else {
            if (vcomp != vunc)
                return SL_ECORRUPT;
            vals = body + lv;
        }
        return decode_page_values(r, ci, row0, (size_t)h->nvals, r->cols[ci].nullable ? body : NULL,
                                  (size_t)h->def_len, false, h->enc, vals, vunc, &used);
    }
}

static int decode_chunk(struct parquet_reader *r, size_t g, size_t ci, struct sl_err *err)
{
    const struct rchunk *ch = &r->rgs[g].cols[ci];
    const uint8_t *p = r->data + ch->start, *end = p + ch->len;
    uint64_t rows = r->rgs[g].num_rows, filled = 0;
    const char *name = r->schema.fields[ci].name;
    int rc = 0;

    buf_reset(&r->dvals);
    while (filled < rows) {
        struct pagehdr h;
        size_t hlen;
        const uint8_t *body, *dbytes;
        if (p >= end) {
            rc = SL_ECORRUPT;
            break;
        }
        if ((rc = parse_page_header(p, (size_t)(end - p), &h, &hlen)) != 0)
            break;
        body = p + hlen;
        if ((size_t)h.comp > (size_t)(end - body)) {
            rc = SL_ECORRUPT;
            break;
        }
        if (h.type == PAGE_DICTIONARY) {
            if ((rc = page_bytes(r, ch->codec, body, (size_t)h.comp, (size_t)h.unc, &r->dict,
                                 &dbytes)) != 0 ||
                (rc = decode_dict(r, &r->cols[ci], dbytes, (size_t)h.unc, h.nvals)) != 0)
                break;
        } else if (h.type == PAGE_DATA || h.type == PAGE_DATA_V2) {
            if ((uint64_t)h.nvals > rows - filled) {
                rc = SL_ECORRUPT;
                break;
            }
            if ((rc = decode_data_page(r, ci, ch, &h, body, (size_t)filled)) != 0)
                break;
            filled += (uint64_t)h.nvals;
        }
        p = body + h.comp;
    }
    if (rc == SL_EUNSUPPORTED)
        return sl_err_set(err, rc, "parquet column \"%s\" uses an unsupported encoding", name);
    if (rc == SL_ENOMEM)
        return sl_err_set(err, rc, "out of memory reading parquet column \"%s\"", name);
    if (rc)
        return sl_err_set(err, rc, "parquet column \"%s\" in row group %zu is corrupt", name, g);
    return 0;
}

static int decode_row_group(struct parquet_reader *r, size_t g, struct sl_err *err)
{
    uint64_t rows = r->rgs[g].num_rows, per_row = 0;
    int rc;
    for (size_t i = 0; i < r->dschema.nfields; i++) {
        size_t w = batch_type_width(r->dschema.fields[i].type);
        per_row += (w ? w : 8) + 1;
    }
    batch_destroy(r->cur);
    r->cur = NULL;
    if (rows > r->mem_cap / per_row)
        return sl_err_set(err, SL_ECORRUPT, "parquet row group %zu claims %llu rows", g,
                          (unsigned long long)rows);
    r->cur = batch_new(&r->dschema, (size_t)rows, (size_t)r->mem_cap);
    if (!r->cur)
        return sl_err_set(err, SL_ENOMEM, "out of memory reading parquet row group %zu", g);
    for (size_t i = 0; i < r->dschema.nfields; i++) {
        if ((rc = decode_chunk(r, g, i, err)) != 0) {
            batch_destroy(r->cur);
            r->cur = NULL;
            return rc;
        }
    }
    r->cur->nrows = (size_t)rows;
    return 0;
}

/* How many of the next n rows fit b's var-len budget (at least 1 if b is empty). */
static size_t fit_rows(const struct parquet_reader *r, const struct batch *b, size_t n)
{
    size_t bytes = 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < r->dschema.nfields; i++) {
            const uint64_t *o = r->cur->cols[i].offsets;
            if (o)
                bytes += (size_t)(o[r->cur_row + k + 1] - o[r->cur_row + k]);
        }
        if (b->var_bytes + bytes > b->var_budget)
            return k == 0 && b->nrows == 0 ? 1 : k;
    }
    return n;
}

static int copy_rows(struct parquet_reader *r, struct batch *b, size_t n)
{
    size_t base = b->nrows, src = r->cur_row;
    int rc = 0;
    for (size_t i = 0; i < r->schema.nfields && !rc; i++) {
        const struct batch_column *sc = &r->cur->cols[i];
        enum batch_type t = r->schema.fields[i].type;
        size_t w = batch_type_width(t);
        if (w) {
            memcpy((uint8_t *)b->cols[i].values + base * w, (const uint8_t *)sc->values + src * w,
                   n * w);
            if (sc->valid)
                memcpy(b->cols[i].valid + base, sc->valid + src, n);
            continue;
        }
        for (size_t k = 0; k < n && !rc; k++) {
            size_t len;
            const uint8_t *p = batch_get_bytes(r->cur, i, src + k, &len);
            b->nrows = base + k;
            if (sc->valid && !sc->valid[src + k])
                rc = batch_append_null(b, i);
            else if (t == BATCH_BINARY)
                rc = batch_append_bytes(b, i, p, len);
            else
                rc = batch_append_str(b, i, (const char *)p, len);
        }
    }
    b->nrows = base + (rc ? 0 : n);
    return rc;
}

int parquet_reader_read(struct parquet_reader *r, struct batch *b, struct sl_err *err)
{
    int rc;
    batch_reset(b);
    if (b->schema->nfields != r->schema.nfields)
        return sl_err_set(err, SL_EINVAL, "batch does not match the parquet schema");
    for (size_t i = 0; i < r->schema.nfields; i++)
        if (b->schema->fields[i].type != r->schema.fields[i].type ||
            b->schema->fields[i].nullable != r->schema.fields[i].nullable)
            return sl_err_set(err, SL_EINVAL, "batch column %zu does not match \"%s\"", i,
                              r->schema.fields[i].name);
    while (b->nrows < b->capacity && b->var_bytes < b->var_budget) {
        size_t n;
        if (!r->cur || r->cur_row >= r->cur->nrows) {
            while (r->next_rg < r->nrgs && r->rgs[r->next_rg].num_rows == 0)
                r->next_rg++;
            if (r->next_rg >= r->nrgs)
                break;
            if ((rc = decode_row_group(r, r->next_rg++, err)) != 0)
                return rc;
            r->cur_row = 0;
            continue;
        }
        n = b->capacity - b->nrows;
        if (n > r->cur->nrows - r->cur_row)
            n = r->cur->nrows - r->cur_row;
        n = fit_rows(r, b, n);
        if (n == 0)
            break;
        if ((rc = copy_rows(r, b, n)) != 0)
            return sl_err_set(err, rc, "out of memory reading parquet rows");
        r->cur_row += n;
    }
    return (int)b->nrows;
}
