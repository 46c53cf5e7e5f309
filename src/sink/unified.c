/*
 * unified: the Lakeflow-style bronze envelope (docs/output-formats.md), one
 * row per change, the same columns for every table:
 *
 *   data                 STRING (JSON)  the table's columns as a JSON object
 *                                       (sink_json_row), key columns first
 *   table_id             struct {catalog, schema, table: STRING}
 *   cursor               struct {version: INT64, lsn: STRING, seqval: STRING}
 *   extractionTimestamp  TIMESTAMP(us, UTC)  the run's start, same for all rows
 *   operation            STRING  INSERT | UPDATE | DELETE
 *   schemaVersion        STRING  the table's schema hash (NULL when unknown)
 *
 * For Change Tracking, cursor.version is SYS_CHANGE_VERSION (the snapshot
 * version for full-load rows) and lsn/seqval are NULL. For CDC (the
 * source/cdc.h layout: __$start_lsn BINARY(10) first), version is NULL,
 * lsn is __$start_lsn and seqval __$seqval (NULL in net changes and full
 * loads) as 20 upper-case hex digits, the watermark's form; update
 * before-images (__$operation 3) are not written (an envelope row is a
 * row's state after the change).
 *
 * Unlike per_table this copies: every input batch is rendered into one
 * envelope batch of the same number of rows, reused for the next batch, so
 * memory stays bounded by the input batch (times the JSON expansion).
 */
#include "sink/sink_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/lsn.h"
#include "core/mem.h"

#include <string.h>

enum { U_DATA, U_CATALOG, U_SCHEMA, U_TABLE, U_VERSION, U_LSN, U_SEQVAL, U_TS, U_OP, U_SV, U_N };

struct unified {
    struct batch *out;    /* the envelope batch, capacity grown to the largest input */
    size_t *cols;         /* input columns of data: the table's columns */
    size_t ncols;
    struct buf json;      /* one row's data text */
    bool cdc;             /* CDC layout: cursor.lsn / seqval from the first two columns */
};

static int un_schema(struct batch_schema *s)
{
    static const struct {
        const char *name;
        enum batch_type type;
        bool nullable;
    } f[U_N] = {
        {"data", BATCH_JSON, false},         {"catalog", BATCH_STRING, true},
        {"schema", BATCH_STRING, true},      {"table", BATCH_STRING, true},
        {"version", BATCH_INT64, true},      {"lsn", BATCH_STRING, true},
        {"seqval", BATCH_STRING, true},      {"extractionTimestamp", BATCH_TIMESTAMP, false},
        {"operation", BATCH_STRING, false},  {"schemaVersion", BATCH_STRING, true},
    };
    int rc = batch_schema_init(s, U_N);
    for (size_t i = 0; i < U_N && !rc; i++)
        rc = batch_schema_set(s, i, f[i].name, f[i].type, f[i].nullable, 0, 0, true);
    return rc;
}

static int un_open(struct sink *s, struct sl_err *err)
{
    struct unified *u;
    const struct batch_field *v = &s->in->fields[0];

    bool cdc = v->type == BATCH_BINARY;
    if (v->type != BATCH_INT64 && v->type != BATCH_INT32 && !cdc) {
        sl_err_set(err, SL_EUNSUPPORTED, "the unified output of %s.%s.%s needs change tracking "
                                         "versions or CDC LSNs; column \"%s\" is neither",
                   s->db, s->schema, s->table, v->name);
        sl_err_hint(err, "use output_format: per_table for this table");
        return SL_EUNSUPPORTED;
    }
    u = sl_calloc(1, sizeof *u);
    if (!u)
        goto nomem;
    u->cdc = cdc;
    s->fmt = u;
    buf_init(&u->json, 0);
    u->ncols = s->in->nfields - SINK_SYS_COLUMNS;
    u->cols = sl_calloc(u->ncols, sizeof *u->cols);
    if (!u->cols || un_schema(&s->fschema) != 0)
        goto nomem;
    for (size_t i = 0; i < u->ncols; i++)
        u->cols[i] = SINK_SYS_COLUMNS + i;
    s->groups[0] = (struct parquet_group){"table_id", U_CATALOG, 3};
    s->groups[1] = (struct parquet_group){"cursor", U_VERSION, 3};
    s->ngroups = 2;
    return 0;
nomem:
    return sl_err_set(err, SL_ENOMEM, "out of memory opening the output of %s.%s.%s", s->db,
                      s->schema, s->table);
}

static const char *const OP_NAMES[] = {"INSERT", "UPDATE", "DELETE", NULL};

