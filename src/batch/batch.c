/*
 * batch: columnar batch of rows. See batch.h for the contract.
 *
 * Owns: the schema's field names (batch_schema_*), and every array of a
 * batch. Leaves to callers: deciding when to hand a batch over (batch_full)
 * and what the values mean.
 *
 * Invariants: every column holds exactly nrows finished values; appends
 * write at index nrows, so a row is "open" until batch_end_row. For var-len
 * columns offsets[i+1] - offsets[i] is the length of row i (0 for NULL),
 * offsets[0] == 0 and data_len == offsets[nrows] after batch_end_row. NULL
 * fixed-width slots hold zero bytes, so sinks may read them blindly.
 */
#include "batch.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <string.h>

/* One value may not exceed what a Parquet BYTE_ARRAY can hold. */
#define BATCH_VALUE_MAX ((size_t)INT32_MAX)

int batch_schema_init(struct batch_schema *s, size_t nfields)
{
    s->nfields = 0;
    s->fields = NULL;
    if (nfields == 0)
        return 0;
    s->fields = sl_calloc(nfields, sizeof *s->fields);
    if (!s->fields)
        return SL_ENOMEM;
    s->nfields = nfields;
    return 0;
}

int batch_schema_set(struct batch_schema *s, size_t i, const char *name, enum batch_type type,
                     bool nullable, uint8_t precision, uint8_t scale, bool utc_adjusted)
{
    struct batch_field *f;
    char *copy;
    if (i >= s->nfields || !name || type < BATCH_BOOL || type > BATCH_BINARY)
        return SL_EINVAL;
    copy = sl_strdup(name);
    if (!copy)
        return SL_ENOMEM;
    f = &s->fields[i];
    sl_free(f->name);
    f->name = copy;
    f->type = type;
    f->nullable = nullable;
    f->precision = precision;
    f->scale = scale;
    f->utc_adjusted = utc_adjusted;
    return 0;
}

void batch_schema_free(struct batch_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfields; i++)
        sl_free(s->fields[i].name);
    sl_free(s->fields);
    s->fields = NULL;
    s->nfields = 0;
}

size_t batch_type_width(enum batch_type t)
{
    switch (t) {
    case BATCH_BOOL:
    case BATCH_INT8:
        return 1;
    case BATCH_INT16:
        return 2;
    case BATCH_INT32:
    case BATCH_FLOAT:
    case BATCH_DATE:
        return 4;
    case BATCH_INT64:
    case BATCH_DOUBLE:
    case BATCH_TIMESTAMP:
        return 8;
    case BATCH_DECIMAL:
        return sizeof(__int128);
    case BATCH_STRING:
    case BATCH_JSON:
    case BATCH_BINARY:
        return 0;
    }
    return 0;
}

static bool is_varlen(enum batch_type t)
{
    return t == BATCH_STRING || t == BATCH_JSON || t == BATCH_BINARY;
}

struct batch *batch_new(const struct batch_schema *schema, size_t capacity, size_t var_budget)
{
    struct batch *b;
    if (!schema || capacity == 0 || capacity > SIZE_MAX / 32)
        return NULL;
    b = sl_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->schema = schema;
    b->capacity = capacity;
    b->var_budget = var_budget ? var_budget : (size_t)64 << 20;
    if (schema->nfields) {
        b->cols = sl_calloc(schema->nfields, sizeof *b->cols);
        if (!b->cols)
            goto fail;
    }
    for (size_t i = 0; i < schema->nfields; i++) {
        const struct batch_field *f = &schema->fields[i];
        struct batch_column *c = &b->cols[i];
        if (is_varlen(f->type)) {
            c->offsets = sl_calloc(capacity + 1, sizeof *c->offsets);
            if (!c->offsets)
                goto fail;
        } else {
            c->values = sl_calloc(capacity, batch_type_width(f->type));
            if (!c->values)
                goto fail;
        }
        if (f->nullable) {
            c->valid = sl_calloc(capacity, 1);
            if (!c->valid)
                goto fail;
        }
    }
    return b;
fail:
    batch_destroy(b);
    return NULL;
}

void batch_destroy(struct batch *b)
{
    if (!b)
        return;
    if (b->cols) {
        for (size_t i = 0; i < b->schema->nfields; i++) {
            sl_free(b->cols[i].values);
            sl_free(b->cols[i].valid);
            sl_free(b->cols[i].offsets);
            sl_free(b->cols[i].data);
        }
    }
    sl_free(b->cols);
    sl_free(b);
}

void batch_reset(struct batch *b)
{
    b->nrows = 0;
    b->var_bytes = 0;
    for (size_t i = 0; i < b->schema->nfields; i++) {
        b->cols[i].data_len = 0;
        if (b->cols[i].offsets)
            b->cols[i].offsets[0] = 0;
    }
}

bool batch_full(const struct batch *b)
{
    return b->nrows >= b->capacity || b->var_bytes >= b->var_budget;
}

