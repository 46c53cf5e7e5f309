/*
 * export: one ODBC query into one Parquet file. See export.h.
 *
 * The query is executed once; its result is described with
 * SQLDescribeCol (odbc_stmt_describe), each column mapped to the type
 * docs/type-mapping.md gives the declared type the driver reports, and the
 * same statement is then streamed by source/reader.c into the Parquet
 * writer, a batch at a time, so memory is bounded by the batch whatever
 * the result size.
 *
 * What the driver reports is less than the catalog knows: money arrives
 * as decimal(19,4), rowversion as binary(8) (exported as bytes, not as the
 * bigint `sync` writes), datetime and smalldatetime as datetime2(3)/(0).
 * Types with no ODBC mapping (sql_variant, CLR types) are refused with a
 * hint to CAST them in the query.
 */
#include "sink/export.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "source/odbc.h"
#include "source/reader.h"
#include "source/typemap.h"
#include "state/fsio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The declared type (as typemap_from_decl takes it) of a described column. */
static int decl_of(const struct odbc_coldesc *d, const char **name, int *max_length,
                   int *precision, int *scale)
{
    uint64_t size = d->column_size;
    *max_length = 0;
    *precision = 0;
    *scale = d->decimal_digits;
    switch (d->type) {
    case ODBC_T_BIT: *name = "bit"; break;
    case ODBC_T_TINYINT: *name = "tinyint"; break;
    case ODBC_T_SMALLINT: *name = "smallint"; break;
    case ODBC_T_INT: *name = "int"; break;
    case ODBC_T_BIGINT: *name = "bigint"; break;
    case ODBC_T_DECIMAL:
        *name = "decimal";
        *precision = size <= 38 ? (int)size : 0;
        break;
    case ODBC_T_REAL: *name = "real"; break;
    case ODBC_T_FLOAT: *name = "float"; break;
    case ODBC_T_DATE: *name = "date"; break;
    case ODBC_T_TIME: *name = "time"; break;
    case ODBC_T_TIMESTAMP: *name = "datetime2"; break;
    case ODBC_T_DATETIMEOFFSET: *name = "datetimeoffset"; break;
    case ODBC_T_CHAR:
        *name = "varchar";
        *max_length = size == 0 || size > 8000 ? -1 : (int)size;
        break;
    case ODBC_T_WCHAR:
        *name = "nvarchar";
        *max_length = size == 0 || size > 4000 ? -1 : (int)size * 2;
        break;
    case ODBC_T_BINARY:
        *name = "varbinary";
        *max_length = size == 0 || size > 8000 ? -1 : (int)size;
        break;
    case ODBC_T_GUID: *name = "uniqueidentifier"; break;
    default:
        return SL_EUNSUPPORTED;
    }
    return 0;
}

/* Describe column i of the executed statement into rc (name in a). */
static int describe(struct odbc_stmt *st, size_t i, struct reader_column *rc, struct arena *a,
                    struct sl_err *err)
{
    struct odbc_coldesc d;
    const char *type;
    int maxlen, prec, scale, ret;

    if ((ret = odbc_stmt_describe(st, i, &d, err)) != 0)
        return ret;
    if (!d.name[0]) {
        sl_err_set(err, SL_EINVAL, "column %zu of the export query has no name", i + 1);
        sl_err_hint(err, "give every computed column an alias, e.g. SELECT COUNT(*) AS n");
        return SL_EINVAL;
    }
    if (decl_of(&d, &type, &maxlen, &prec, &scale) != 0) {
        sl_err_set(err, SL_EUNSUPPORTED,
                   "column \"%s\" of the export query has a type sluice cannot read (ODBC SQL "
                   "type %d)", d.name, d.sql_type);
        sl_err_hint(err, "CAST it in the query, e.g. CAST([%s] AS nvarchar(max))", d.name);
        return SL_EUNSUPPORTED;
    }
    if ((ret = typemap_from_decl(type, maxlen, prec, scale, d.nullable, NULL, &rc->tm, err)) != 0)
        return ret;
    rc->name = arena_strdup(a, d.name);
    if (!rc->name)
        return sl_err_set(err, SL_ENOMEM, "out of memory describing the export query");
    return 0;
}

/* Parquet readers mishandle duplicate names (Spark even case-insensitive ones). */
static int unique_names(const struct reader_column *c, size_t n, struct sl_err *err)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcasecmp(c[i].name, c[k].name) == 0) {
                sl_err_set(err, SL_EINVAL, "the export query returns two columns named \"%s\"",
                           c[i].name);
                sl_err_hint(err, "give one of them another name with AS");
                return SL_EINVAL;
            }
        }
    }
    return 0;
}

/* Execute sql on st and describe its result into *cols (arena a). */
static int run_and_describe(struct odbc_stmt *st, const char *sql, struct arena *a,
                            struct reader_column **cols, size_t *ncols, struct sl_err *err)
{
    size_t n = 0;
    int ret;

