/*
 * fuzz_parquet_reader: libFuzzer entry point for the Parquet reader.
 *
 * Opens the input as an in-memory Parquet file, asks for everything a caller
 * can ask (schema, row groups, key/value, statistics of every chunk) and
 * reads every row into a batch, touching each value so that a decoder that
 * hands out bad offsets is caught by ASan here rather than in a sink.
 * The reader promises SL_ECORRUPT/SL_EUNSUPPORTED for any malformed input
 * (parquet.h); a crash, leak or sanitizer report is a bug.
 *
 * Built as a libFuzzer target with -DSL_FUZZ=ON, and also linked with
 * replay_main.c into fuzz_parquet_replay, which replays files given on the
 * command line in a normal build (regression test for saved crashes).
 */
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "core/err.h"
#include "format/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every value of b; the sum keeps the loads from being optimised out. */
static uint64_t touch_batch(const struct batch *b)
{
    uint64_t acc = 0;
    const struct batch_schema *s = b->schema;
    for (size_t c = 0; c < s->nfields; c++) {
        enum batch_type t = s->fields[c].type;
        for (size_t r = 0; r < b->nrows; r++) {
            if (batch_is_null(b, c, r))
                continue;
            size_t len = 0;
            const uint8_t *p;
            switch (t) {
            case BATCH_STRING:
            case BATCH_JSON:
            case BATCH_BINARY:
                p = batch_get_bytes(b, c, r, &len);
                for (size_t i = 0; i < len; i++)
                    acc += p[i];
                break;
            case BATCH_FLOAT:
            case BATCH_DOUBLE: acc += (uint64_t)(int64_t)batch_get_double(b, c, r); break;
            case BATCH_DECIMAL: acc += (uint64_t)batch_get_decimal(b, c, r); break;
            case BATCH_BOOL: acc += batch_get_bool(b, c, r); break;
            default: acc += (uint64_t)batch_get_int(b, c, r); break;
            }
        }
    }
    return acc;
}

static void touch_metadata(const struct parquet_reader *r)
{
    const struct batch_schema *s = parquet_reader_schema(r);
    size_t nrg = parquet_reader_num_row_groups(r);
    volatile uint64_t acc = parquet_reader_num_rows(r);
    (void)parquet_reader_kv(r, "sluice.test.case");
    (void)parquet_reader_created_by(r);
    for (size_t rg = 0; rg < nrg && rg < 1000; rg++) {
        acc += parquet_reader_row_group_rows(r, rg);
        for (size_t c = 0; c < s->nfields; c++) {
            struct parquet_stats st;
            if (parquet_reader_column_stats(r, rg, c, &st) != 0)
                continue;
            if (st.has_min)
                for (size_t i = 0; i < st.min_len; i++)
                    acc += st.min[i];
            if (st.has_max)
                for (size_t i = 0; i < st.max_len; i++)
                    acc += st.max[i];
        }
    }
    (void)acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parquet_reader *r = NULL;
    struct batch *b = NULL;
    struct sl_err err;
    volatile uint64_t acc = 0;

    sl_err_clear(&err);
    if (parquet_reader_open_mem(data, size, &r, &err) != 0)
        goto out;
    touch_metadata(r);
    /* small capacity and budget: exercises batch boundaries inside pages */
    b = batch_new(parquet_reader_schema(r), 256, 1 << 20);
    if (!b)
        goto out;
    for (int guard = 0; guard < 1 << 20; guard++) {
        int n = parquet_reader_read(r, b, &err);
        if (n <= 0)
            break;
        acc += touch_batch(b);
    }
out:
    (void)acc;
    batch_destroy(b);
    parquet_reader_close(r);
    return 0;
}