/* Common entry check: the column exists, the row is open, the type fits. */
static int slot(struct batch *b, size_t col, struct batch_column **c)
{
    if (col >= b->schema->nfields || b->nrows >= b->capacity)
        return b->nrows >= b->capacity ? SL_ELIMIT : SL_EINVAL;
    *c = &b->cols[col];
    return 0;
}

int batch_append_null(struct batch *b, size_t col)
{
    struct batch_column *c;
    const struct batch_field *f;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    f = &b->schema->fields[col];
    if (!f->nullable)
        return SL_EINVAL;
    c->valid[b->nrows] = 0;
    if (c->offsets)
        c->offsets[b->nrows + 1] = c->data_len;
    else
        memset((uint8_t *)c->values + b->nrows * batch_type_width(f->type), 0,
               batch_type_width(f->type));
    return 0;
}

static void mark_valid(struct batch *b, struct batch_column *c)
{
    if (c->valid)
        c->valid[b->nrows] = 1;
}

int batch_append_bool(struct batch *b, size_t col, bool v)
{
    struct batch_column *c;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    if (b->schema->fields[col].type != BATCH_BOOL)
        return SL_EINVAL;
    ((uint8_t *)c->values)[b->nrows] = v ? 1 : 0;
    mark_valid(b, c);
    return 0;
}

int batch_append_int(struct batch *b, size_t col, int64_t v)
{
    struct batch_column *c;
    size_t r = b->nrows;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    switch (b->schema->fields[col].type) {
    case BATCH_INT8:
        if (v < INT8_MIN || v > INT8_MAX)
            return SL_ECONVERT;
        ((int8_t *)c->values)[r] = (int8_t)v;
        break;
    case BATCH_INT16:
        if (v < INT16_MIN || v > INT16_MAX)
            return SL_ECONVERT;
        ((int16_t *)c->values)[r] = (int16_t)v;
        break;
    case BATCH_INT32:
    case BATCH_DATE:
        if (v < INT32_MIN || v > INT32_MAX)
            return SL_ECONVERT;
        ((int32_t *)c->values)[r] = (int32_t)v;
        break;
    case BATCH_INT64:
    case BATCH_TIMESTAMP:
        ((int64_t *)c->values)[r] = v;
        break;
    default:
        return SL_EINVAL;
    }
    mark_valid(b, c);
    return 0;
}

int batch_append_double(struct batch *b, size_t col, double v)
{
    struct batch_column *c;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    if (b->schema->fields[col].type == BATCH_FLOAT)
        ((float *)c->values)[b->nrows] = (float)v;
    else if (b->schema->fields[col].type == BATCH_DOUBLE)
        ((double *)c->values)[b->nrows] = v;
    else
        return SL_EINVAL;
    mark_valid(b, c);
    return 0;
}

/* True when |v| < 10^precision: a value with more digits than its column
 * declares would make readers print garbage statistics, so it is refused. */
static bool decimal_fits(__int128 v, uint8_t precision)
{
    unsigned __int128 mag = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    unsigned __int128 limit = 1;
    for (uint8_t i = 0; i < precision && i < 38; i++)
        limit *= 10;
    return mag < limit;
}

int batch_append_decimal(struct batch *b, size_t col, __int128 unscaled)
{
    struct batch_column *c;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    if (b->schema->fields[col].type != BATCH_DECIMAL)
        return SL_EINVAL;
    if (!decimal_fits(unscaled, b->schema->fields[col].precision))
        return SL_ECONVERT;
    ((__int128 *)c->values)[b->nrows] = unscaled;
    mark_valid(b, c);
    return 0;
}

int batch_append_date(struct batch *b, size_t col, int32_t days)
{
    if (col < b->schema->nfields && b->schema->fields[col].type != BATCH_DATE)
        return SL_EINVAL;
    return batch_append_int(b, col, days);
}

int batch_append_timestamp(struct batch *b, size_t col, int64_t micros)
{
    if (col < b->schema->nfields && b->schema->fields[col].type != BATCH_TIMESTAMP)
        return SL_EINVAL;
    return batch_append_int(b, col, micros);
}

/* Make room for n more var-len bytes in c (geometric growth). */
static int reserve_data(struct batch_column *c, size_t n)
{
    size_t need, cap;
    uint8_t *p;
    if (n > BATCH_VALUE_MAX || c->data_len > SIZE_MAX / 2 - n)
        return SL_ELIMIT;
    need = c->data_len + n;
    if (need <= c->data_cap)
        return 0;
    cap = c->data_cap ? c->data_cap : 4096;
    while (cap < need)
        cap *= 2;
    p = sl_realloc(c->data, cap);
    if (!p)
        return SL_ENOMEM;
    c->data = p;
    c->data_cap = cap;
    return 0;
}

