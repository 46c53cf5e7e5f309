/*
 * orphan: crash-recovery classification. See orphan.h for the rules; the
 * rule numbers below refer to that list.
 */
#include "state/orphan.h"

#include "state/fsio.h"

#include "core/err.h"
#include "core/mem.h"

#include <string.h>

static const char *const class_names[] = {"committed", "adopt", "remove", "temp", "keep"};

const char *orphan_class_name(enum orphan_class c)
{
    return (unsigned)c < 5 ? class_names[c] : "keep";
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

static bool pos_equal(const struct watermark_pos *a, const struct watermark_pos *b)
{
    return a->kind == b->kind && watermark_pos_cmp(a, b) == 0;
}

/* Does run (of file i) form a complete run among the candidates? */
static bool run_complete(const struct orphan_file *f, size_t n, const bool *cand, size_t i)
{
    size_t nparts = 0, nlast = 0;
    int maxpart = 0;

    for (size_t k = 0; k < n; k++) {
        if (!cand[k] || strcmp(f[k].run_id, f[i].run_id) != 0)
            continue;
        if (!pos_equal(&f[k].from, &f[i].from) || !pos_equal(&f[k].to, &f[i].to) || f[k].part < 1)
            return false;
        for (size_t j = 0; j < k; j++) {
            if (cand[j] && strcmp(f[j].run_id, f[i].run_id) == 0 && f[j].part == f[k].part)
                return false; /* a part twice */
        }
        nparts++;
        if (f[k].part > maxpart)
            maxpart = f[k].part;
        nlast += f[k].last;
    }
    if (nparts != (size_t)maxpart || nlast != 1)
        return false;
    for (size_t k = 0; k < n; k++) {
        if (cand[k] && strcmp(f[k].run_id, f[i].run_id) == 0 && f[k].last)
            return f[k].part == maxpart;
    }
    return false;
}

/* Rules 1-6 for one file; returns true when it is an adoption candidate (rule 7). */
static bool judge(const struct watermark *wm, const struct watermark_pos *dur,
                  const char *const *ok_runs, size_t nok, const struct orphan_file *f,
                  struct orphan_verdict *v)
{
    bool ok = f->has_meta && in_list(f->run_id, ok_runs, nok);
    bool listed = wm && in_list(f->path, wm->files, wm->nfiles);

    if (fsio_is_temp_name(f->path)) {
        *v = (struct orphan_verdict){ORPHAN_TEMP, "temporary file of an interrupted write"};
    } else if (!f->has_meta) {
        *v = (struct orphan_verdict){ORPHAN_KEEP, "no sluice metadata in the footer"};
    } else if (listed || (wm && wm->run_id && strcmp(f->run_id, wm->run_id) == 0)) {
        *v = (struct orphan_verdict){ORPHAN_COMMITTED, "written by the run of the watermark"};
    } else if (!watermark_pos_comparable(&f->to, dur) || !watermark_pos_comparable(&f->from, dur) ||
               (dur->kind == WM_POS_NONE && f->from.kind != WM_POS_NONE)) {
        *v = ok ? (struct orphan_verdict){ORPHAN_COMMITTED, "run recorded ok in the history"}
                : (struct orphan_verdict){ORPHAN_KEEP, "range not comparable with the watermark"};
    } else if (watermark_pos_cmp(&f->to, dur) <= 0) {
        *v =
            ok ? (struct orphan_verdict){ORPHAN_COMMITTED, "run recorded ok in the history"}
               : (struct orphan_verdict){ORPHAN_KEEP, "covered by the watermark but its run is not "
                                                      "recorded ok in the history"};
    } else if (ok) {
        *v = (struct orphan_verdict){ORPHAN_KEEP, "run recorded ok in the history but ends "
                                                  "after the watermark"};
    } else {
        *v = (struct orphan_verdict){ORPHAN_REMOVE, "after the watermark and not starting at it"};
        return pos_equal(&f->from, dur);
    }
    return false;
}

int orphan_classify(const struct watermark *wm, const char *const *ok_runs, size_t nok,
                    const struct orphan_file *files, size_t n, struct orphan_verdict *verdicts,
                    struct orphan_adoption *adopt, struct sl_err *err)
{
    struct watermark_pos none = {0};
    const struct watermark_pos *dur = wm ? &wm->pos : &none;
    bool *cand = sl_calloc(n ? n : 1, sizeof *cand);
    size_t best = n;
    int rc = 0;

    memset(adopt, 0, sizeof *adopt);
    for (size_t i = 0; i < n; i++) {
        if (files[i].has_meta && !files[i].run_id && !fsio_is_temp_name(files[i].path)) {
            rc =
                sl_err_set(err, SL_EINVAL, "file \"%s\" has metadata but no run_id", files[i].path);
            goto out;
        }
    }
    if (!cand) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory classifying %zu files", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        cand[i] = judge(wm, dur, ok_runs, nok, &files[i], &verdicts[i]);
    for (size_t i = 0; i < n; i++) {
        if (!cand[i] || !run_complete(files, n, cand, i))
            continue;
        if (best == n || watermark_pos_cmp(&files[i].to, &files[best].to) > 0 ||
            (watermark_pos_cmp(&files[i].to, &files[best].to) == 0 &&
             strcmp(files[i].run_id, files[best].run_id) > 0))
            best = i;
    }
    for (size_t i = 0; best < n && i < n; i++) {
        if (cand[i] && strcmp(files[i].run_id, files[best].run_id) == 0) {
            verdicts[i] =
                (struct orphan_verdict){ORPHAN_ADOPT, "complete run starting at the watermark"};
            adopt->nfiles++;
        } else if (cand[i]) {
            verdicts[i].reason = run_complete(files, n, cand, i)
                                     ? "superseded by a later complete run"
                                     : "incomplete run starting at the watermark";
        }
    }
    for (size_t i = 0; best == n && i < n; i++) {
        if (cand[i])
            verdicts[i].reason = "incomplete run starting at the watermark";
    }
    if (best < n) {
        adopt->run_id = files[best].run_id;
        adopt->to = files[best].to;
    }
out:
    sl_free(cand);
    return rc;
}