/* An LSN column of row r as hex text in column oc, NULL when NULL. */
static int lsn_text(struct batch *o, size_t oc, const struct batch *in, size_t ic, size_t r)
{
    char hex[LSN_HEX_LEN + 1];
    struct lsn l;
    size_t n = 0;
    const uint8_t *p;

    if (batch_is_null(in, ic, r))
        return batch_append_null(o, oc);
    p = batch_get_bytes(in, ic, r, &n);
    if (!lsn_from_bytes(&l, p, n))
        return SL_ECONVERT;
    lsn_to_hex(&l, hex);
    return batch_append_str(o, oc, hex, LSN_HEX_LEN);
}

/* CDC cursor: no version; lsn and seqval from __$start_lsn and __$seqval. */
static int cdc_cursor(struct batch *o, const struct batch *in, size_t r)
{
    int rc = batch_append_null(o, U_VERSION);
    if (!rc)
        rc = lsn_text(o, U_LSN, in, 0, r);
    return rc ? rc : lsn_text(o, U_SEQVAL, in, 1, r);
}

/* Append one envelope row for input row r. */
static int un_row(struct sink *s, struct unified *u, const struct batch *in, size_t r)
{
    struct batch *o = u->out;
    enum sink_op op = sink_row_op(in, r);
    int rc;

    buf_reset(&u->json);
    if ((rc = sink_json_row(&u->json, in, r, u->cols, u->ncols)) != 0 ||
        (rc = batch_append_str(o, U_DATA, (const char *)u->json.data, u->json.len)) != 0 ||
        (rc = batch_append_str(o, U_CATALOG, s->catalog, strlen(s->catalog))) != 0 ||
        (rc = batch_append_str(o, U_SCHEMA, s->schema, strlen(s->schema))) != 0 ||
        (rc = batch_append_str(o, U_TABLE, s->table, strlen(s->table))) != 0)
        return rc;
    if (u->cdc)
        rc = cdc_cursor(o, in, r);
    else if ((rc = batch_is_null(in, 0, r) ? batch_append_null(o, U_VERSION)
                                           : batch_append_int(o, U_VERSION,
                                                              batch_get_int(in, 0, r))) == 0 &&
             (rc = batch_append_null(o, U_LSN)) == 0)
        rc = batch_append_null(o, U_SEQVAL);
    if (rc || (rc = batch_append_timestamp(o, U_TS, s->run.started_ms * 1000)) != 0)
        return rc;
    if (op == SINK_OP_OTHER)
        return SL_ECONVERT;
    if ((rc = batch_append_str(o, U_OP, OP_NAMES[op], strlen(OP_NAMES[op]))) != 0)
        return rc;
    rc = s->schema_version[0] ? batch_append_str(o, U_SV, s->schema_version,
                                                 strlen(s->schema_version))
                              : batch_append_null(o, U_SV);
    if (!rc)
        batch_end_row(o);
    return rc;
}

static int un_convert(struct sink *s, const struct batch *in, const struct batch **out,
                      struct sl_err *err)
{
    struct unified *u = s->fmt;
    int rc = 0;

    if (!u->out || u->out->capacity < in->nrows) {
        batch_destroy(u->out);
        /* var_budget is a soft cap that only batch_full reads; nothing here asks. */
        u->out = batch_new(&s->fschema, in->nrows, 0);
        if (!u->out)
            return sl_err_set(err, SL_ENOMEM, "out of memory writing %s.%s.%s", s->db,
                              s->schema, s->table);
    }
    batch_reset(u->out);
    for (size_t r = 0; r < in->nrows && !rc; r++)
        if (!u->cdc || batch_get_int(in, 2, r) != 3) /* before-images are not rows */
            rc = un_row(s, u, in, r);
    if (rc == SL_ECONVERT) {
        sl_err_set(err, rc, "a change of %s.%s.%s has an unknown operation in column \"%s\"",
                   s->db, s->schema, s->table, in->schema->fields[2].name);
        sl_err_hint(err, "the source delivered an operation other than I, U or D");
        return rc;
    }
    if (rc)
        return sl_err_set(err, rc, "cannot build the unified rows of %s.%s.%s: %s", s->db,
                          s->schema, s->table, sl_strerror(rc));
    *out = u->out;
    return 0;
}

static void un_close(struct sink *s)
{
    struct unified *u = s->fmt;
    if (!u)
        return;
    batch_destroy(u->out);
    buf_free(&u->json);
    sl_free(u->cols);
    sl_free(u);
    s->fmt = NULL;
}

const struct sink_fmt_ops sink_unified_ops = {"unified", un_open, un_convert, un_close};
