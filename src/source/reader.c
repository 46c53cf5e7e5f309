/*
 * reader: see reader.h.
 *
 * Memory per reader: the bound arrays (rowset × sum of bound widths, kept
 * under bind_budget by shrinking the rowset), one batch (batch_rows rows
 * plus about var_budget bytes of strings), and two scratch buffers for
 * values read with SQLGetData (each at most value_limit bytes, reused).
 */
#include "source/reader.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/civil.h"
#include "core/mem.h"
#include "source/odbc.h"

#define READER_DEFAULT_ROWS 4096
#define READER_DEFAULT_BIND (32u << 20)
#define READER_DEFAULT_VALUE (256u << 20)
#define READER_FIXED_TEXT 64 /* limit for text forms of fixed types read by SQLGetData */

struct rcol {
    struct typemap_col tm;
    enum odbc_ctype ct;
    size_t width; /* element size of the bound array */
    bool bound;
    uint8_t *values;
    int64_t *ind;
};

struct reader {
    struct odbc_stmt *stmt;
    struct batch_schema schema;
    struct batch *batch;
    struct rcol *cols;
    size_t ncols;
    size_t rowset;
    size_t fetched, pos; /* rows in the current rowset, next one to convert */
    size_t rows;         /* rows delivered */
    bool done;
    struct buf value; /* raw bytes of one value read with SQLGetData */
};

static enum odbc_ctype ctype_for(enum typemap_kind k)
{
    switch (k) {
    case TM_BIT:
    case TM_TINYINT:
    case TM_SMALLINT:
    case TM_INT:
    case TM_BIGINT: return ODBC_C_SBIGINT;
    case TM_REAL: return ODBC_C_FLOAT;
    case TM_FLOAT: return ODBC_C_DOUBLE;
    case TM_DATE: return ODBC_C_DATE;
    case TM_DECIMAL:
    case TM_DATETIME:
    case TM_DATETIMEOFFSET:
    case TM_TIME: return ODBC_C_CHAR;
    case TM_GUID: return ODBC_C_BINARY; /* 16 bytes, formatted here: no text round trip */
    case TM_CHAR:
    case TM_NCHAR:
    case TM_TEXTFORM: return ODBC_C_WCHAR;
    case TM_BINARY:
    case TM_ROWVERSION: return ODBC_C_BINARY;
    }
    return ODBC_C_BINARY;
}

static size_t fixed_width(enum odbc_ctype ct)
{
    switch (ct) {
    case ODBC_C_SBIGINT: return sizeof(int64_t);
    case ODBC_C_DOUBLE: return sizeof(double);
    case ODBC_C_FLOAT: return sizeof(float);
    case ODBC_C_DATE: return sizeof(struct odbc_date);
    default: return 0;
    }
}

static int conv_err(struct reader *r, size_t col, const char *what, const uint8_t *p, size_t n,
                    struct sl_err *err)
{
    const struct rcol *c = &r->cols[col];
    int shown = (int)(n > 64 ? 64 : n);

    sl_err_set(err, SL_ECONVERT, "column \"%s\" row %zu: cannot convert %s value \"%.*s\"",
               r->schema.fields[col].name, r->rows + r->batch->nrows + 1, c->tm.sql_name, shown,
               p ? (const char *)p : "");
    sl_err_detail(err, "%s", what);
    return SL_ECONVERT;
}

/* Append one non-NULL value given as raw C data p[0..n) to column col. */
static int append_value(struct reader *r, size_t col, const uint8_t *p, size_t n,
                        struct sl_err *err)
{
    struct rcol *c = &r->cols[col];
    struct batch *b = r->batch;
    int64_t i64, micros;
    int32_t days;
    __int128 dec;
    double d;
    float f;
    char text[40];
    int ret = 0;

