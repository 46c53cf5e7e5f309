/*
 * unified: the Lakeflow-style envelope (docs/output-formats.md). Not built
 * yet: it needs struct columns in the Parquet writer.
 */
#include "sink/sink_int.h"

#include "core/err.h"

static int un_open(struct sink *s, struct sl_err *err)
{
    sl_err_set(err, SL_EUNSUPPORTED, "the unified output format is not available yet (table %s.%s.%s)",
               s->db, s->schema, s->table);
    sl_err_hint(err, "use output_format: per_table");
    return SL_EUNSUPPORTED;
}

static int un_convert(struct sink *s, const struct batch *in, const struct batch **out,
                      struct sl_err *err)
{
    return SL_EUNSUPPORTED;
}

static void un_close(struct sink *s)
{
}

const struct sink_fmt_ops sink_unified_ops = {"unified", un_open, un_convert, un_close};