static int append_var(struct batch *b, size_t col, const void *p, size_t n)
{
    struct batch_column *c = &b->cols[col];
    int rc = reserve_data(c, n);
    if (rc)
        return rc;
    if (n)
        memcpy(c->data + c->data_len, p, n);
    c->data_len += n;
    c->offsets[b->nrows + 1] = c->data_len;
    b->var_bytes += n;
    mark_valid(b, c);
    return 0;
}

int batch_append_str(struct batch *b, size_t col, const char *s, size_t n)
{
    struct batch_column *c;
    struct buf fixed;
    enum batch_type t;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    t = b->schema->fields[col].type;
    if (t != BATCH_STRING && t != BATCH_JSON)
        return SL_EINVAL;
    if (utf8_valid((const uint8_t *)s, n))
        return append_var(b, col, s, n);
    /* Rare path: repair into a scratch buffer, then copy. */
    buf_init(&fixed, 0);
    rc = utf8_repair(&fixed, (const uint8_t *)s, n);
    if (rc == 0)
        rc = append_var(b, col, fixed.data, fixed.len);
    buf_free(&fixed);
    return rc;
}

int batch_append_str_valid(struct batch *b, size_t col, const char *s, size_t n)
{
    struct batch_column *c;
    enum batch_type t;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    t = b->schema->fields[col].type;
    if (t != BATCH_STRING && t != BATCH_JSON)
        return SL_EINVAL;
    return append_var(b, col, s, n);
}

int batch_append_utf16le(struct batch *b, size_t col, const uint8_t *p, size_t nbytes)
{
    struct batch_column *c;
    enum batch_type t;
    size_t n;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    t = b->schema->fields[col].type;
    if (t != BATCH_STRING && t != BATCH_JSON)
        return SL_EINVAL;
    if (nbytes / 2 > (BATCH_VALUE_MAX - 3) / 3) {
        /* Too big to reserve the worst case: convert aside, then copy. */
        struct buf tmp;
        buf_init(&tmp, BATCH_VALUE_MAX);
        rc = utf16le_to_utf8(&tmp, p, nbytes);
        if (!rc)
            rc = append_var(b, col, tmp.data, tmp.len);
        buf_free(&tmp);
        return rc;
    }
    rc = reserve_data(c, UTF16_TO_UTF8_MAX(nbytes));
    if (rc)
        return rc;
    n = utf16le_to_utf8_raw(c->data + c->data_len, p, nbytes);
    c->data_len += n;
    c->offsets[b->nrows + 1] = c->data_len;
    b->var_bytes += n;
    mark_valid(b, c);
    return 0;
}

int batch_append_bytes(struct batch *b, size_t col, const void *p, size_t n)
{
    struct batch_column *c;
    int rc = slot(b, col, &c);
    if (rc)
        return rc;
    if (b->schema->fields[col].type != BATCH_BINARY)
        return SL_EINVAL;
    return append_var(b, col, p, n);
}

void batch_end_row(struct batch *b)
{
    if (b->nrows < b->capacity)
        b->nrows++;
}

bool batch_is_null(const struct batch *b, size_t col, size_t row)
{
    const struct batch_column *c = &b->cols[col];
    return c->valid && !c->valid[row];
}

int64_t batch_get_int(const struct batch *b, size_t col, size_t row)
{
    const void *v = b->cols[col].values;
    switch (b->schema->fields[col].type) {
    case BATCH_BOOL:
        return ((const uint8_t *)v)[row];
    case BATCH_INT8:
        return ((const int8_t *)v)[row];
    case BATCH_INT16:
        return ((const int16_t *)v)[row];
    case BATCH_INT32:
    case BATCH_DATE:
        return ((const int32_t *)v)[row];
    case BATCH_INT64:
    case BATCH_TIMESTAMP:
        return ((const int64_t *)v)[row];
    case BATCH_DECIMAL:
        return (int64_t)((const __int128 *)v)[row];
    default:
        return 0;
    }
}

double batch_get_double(const struct batch *b, size_t col, size_t row)
{
    const void *v = b->cols[col].values;
    if (b->schema->fields[col].type == BATCH_FLOAT)
        return ((const float *)v)[row];
    if (b->schema->fields[col].type == BATCH_DOUBLE)
        return ((const double *)v)[row];
    return (double)batch_get_int(b, col, row);
}

__int128 batch_get_decimal(const struct batch *b, size_t col, size_t row)
{
    if (b->schema->fields[col].type == BATCH_DECIMAL)
        return ((const __int128 *)b->cols[col].values)[row];
    return batch_get_int(b, col, row);
}

bool batch_get_bool(const struct batch *b, size_t col, size_t row)
{
    return batch_get_int(b, col, row) != 0;
}

const uint8_t *batch_get_bytes(const struct batch *b, size_t col, size_t row, size_t *len)
{
    const struct batch_column *c = &b->cols[col];
    if (!c->offsets) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)(c->offsets[row + 1] - c->offsets[row]);
    return c->data ? c->data + c->offsets[row] : (const uint8_t *)"";
}