    switch (c->tm.kind) {
    case TM_BIT:
    case TM_TINYINT:
    case TM_SMALLINT:
    case TM_INT:
    case TM_BIGINT:
        memcpy(&i64, p, sizeof(i64));
        ret = c->tm.kind == TM_BIT ? batch_append_bool(b, col, i64 != 0)
                                   : batch_append_int(b, col, i64);
        break;
    case TM_REAL:
        memcpy(&f, p, sizeof(f));
        ret = batch_append_double(b, col, (double)f);
        break;
    case TM_FLOAT:
        memcpy(&d, p, sizeof(d));
        ret = batch_append_double(b, col, d);
        break;
    case TM_DATE: {
        struct odbc_date dt;
        memcpy(&dt, p, sizeof(dt));
        days = (int32_t)civil_days_from(dt.year, dt.month, dt.day);
        ret = batch_append_date(b, col, days);
        break;
    }
    case TM_DECIMAL:
        if (typemap_parse_decimal((const char *)p, n, c->tm.precision, c->tm.scale, &dec))
            return conv_err(r, col, "not an exact decimal of the declared precision and scale",
                            p, n, err);
        ret = batch_append_decimal(b, col, dec);
        break;
    case TM_DATETIME:
    case TM_DATETIMEOFFSET:
        if (typemap_parse_datetime((const char *)p, n, c->tm.kind == TM_DATETIMEOFFSET, &micros))
            return conv_err(r, col, "unexpected date/time text from the driver", p, n, err);
        ret = batch_append_timestamp(b, col, micros);
        break;
    case TM_TIME:
        if (typemap_parse_time((const char *)p, n, text))
            return conv_err(r, col, "unexpected time text from the driver", p, n, err);
        ret = batch_append_str_valid(b, col, text, 16);
        break;
    case TM_GUID:
        if (n != 16)
            return conv_err(r, col, "a uniqueidentifier must be 16 bytes", NULL, 0, err);
        typemap_format_guid(p, text);
        ret = batch_append_str_valid(b, col, text, 36);
        break;
    case TM_CHAR:
    case TM_NCHAR:
    case TM_TEXTFORM:
        ret = batch_append_utf16le(b, col, p, n);
        break;
    case TM_BINARY:
        ret = batch_append_bytes(b, col, p, n);
        break;
    case TM_ROWVERSION:
        if (n != 8)
            return conv_err(r, col, "a rowversion must be 8 bytes", NULL, 0, err);
        ret = batch_append_int(b, col, typemap_rowversion(p));
        break;
    }
    if (ret)
        sl_err_set(err, ret, "column \"%s\": cannot append to the batch",
                   r->schema.fields[col].name);
    return ret;
}

/* Column col of row `row` of the bound arrays. */
static int convert_bound(struct reader *r, size_t col, size_t row, struct sl_err *err)
{
    struct rcol *c = &r->cols[col];
    int64_t ind = c->ind[row];
    const uint8_t *p = c->values + row * c->width;
    size_t term = c->ct == ODBC_C_WCHAR ? 2 : c->ct == ODBC_C_CHAR ? 1 : 0;
    size_t n = fixed_width(c->ct);

    if (ind == ODBC_NULL_DATA)
        return batch_append_null(r->batch, col);
    if (!n) {
        /* Buffers hold the declared maximum; a longer value means the
         * metadata was wrong. Refuse rather than truncate. */
        if (ind < 0 || (size_t)ind + term > c->width)
            return conv_err(r, col, "value longer than the declared type", NULL, 0, err);
        n = (size_t)ind;
    }
    return append_value(r, col, p, n, err);
}

/* Column col of the current row, read with SQLGetData. */
static int convert_getdata(struct reader *r, size_t col, struct sl_err *err)
{
    struct rcol *c = &r->cols[col];
    size_t n = fixed_width(c->ct);
    uint8_t fixed[16];
    int64_t ind = 0;
    bool is_null = false;
    int ret;

    if (n) {
        ret = odbc_stmt_get_fixed(r->stmt, col, c->ct, fixed, sizeof(fixed), &ind, err);
        if (ret)
            return ret;
        if (ind == ODBC_NULL_DATA)
            return batch_append_null(r->batch, col);
        return append_value(r, col, fixed, n, err);
    }
    buf_reset(&r->value);
    ret = odbc_stmt_get_data(r->stmt, col, c->ct, &r->value, &is_null, err);
    if (ret)
        return ret;
    if (is_null)
        return batch_append_null(r->batch, col);
    return append_value(r, col, r->value.data ? r->value.data : (const uint8_t *)"", r->value.len,
                        err);
}

static int convert_row(struct reader *r, size_t row, struct sl_err *err)
{
    int ret = 0;

    for (size_t i = 0; !ret && i < r->ncols; i++)
        ret = r->cols[i].bound ? convert_bound(r, i, row, err) : convert_getdata(r, i, err);
    if (!ret)
        batch_end_row(r->batch);
    else if (err && err->code == 0)
        sl_err_set(err, ret, "column \"%s\": cannot append to the batch",
                   r->schema.fields[0].name);
    return ret;
}

/* Decide bound vs SQLGetData columns and the rowset size; bind. */
static int setup_binding(struct reader *r, const struct reader_options *opt, size_t batch_rows,
                         struct sl_err *err)
{
    size_t budget = opt && opt->bind_budget ? opt->bind_budget : READER_DEFAULT_BIND;
    size_t row_width = 0, nbound = 0;
    int ret = 0;