    if ((ret = odbc_stmt_exec(st, sql, err)) != 0 || (ret = odbc_stmt_ncols(st, &n, err)) != 0)
        return ret;
    if (n == 0) {
        sl_err_set(err, SL_EINVAL, "the export query returns no result set");
        sl_err_hint(err, "export runs one SELECT; put statements that return no rows elsewhere");
        return SL_EINVAL;
    }
    *cols = arena_alloc(a, n * sizeof **cols);
    if (!*cols)
        return sl_err_set(err, SL_ENOMEM, "out of memory describing the export query");
    memset(*cols, 0, n * sizeof **cols);
    for (size_t i = 0; i < n && !ret; i++)
        ret = describe(st, i, &(*cols)[i], a, err);
    if (!ret)
        ret = unique_names(*cols, n, err);
    *ncols = n;
    return ret;
}

/* `{dir}/.{base}.tmp` and `{dir}` of out_path (caller owns both). */
static int temp_names(const char *out_path, char **tmp, char **dir)
{
    const char *slash = strrchr(out_path, '/');
    struct buf b;

    buf_init(&b, 0);
    if (slash) {
        size_t dlen = slash == out_path ? 1 : (size_t)(slash - out_path);
        if (buf_append(&b, out_path, dlen) == 0)
            *dir = (char *)buf_take(&b, NULL);
        if (buf_append(&b, out_path, (size_t)(slash - out_path) + 1) != 0 ||
            buf_appendf(&b, ".%s.tmp", slash + 1) != 0)
            buf_free(&b);
    } else {
        *dir = sl_strdup(".");
        if (buf_appendf(&b, ".%s.tmp", out_path) != 0)
            buf_free(&b);
    }
    *tmp = (char *)buf_take(&b, NULL);
    return *tmp && *dir ? 0 : SL_ENOMEM;
}

static void writer_options(const struct sink_options *opt, struct parquet_options *po,
                           struct parquet_io *pio)
{
    parquet_options_init(po);
    if (!opt)
        return;
    po->codec = opt->codec;
    po->level = opt->codec_level;
    if (opt->row_group_rows)
        po->row_group_rows = opt->row_group_rows;
    if (opt->io) {
        pio->write = opt->io->write;
        pio->fsync = opt->io->fsync;
        pio->arg = opt->io->arg;
        po->io = pio;
    }
}

/* Stream every batch of r into w. */
static int copy_rows(struct reader *r, struct parquet_writer *w, struct sl_err *err)
{
    for (;;) {
        struct batch *b = NULL;
        int ret = reader_next(r, &b, err);
        if (ret || !b)
            return ret;
        if ((ret = parquet_writer_write(w, b, err)) != 0)
            return ret;
    }
}

int sink_export(struct odbc_conn *c, const char *sql, const char *out_path,
                const struct sink_options *opt, uint64_t *rows, struct sl_err *err)
{
    struct odbc_stmt *st = NULL;
    struct reader *r = NULL;
    struct parquet_writer *w = NULL;
    struct reader_column *cols = NULL;
    struct parquet_options po;
    struct parquet_io pio;
    struct arena a;
    char *tmp = NULL, *dir = NULL;
    size_t ncols = 0;
    int ret;

    arena_init(&a, 0, 0);
    if (rows)
        *rows = 0;
    if (!out_path || !out_path[0] || !sql) {
        ret = sl_err_set(err, SL_EINVAL, "export needs a query and an output path");
        goto out;
    }
    if (temp_names(out_path, &tmp, &dir) != 0) {
        ret = sl_err_set(err, SL_ENOMEM, "out of memory exporting to \"%s\"", out_path);
        goto out;
    }
    writer_options(opt, &po, &pio);
    if ((ret = odbc_stmt_new(c, "export query", &st, err)) != 0 ||
        (ret = run_and_describe(st, sql, &a, &cols, &ncols, err)) != 0 ||
        (ret = reader_open(st, NULL, cols, ncols, NULL, &r, err)) != 0 ||
        (ret = parquet_writer_open(tmp, reader_schema(r), &po, &w, err)) != 0) {
        w = NULL;
        goto out;
    }
    if ((ret = copy_rows(r, w, err)) != 0)
        goto out;
    if (rows)
        *rows = parquet_writer_rows(w);
    ret = parquet_writer_close(w, NULL, err);
    w = NULL;
    if (ret)
        goto out;
    if (rename(tmp, out_path) != 0) {
        ret = sl_err_errno(err, errno == ENOSPC ? SL_ENOSPC : SL_EIO, errno,
                           "cannot rename the finished export to \"%s\"", out_path);
        unlink(tmp);
        goto out;
    }
    ret = fsio_fsync_dir(opt ? opt->io : NULL, dir, err);
out:
    parquet_writer_abort(w);
    reader_destroy(r);
    odbc_stmt_destroy(st);
    if (ret && rows)
        *rows = 0;
    sl_free(tmp);
    sl_free(dir);
    arena_free(&a);
    return ret;
}
