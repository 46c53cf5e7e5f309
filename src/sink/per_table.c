/*
 * per_table: the table's own Parquet files (docs/output-formats.md).
 *
 * File columns: the table's columns as the source delivers them (key
 * columns in key order, then the others in column order), then the three
 * change columns (SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION,
 * SYS_CHANGE_OPERATION for CT), then, with soft_delete, _is_deleted
 * (REQUIRED BOOLEAN, true when the operation is a delete). Putting the
 * table's columns first keeps `SELECT *` reading like the source table.
 *
 * Conversion copies no values: the output batch is a view whose columns
 * are the input's column descriptors in file order; only _is_deleted has
 * storage of its own (one byte per row, grown to the largest batch seen).
 */
#include "sink/sink_int.h"

#include "core/err.h"
#include "core/mem.h"

#include <string.h>
#include <strings.h>

#define IS_DELETED "_is_deleted"

struct per_table {
    struct batch view;
    struct batch_column *cols; /* fschema.nfields descriptors */
    size_t *map;               /* file column -> input column (SIZE_MAX: _is_deleted) */
    uint8_t *deleted;
    size_t deleted_cap;
};

static int name_clash(const struct sink *s, struct sl_err *err)
{
    for (size_t i = SINK_SYS_COLUMNS; i < s->in->nfields; i++) {
        const char *n = s->in->fields[i].name;
        bool clash = s->soft_delete && strcasecmp(n, IS_DELETED) == 0;
        for (size_t k = 0; k < SINK_SYS_COLUMNS && !clash; k++)
            clash = strcasecmp(n, s->in->fields[k].name) == 0;
        if (clash) {
            sl_err_set(err, SL_EINVAL, "column \"%s\" of %s.%s.%s has the name of a column "
                                       "sluice adds to per_table files", n, s->db, s->schema,
                       s->table);
            sl_err_hint(err, "exclude or rename the column%s", s->soft_delete
                                                                   ? ", or turn soft_delete off"
                                                                   : "");
            return SL_EINVAL;
        }
    }
    return 0;
}

static int pt_open(struct sink *s, struct sl_err *err)
{
    size_t nin = s->in->nfields, n = nin + (s->soft_delete ? 1 : 0), at = 0;
    struct per_table *pt;
    int rc;

    if ((rc = name_clash(s, err)) != 0)
        return rc;
    pt = sl_calloc(1, sizeof *pt);
    if (!pt)
        goto nomem;
    s->fmt = pt;
    pt->cols = sl_calloc(n, sizeof *pt->cols);
    pt->map = sl_calloc(n, sizeof *pt->map);
    if (!pt->cols || !pt->map || batch_schema_init(&s->fschema, n) != 0)
        goto nomem;
    for (size_t i = SINK_SYS_COLUMNS; i < nin; i++)
        pt->map[at++] = i;
    for (size_t i = 0; i < SINK_SYS_COLUMNS; i++)
        pt->map[at++] = i;
    if (s->soft_delete)
        pt->map[at++] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct batch_field *f = pt->map[i] == SIZE_MAX ? NULL : &s->in->fields[pt->map[i]];
        rc = f ? batch_schema_set(&s->fschema, i, f->name, f->type, f->nullable, f->precision,
                                  f->scale, f->utc_adjusted)
               : batch_schema_set(&s->fschema, i, IS_DELETED, BATCH_BOOL, false, 0, 0, false);
        if (rc)
            goto nomem;
    }
    pt->view.schema = &s->fschema;
    pt->view.cols = pt->cols;
    return 0;
nomem:
    return sl_err_set(err, SL_ENOMEM, "out of memory opening the output of %s.%s.%s", s->db,
                      s->schema, s->table);
}

static int pt_convert(struct sink *s, const struct batch *in, const struct batch **out,
                      struct sl_err *err)
{
    struct per_table *pt = s->fmt;
    size_t n = s->fschema.nfields;

    if (s->soft_delete && in->nrows > pt->deleted_cap) {
        uint8_t *d = sl_realloc(pt->deleted, in->nrows);
        if (!d)
            return sl_err_set(err, SL_ENOMEM, "out of memory writing %s.%s.%s", s->db,
                              s->schema, s->table);
        pt->deleted = d;
        pt->deleted_cap = in->nrows;
    }
    for (size_t i = 0; i < n; i++) {
        if (pt->map[i] != SIZE_MAX) {
            pt->cols[i] = in->cols[pt->map[i]];
            continue;
        }
        for (size_t r = 0; r < in->nrows; r++)
            pt->deleted[r] = sink_row_op(in, r) == SINK_OP_DELETE;
        memset(&pt->cols[i], 0, sizeof pt->cols[i]);
        pt->cols[i].values = pt->deleted;
    }
    pt->view.nrows = in->nrows;
    pt->view.capacity = in->nrows;
    *out = &pt->view;
    return 0;
}

static void pt_close(struct sink *s)
{
    struct per_table *pt = s->fmt;
    if (!pt)
        return;
    sl_free(pt->cols);
    sl_free(pt->map);
    sl_free(pt->deleted);
    sl_free(pt);
    s->fmt = NULL;
}

const struct sink_fmt_ops sink_per_table_ops = {"per_table", pt_open, pt_convert, pt_close};