    for (size_t i = 0; i < r->ncols; i++) {
        struct rcol *c = &r->cols[i];
        c->ct = ctype_for(c->tm.kind);
        c->width = fixed_width(c->ct) ? fixed_width(c->ct) : typemap_bind_width(&c->tm);
        if (nbound == i && !c->tm.unbounded && c->width != 0) {
            c->bound = true;
            row_width += c->width + sizeof(int64_t);
            nbound++;
        }
    }
    r->rowset = nbound < r->ncols ? 1 : batch_rows;
    if (row_width && r->rowset > budget / row_width)
        r->rowset = budget / row_width ? budget / row_width : 1;
    if (r->rowset > 1)
        ret = odbc_stmt_set_rowset(r->stmt, r->rowset, err);
    for (size_t i = 0; !ret && i < nbound; i++) {
        struct rcol *c = &r->cols[i];
        c->values = sl_calloc(r->rowset, c->width);
        c->ind = sl_calloc(r->rowset, sizeof(int64_t));
        if (!c->values || !c->ind) {
            ret = sl_err_set(err, SL_ENOMEM, "out of memory binding column \"%s\"",
                             r->schema.fields[i].name);
            break;
        }
        ret = odbc_stmt_bind_col(r->stmt, i, c->ct, c->values, c->width, c->ind, err);
    }
    return ret;
}

static int build_schema(struct reader *r, const struct reader_column *cols, struct sl_err *err)
{
    int ret = batch_schema_init(&r->schema, r->ncols);

    for (size_t i = 0; !ret && i < r->ncols; i++) {
        const struct typemap_col *t = &cols[i].tm;
        r->cols[i].tm = *t;
        ret = batch_schema_set(&r->schema, i, cols[i].name, t->type, t->nullable, t->precision,
                               t->scale, t->utc_adjusted);
    }
    if (ret)
        sl_err_set(err, ret, "cannot build the batch schema");
    return ret;
}

int reader_open(struct odbc_stmt *stmt, const char *sql, const struct reader_column *cols,
                size_t ncols, const struct reader_options *opt, struct reader **out,
                struct sl_err *err)
{
    struct reader *r = NULL;
    size_t rows = opt && opt->batch_rows ? opt->batch_rows : READER_DEFAULT_ROWS;
    size_t value_limit = opt && opt->value_limit ? opt->value_limit : READER_DEFAULT_VALUE;
    size_t got = 0;
    int ret = 0;

    *out = NULL;
    r = sl_calloc(1, sizeof(*r));
    if (r)
        r->cols = sl_calloc(ncols ? ncols : 1, sizeof(*r->cols));
    if (!r || !r->cols) {
        ret = sl_err_set(err, SL_ENOMEM, "out of memory opening a reader");
        goto out;
    }
    r->stmt = stmt;
    r->ncols = ncols;
    buf_init(&r->value, value_limit);
    ret = build_schema(r, cols, err);
    if (ret)
        goto out;
    r->batch = batch_new(&r->schema, rows, opt ? opt->var_budget : 0);
    if (!r->batch) {
        ret = sl_err_set(err, SL_ENOMEM, "out of memory allocating a batch of %zu rows", rows);
        goto out;
    }
    ret = sql ? odbc_stmt_exec(stmt, sql, err) : 0;
    if (!ret)
        ret = odbc_stmt_ncols(stmt, &got, err);
    if (!ret && got != ncols) {
        ret = sl_err_set(err, SL_ESTATE, "query returned %zu columns, expected %zu", got, ncols);
        sl_err_hint(err, "the table changed while sluice read it; the next run rediscovers it");
    }
    if (!ret)
        ret = setup_binding(r, opt, rows, err);
    if (ret)
        goto out;
    *out = r;
    r = NULL;
out:
    reader_destroy(r);
    return ret;
}

const struct batch_schema *reader_schema(const struct reader *r)
{
    return &r->schema;
}

size_t reader_rows(const struct reader *r)
{
    return r->rows;
}

int reader_next(struct reader *r, struct batch **out, struct sl_err *err)
{
    int ret = 0;

    *out = NULL;
    batch_reset(r->batch);
    while (!ret && !batch_full(r->batch)) {
        if (r->pos == r->fetched) {
            if (r->done)
                break;
            r->pos = 0;
            ret = odbc_stmt_fetch(r->stmt, &r->fetched, err);
            if (!ret && r->fetched == 0)
                r->done = true;
            continue;
        }
        ret = convert_row(r, r->pos, err);
        r->pos++;
    }
    if (!ret && r->batch->nrows > 0) {
        r->rows += r->batch->nrows;
        *out = r->batch;
    }
    return ret;
}

void reader_destroy(struct reader *r)
{
    if (!r)
        return;
    if (r->stmt)
        odbc_stmt_close(r->stmt, NULL);
    for (size_t i = 0; r->cols && i < r->ncols; i++) {
        sl_free(r->cols[i].values);
        sl_free(r->cols[i].ind);
    }
    sl_free(r->cols);
    batch_destroy(r->batch);
    batch_schema_free(&r->schema);
    buf_free(&r->value);
    sl_free(r);
}
