/*
 * orphan: what to do with the data files found under a table's data
 * directory after a crash. A pure decision function: the caller lists the
 * files, reads the sluice metadata from each Parquet footer, loads the
 * watermark and the history, and acts on the verdicts (removes, adopts by
 * storing a new watermark, or keeps and warns).
 *
 * Rules (docs/state.md "Crash recovery" is the user-facing version):
 *  1. A temp name (fsio_is_temp_name) is TEMP: never published, remove.
 *  2. A file without readable sluice metadata is KEEP: we cannot prove we
 *     wrote it, and final names are only ever published complete.
 *  3. Listed in the watermark's files, or written by the watermark's run:
 *     COMMITTED.
 *  4. Its range cannot be compared with the watermark (no watermark while
 *     the file is not a full load, or CT vs CDC): COMMITTED when its run is
 *     recorded ok in the history, else KEEP.
 *  5. Ends at or before the watermark: COMMITTED when its run is recorded
 *     ok, else KEEP (covered data: a duplicate, or a run whose history line
 *     was lost; deleting it could lose data, keeping it only duplicates
 *     changes readers already deduplicate by version).
 *  6. Ends after the watermark but its run is recorded ok: KEEP (history
 *     and watermark disagree, e.g. a restored watermark; a human decides).
 *  7. Otherwise the watermark never covered it and no history claims it.
 *     It is ADOPT when its run is the chosen complete run starting exactly
 *     at the watermark (below), else REMOVE.
 *
 * A run is complete when its files all share from and to, carry parts
 * 1..N once each, and exactly part N is marked last. Of the complete runs
 * whose from equals the durable position (both NONE for a first full
 * load), the one with the greatest to is chosen (ties: greatest run_id);
 * the caller stores a watermark at its to listing its files, then appends
 * its history line. O(n^2) in the number of files; fine for the few dozen
 * files a table's recovery looks at.
 */
#ifndef SL_STATE_ORPHAN_H
#define SL_STATE_ORPHAN_H

#include <stdbool.h>
#include <stddef.h>

#include "state/watermark.h"

struct sl_err;

enum orphan_class {
    ORPHAN_COMMITTED = 0, /* part of the table: leave it */
    ORPHAN_ADOPT,         /* complete output of an interrupted run: commit it */
    ORPHAN_REMOVE,        /* never covered by the watermark: delete it */
    ORPHAN_TEMP,          /* a temp file: delete it */
    ORPHAN_KEEP,          /* cannot be judged safely: leave it and warn */
};

/* One file on disk, as the caller read it; strings borrowed. */
struct orphan_file {
    const char *path;          /* relative to root, as in watermark files */
    bool has_meta;             /* the footer carried sluice metadata */
    const char *run_id;        /* from the footer */
    struct watermark_pos from; /* the position the run started after */
    struct watermark_pos to;   /* the position the run ended at */
    int part;                  /* 1-based part number within the run */
    bool last;                 /* the run's final part */
};

struct orphan_verdict {
    enum orphan_class cls;
    const char *reason; /* static text for the log */
};

/* The run chosen for adoption, if any (run_id borrowed from files). */
struct orphan_adoption {
    const char *run_id; /* NULL when nothing is adopted */
    struct watermark_pos to;
    size_t nfiles;
};

/* "committed", "adopt", "remove", "temp", "keep". */
const char *orphan_class_name(enum orphan_class c);

/*
 * Classify files[0..n) against wm (NULL when there is no watermark) and
 * the run ids recorded with status ok in the history (ok_runs[0..nok)).
 * verdicts[i] is the verdict of files[i]; *adopt names the adopted run.
 * Returns 0, or SL_EINVAL for a file with metadata but no run_id.
 */
int orphan_classify(const struct watermark *wm, const char *const *ok_runs, size_t nok,
                    const struct orphan_file *files, size_t n, struct orphan_verdict *verdicts,
                    struct orphan_adoption *adopt, struct sl_err *err);

#endif
