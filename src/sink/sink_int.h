/*
 * sink_int: what sink.c shares with the format files (per_table.c,
 * unified.c). Not for use outside src/sink.
 *
 * A format is an ops table (STYLE 14): `open` derives the file schema from
 * the input schema, `convert` turns one input batch into a batch with the
 * file schema (borrowed until the next convert or close), `close` frees
 * the format's state. sink.c owns everything about files: parts, names,
 * footer keys, publishing.
 */
#ifndef SL_SINK_INT_H
#define SL_SINK_INT_H

#include "sink/sink.h"

#include "format/parquet/parquet.h"

/* The change columns ahead of the table's columns in every input batch. */
#define SINK_SYS_COLUMNS 3

/* What one change row is, from its operation column. */
enum sink_op { SINK_OP_INSERT = 0, SINK_OP_UPDATE, SINK_OP_DELETE, SINK_OP_OTHER };

struct sink;

struct sink_fmt_ops {
    const char *name;
    /* Fill s->fschema (and s->groups) from s->in; set s->fmt. */
    int (*open)(struct sink *s, struct sl_err *err);
    /* in (borrowed for the call) -> *out with s->fschema, in->nrows rows. */
    int (*convert)(struct sink *s, const struct batch *in, const struct batch **out,
                   struct sl_err *err);
    void (*close)(struct sink *s);
};

extern const struct sink_fmt_ops sink_per_table_ops;
extern const struct sink_fmt_ops sink_unified_ops;

struct sink_part {
    char *tmp;       /* absolute temp path */
    char *final;     /* absolute final path */
    char *rel;       /* final path relative to root */
    uint64_t rows, bytes;
    bool closed;     /* complete and fsynced under tmp */
    bool published;  /* renamed to final */
};

struct sink {
    /* copies of the caller's inputs */
    char *root, *db, *schema, *table, *catalog, *run_id, *schema_version;
    enum sink_format format;
    struct parquet_options popt;
    struct parquet_io pio;
    const struct fsio_ops *io;
    uint64_t max_file_rows;
    bool soft_delete;
    struct sink_run run; /* strings point at the copies above */

    const struct batch_schema *in; /* borrowed */
    size_t npk;
    const struct sink_fmt_ops *ops;
    void *fmt;                     /* the format's state */
    struct batch_schema fschema;   /* the file schema */
    struct parquet_group groups[2];
    size_t ngroups;

    char *dir_rel, *dir_abs, *stem;
    bool dir_made;
    struct sink_part *parts;
    size_t nparts;
    struct parquet_writer *w;      /* writing parts[nparts - 1], or NULL */
    struct batch_column *slice_cols;
    uint64_t rows, counts[4];      /* per enum sink_op */
    int failed;
};

/* The operation of row `row` of an input batch (CT 'I'/'U'/'D', CDC 1..4). */
enum sink_op sink_row_op(const struct batch *in, size_t row);

#endif
