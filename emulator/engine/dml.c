/*
 * dml: every row change of a user table goes through this file.
 *
 * INSERT (VALUES, SELECT, DEFAULT VALUES), UPDATE and DELETE are computed
 * by SQLite, but each inserted or updated row passes through C: its values
 * are converted to the declared column types with SQL Server's implicit
 * conversion rules (2628 truncation, 245/8114 conversion), NOT NULL is
 * checked (515), identity values are assigned, defaults evaluated, and
 * unique violations are reported with the duplicate key (2627/2601). This
 * is also the single place where row changes of journaled tables are
 * recorded in the change journal (journal.c): the writer, the update loop
 * and DELETE read the stored rows back with RETURNING for their images.
 *
 * UPDATE materialises (rowid, new values) in memory before writing, so a
 * scan never sees its own updates (the Halloween problem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "eng.h"

struct dml_writer {
    struct engine_session *s;
    struct table_meta *tm;
    sqlite3_stmt *ins;
    char *display;          /* db.schema.table for messages */
    const int *colmap;      /* source index per table column, -1 = not given */
    bool keep_identity;
    int ident_col;          /* index in tm->cols or -1 */
    int rv_col;             /* the rowversion column's index or -1 */
    int64_t dbts;           /* last rowversion value given out (@@DBTS) */
    bool dbts_used;
    bool ident_has;
    int64_t ident_cur;
    bool ident_used;
    sqlite3_stmt **defaults; /* per column: SELECT <default> or NULL */
    struct query *defq;
    struct tl_value *row;
    const char *verb;       /* "INSERT" */
    struct journal_rec *jr; /* change journal recorder, NULL if not journaled */
    struct buf img;         /* row image of the journaled insert */
};

static void bind_value(sqlite3_stmt *st, int i, const struct tl_value *v)
{
    switch (v->kind) {
    case TL_V_INT: sqlite3_bind_int64(st, i, v->i); break;
    case TL_V_REAL: sqlite3_bind_double(st, i, v->r); break;
    case TL_V_TEXT: sqlite3_bind_text(st, i, (const char *)v->p, (int)v->n, SQLITE_STATIC); break;
    case TL_V_BLOB: sqlite3_bind_blob(st, i, v->p ? (const void *)v->p : "", (int)v->n, SQLITE_STATIC); break;
    default: sqlite3_bind_null(st, i); break;
    }
}

/* " RETURNING c1, c2, ...": every column of tm in column_id order, so a
 * journaled change can record the row as stored (journal_image_encode). */
static void returning_list(struct buf *b, const struct table_meta *tm)
{
    buf_append_str(b, " RETURNING ");
    for (int i = 0; i < tm->ncols; i++)
        buf_appendf(b, "%s\"c%d\"", i ? ", " : "", tm->cols[i].id);
}

/* Text of a value as SQL Server prints it in "The duplicate key value is (...)". */
static void key_text(struct engine_session *s, const struct tl_value *v, const struct tl_type *t,
                     struct buf *b)
{
    if (v->kind == TL_V_NULL) {
        buf_append_str(b, "<NULL>");
        return;
    }
    struct tl_type nt = {TL_T_NVARCHAR, TL_MAX, 0, 0};
    struct tl_value o;
    struct value_error ve;
    if (value_convert(v, t, &nt, -1, true, NULL, NULL, &s->ra, &o, &ve) == 0)
        buf_append(b, o.p, o.n);
    else
        buf_append_str(b, "?");
}

/* Map a constraint failure of the row `vals` (table column order). */
static void constraint_err(struct engine_session *s, struct table_meta *tm, const char *display,
                           const struct tl_value *vals, const char *verb, struct sqlerr *e)
{
    const char *msg = sqlite3_errmsg(s->db);
    int ext = sqlite3_extended_errcode(s->db);
    if (ext == SQLITE_CONSTRAINT_NOTNULL) {
        const char *dot = strrchr(msg, '.');
        int colid = dot && dot[1] == 'c' ? atoi(dot + 2) : 0;
        const char *cname = "?";
        for (int i = 0; i < tm->ncols; i++)
            if (tm->cols[i].id == colid)
                cname = tm->cols[i].name;
        sqlerr_set(e, 515, 16, "Cannot insert the value NULL into column '%s', table '%s'; column does not allow nulls. %s fails.",
                   cname, display, verb);
        e->state = 2;
        return;
    }
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        /* "UNIQUE constraint failed: t5.c1, t5.c2": find the index with those columns */
        int cols[32], nc = 0;
        const char *p = strstr(msg, ": ");
        while (p && nc < 32) {
            const char *c = strstr(p, ".c");
            if (!c)
                break;
            cols[nc++] = atoi(c + 2);
            p = c + 2;
        }
        struct idx_meta *ix = NULL;
        for (int k = 0; k < tm->nidx && !ix; k++) {
            if (!tm->idx[k].unique || tm->idx[k].ncols != nc)
                continue;
            bool same = true;
            for (int j = 0; j < nc; j++)
                same &= tm->idx[k].cols[j] == cols[j];
            if (same)
                ix = &tm->idx[k];
        }
        struct buf kb;
        buf_init(&kb, 8000);
        for (int j = 0; j < nc; j++) {
            for (int i = 0; i < tm->ncols; i++)
                if (tm->cols[i].id == cols[j]) {
                    if (j)
                        buf_append_str(&kb, ", ");
                    key_text(s, &vals[i], &tm->cols[i].type, &kb);
                }
        }
        const char *two = arena_printf(&s->ba, "%s.%s", tm->schema, tm->name);
        if (ix && (ix->pk || ix->uq_cons)) {
            sqlerr_set(e, 2627, 14, "Violation of %s constraint '%s'. Cannot insert duplicate key in object '%s'. The duplicate key value is (%s).",
                       ix->pk ? "PRIMARY KEY" : "UNIQUE KEY", ix->name, two, kb.data ? (char *)kb.data : "");
        } else {
            sqlerr_set(e, 2601, 14, "Cannot insert duplicate key row in object '%s' with unique index '%s'. The duplicate key value is (%s).",
                       two, ix ? ix->name : "?", kb.data ? (char *)kb.data : "");
        }
        e->state = 1;
        buf_free(&kb);
        return;
    }
    exec_sqlite_err(s, ext, e);
}

/* Convert v (type from) to column i's type, as an implicit conversion. */
static int conv_col(struct dml_writer *w, int i, const struct tl_value *v,
                    const struct tl_type *from, struct tl_value *out, struct sqlerr *e)
{
    struct col_meta *c = &w->tm->cols[i];
    struct value_error ve;
    if (v->kind == TL_V_NULL) {
        out->kind = TL_V_NULL;
        return 0;
    }
    if (value_convert(v, from && from->id != TL_T_UNKNOWN ? from : NULL, &c->type, -1, false,
                      w->display, c->name, &w->s->ra, out, &ve)) {
        sqlerr_set(e, ve.number, ve.severity ? ve.severity : 16, "%s", ve.text);
        e->state = ve.state ? ve.state : 1;
        return -1;
    }
    return 0;
}

static int prepare_defaults(struct dml_writer *w, struct sqlerr *e)
{
    struct table_meta *tm = w->tm;
    w->defaults = arena_alloc(&w->s->ba, sizeof(sqlite3_stmt *) * (size_t)tm->ncols);
    w->defq = arena_alloc(&w->s->ba, sizeof(struct query) * (size_t)tm->ncols);
    if (!w->defaults || !w->defq)
        return -1;
    memset(w->defaults, 0, sizeof(sqlite3_stmt *) * (size_t)tm->ncols);
    for (int i = 0; i < tm->ncols; i++) {
        if (w->colmap[i] >= 0 || !tm->cols[i].def_text || tm->cols[i].identity)
            continue;
        struct perr pe;
        struct expr *x = parser_expr(&w->s->ba, tm->cols[i].def_text, strlen(tm->cols[i].def_text), &pe);
        struct gen g;
        struct tl_type t;
        codegen_gen_init(&g, w->s);
        buf_append_str(&g.sql, "SELECT ");
        if (!x || codegen_expr(&g, NULL, x, &t, NULL)) {
            sqlerr_set(e, 50000, 16, "tdslite: cannot evaluate the default of column '%s'.", tm->cols[i].name);
            codegen_gen_free(&g);
            return -1;
        }
        w->defq[i].cols = arena_alloc(&w->s->ba, sizeof(struct outcol));
        w->defq[i].cols[0].type = t.id == TL_T_UNKNOWN ? (struct tl_type){TL_T_INT, 0, 0, 0} : t;
        int rc = sqlite3_prepare_v2(w->s->db, (char *)g.sql.data, -1, &w->defaults[i], NULL);
        codegen_gen_free(&g);
        if (rc != SQLITE_OK) {
            exec_sqlite_err(w->s, rc, e);
            return -1;
        }
    }
    return 0;
}

int dml_writer_open(struct engine_session *s, struct table_meta *tm, const int *colmap, int n,
                    bool keep_identity, struct dml_writer **wp, struct sqlerr *e)
{
    (void)n;
    struct dml_writer *w = arena_alloc(&s->ba, sizeof(*w));
    struct buf b;
    buf_init(&b, 0);
    if (!w)
        goto fail;
    memset(w, 0, sizeof(*w));
    w->s = s;
    w->tm = tm;
    w->colmap = colmap;
    w->keep_identity = keep_identity;
    w->display = catalog_display_name(&s->ba, tm);
    w->ident_col = -1;
    w->rv_col = -1;
    w->verb = "INSERT";
    w->row = arena_alloc(&s->ba, sizeof(struct tl_value) * (size_t)(tm->ncols ? tm->ncols : 1));
    for (int i = 0; i < tm->ncols; i++) {
        if (tm->cols[i].identity)
            w->ident_col = i;
        if (tm->cols[i].type.id == TL_T_ROWVERSION)
            w->rv_col = i;
    }
    if (w->ident_col >= 0)
        w->ident_cur = catalog_get_identity(s, tm, &w->ident_has);
    if (w->rv_col >= 0)
        w->dbts = catalog_get_dbts(s, tm->dbid);
    buf_appendf(&b, "INSERT INTO \"d%d\".\"t%lld\"(", tm->dbid, (long long)tm->object_id);
    for (int i = 0; i < tm->ncols; i++)
        buf_appendf(&b, "%s\"c%d\"", i ? ", " : "", tm->cols[i].id);
    buf_append_str(&b, ") VALUES (");
    for (int i = 0; i < tm->ncols; i++)
        buf_append_str(&b, i ? ", ?" : "?");
    buf_append_str(&b, ")");
    buf_init(&w->img, 0);
    if (journal_open(s, tm, &w->jr, e)) {
        buf_free(&b);
        return -1;
    }
    /* a journaled table records the row as stored: read it back */
    if (w->jr)
        returning_list(&b, tm);
    if (sqlite3_prepare_v2(s->db, (char *)b.data, -1, &w->ins, NULL) != SQLITE_OK) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        dml_writer_close(w);
        goto fail;
    }
    buf_free(&b);
    if (prepare_defaults(w, e)) {
        dml_writer_close(w);
        return -1;
    }
    *wp = w;
    return 0;
fail:
    buf_free(&b);
    if (!e->number)
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
    return -1;
}

int dml_writer_row(struct dml_writer *w, const struct tl_value *vals, const struct tl_type *types,
                   struct sqlerr *e)
{
    struct table_meta *tm = w->tm;
    struct engine_session *s = w->s;
    for (int i = 0; i < tm->ncols; i++) {
        struct col_meta *c = &tm->cols[i];
        int src = w->colmap[i];
        struct tl_value *out = &w->row[i];
        if (i == w->rv_col) {
            /* every inserted row gets the database's next rowversion;
             * a value from the source (bulk load) is ignored */
            uint8_t *b = arena_alloc(&s->ra, 8);
            if (!b) {
                sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
                return -1;
            }
            catalog_rowversion_bytes(++w->dbts, b);
            w->dbts_used = true;
            *out = (struct tl_value){TL_V_BLOB, 0, 0, b, 8};
        } else if (src >= 0) {
            if (conv_col(w, i, &vals[src], types ? &types[src] : NULL, out, e))
                return -1;
            if (c->identity && out->kind == TL_V_INT) {
                int64_t v = out->i;
                if (!w->ident_has || (c->incr > 0 ? v > w->ident_cur : v < w->ident_cur)) {
                    w->ident_cur = v;
                    w->ident_has = true;
                    w->ident_used = true;
                }
            }
        } else if (c->identity) {
            int64_t next = w->ident_has ? w->ident_cur + c->incr : c->seed;
            w->ident_cur = next;
            w->ident_has = true;
            w->ident_used = true;
            struct tl_value iv = {TL_V_INT, next, 0, NULL, 0};
            struct tl_type bt = {TL_T_BIGINT, 0, 0, 0};
            if (conv_col(w, i, &iv, &bt, out, e))
                return -1;
            s->last_ident = next;
            s->scope_ident = next;
            s->has_ident = true;
        } else if (w->defaults[i]) {
            sqlite3_stmt *d = w->defaults[i];
            sqlite3_reset(d);
            if (sqlite3_step(d) != SQLITE_ROW) {
                exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
                return -1;
            }
            struct tl_value dv;
            if (exec_column_value(s, d, 0, &w->defq[i].cols[0].type, &dv, e))
                return -1;
            if (dv.kind == TL_V_TEXT || dv.kind == TL_V_BLOB)
                dv.p = arena_memdup(&s->ra, dv.p ? dv.p : (const uint8_t *)"", dv.n + 1);
            if (conv_col(w, i, &dv, &w->defq[i].cols[0].type, out, e))
                return -1;
        } else {
            out->kind = TL_V_NULL;
        }
        if (out->kind == TL_V_NULL && !c->nullable) {
            sqlerr_set(e, 515, 16, "Cannot insert the value NULL into column '%s', table '%s'; column does not allow nulls. %s fails.",
                       c->name, w->display, w->verb);
            e->state = 2;
            return -1;
        }
        bind_value(w->ins, i + 1, out);
    }
    int rc = sqlite3_step(w->ins);
    if (rc == SQLITE_ROW && w->jr) {
        journal_image_encode(&w->img, w->ins, 0, tm);
        rc = sqlite3_step(w->ins);
    }
    sqlite3_reset(w->ins);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            constraint_err(s, tm, w->display, w->row, w->verb, e);
        else
            exec_sqlite_err(s, rc, e);
        return -1;
    }
    if (w->jr && journal_row(w->jr, JOURNAL_INSERT, NULL, 0, NULL, &w->img, e))
        return -1;
    return 0;
}

static int writer_finish(struct dml_writer *w)
{
    struct sqlerr e = {0};
    if (w->rv_col >= 0 && w->dbts_used && catalog_set_dbts(w->s, w->tm->dbid, w->dbts, &e))
        return -1;
    if (w->ident_col >= 0 && w->ident_used)
        return catalog_set_identity(w->s, w->tm, w->ident_cur);
    return 0;
}

void dml_writer_close(struct dml_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->ins);
    if (w->defaults)
        for (int i = 0; i < w->tm->ncols; i++)
            sqlite3_finalize(w->defaults[i]);
    w->ins = NULL;
    w->defaults = NULL;
    journal_close(w->jr);
    w->jr = NULL;
    buf_free(&w->img);
}

/* ------------------------------------------------------------ INSERT */

/*
 * Source position of every table column (map[i], -1 = not given) and the
 * number of source values. A rowversion column takes a source position
 * (the column list names it, or VALUES without a list must still give it)
 * but is never mapped: *rv_src is that position, whose value must be
 * DEFAULT (273 otherwise, checked by the caller), or -1.
 */
static int build_colmap(struct engine_session *s, struct stmt *st, struct table_meta *tm,
                        int **colmapp, int *nsrc, int *rv_src, struct sqlerr *e)
{
    int *map = arena_alloc(&s->ba, sizeof(int) * (size_t)(tm->ncols ? tm->ncols : 1));
    bool ident_insert = s->ident_insert_obj == tm->object_id && s->ident_insert_db == tm->dbid;
    *rv_src = -1;
    if (!map)
        return -1;
    for (int i = 0; i < tm->ncols; i++)
        map[i] = -1;
    if (st->ncols) {
        for (int k = 0; k < st->ncols; k++) {
            int found = -1;
            for (int i = 0; i < tm->ncols; i++)
                if (ieq(tm->cols[i].name, st->cols[k]))
                    found = i;
            if (found < 0) {
                sqlerr_set(e, 207, 16, "Invalid column name '%s'.", st->cols[k]);
                return -1;
            }
            if (map[found] >= 0 || (tm->cols[found].type.id == TL_T_ROWVERSION && *rv_src >= 0)) {
                sqlerr_set(e, 264, 16, "The column name '%s' is specified more than once in the SET clause or column list of an INSERT. A column cannot be assigned more than one value in the same clause. Modify the clause to make sure that a column is updated only once. If the SET clause updates columns of a view, the column name '%s' may appear twice in the view definition.",
                           st->cols[k], st->cols[k]);
                return -1;
            }
            if (tm->cols[found].identity && !ident_insert) {
                sqlerr_set(e, 544, 16, "Cannot insert explicit value for identity column in table '%s' when IDENTITY_INSERT is set to OFF.",
                           tm->name);
                return -1;
            }
            if (tm->cols[found].type.id == TL_T_ROWVERSION)
                *rv_src = k;
            else
                map[found] = k;
        }
        *nsrc = st->ncols;
    } else {
        int k = 0;
        for (int i = 0; i < tm->ncols; i++) {
            if (tm->cols[i].identity) {
                if (ident_insert && !st->default_values) {
                    sqlerr_set(e, 545, 16, "An explicit value for the identity column in table '%s' can only be specified when a column list is used and IDENTITY_INSERT is ON.",
                               tm->name);
                    return -1;
                }
                continue;
            }
            if (tm->cols[i].type.id == TL_T_ROWVERSION && !st->default_values)
                *rv_src = k++;
            else
                map[i] = st->default_values ? -1 : k++;
        }
        *nsrc = st->default_values ? 0 : k;
    }
    if (ident_insert && st->ncols) {
        for (int i = 0; i < tm->ncols; i++)
            if (tm->cols[i].identity && map[i] < 0) {
                sqlerr_set(e, 545, 16, "Explicit value must be specified for identity column in table '%s' either when IDENTITY_INSERT is set to ON or when a replication user is inserting into a NOT FOR REPLICATION identity column.",
                           tm->name);
                return -1;
            }
    }
    *colmapp = map;
    return 0;
}

/* One VALUES row: evaluate its expressions (DEFAULT -> column default). */
static int insert_values_row(struct dml_writer *w, struct stmt *st, int r, int nsrc,
                             struct sqlerr *e)
{
    struct engine_session *s = w->s;
    struct expr **row = st->rows[r];
    int n = st->rowlen[r];
    if (n != nsrc) {
        if (!st->ncols)
            sqlerr_set(e, 213, 16, "Column name or number of supplied values does not match table definition.");
        else if (n > nsrc)
            sqlerr_set(e, 110, 16, "There are fewer columns in the INSERT statement than values specified in the VALUES clause. The number of values in the VALUES clause must match the number of columns specified in the INSERT statement.");
        else
            sqlerr_set(e, 109, 16, "There are more columns in the INSERT statement than values specified in the VALUES clause. The number of values in the VALUES clause must match the number of columns specified in the INSERT statement.");
        e->batch_abort = true;
        return -1;
    }
    struct gen g;
    sqlite3_stmt *q = NULL;
    int rc = -1;
    struct tl_type *types = arena_alloc(&s->ba, sizeof(struct tl_type) * (size_t)(n ? n : 1));
    struct tl_value *vals = arena_alloc(&s->ba, sizeof(struct tl_value) * (size_t)(n ? n : 1));
    int *map = (int *)w->colmap;
    int saved[1024];
    int ncols = w->tm->ncols < 1024 ? w->tm->ncols : 1024;
    memcpy(saved, map, sizeof(int) * (size_t)ncols);
    codegen_gen_init(&g, s);
    buf_append_str(&g.sql, "SELECT ");
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (row[i]->kind == EX_DEFAULT) {
            for (int c = 0; c < ncols; c++)
                if (map[c] == i)
                    map[c] = -1;
            types[i] = (struct tl_type){TL_T_UNKNOWN, 0, 0, 0};
            continue;
        }
        if (k++)
            buf_append_str(&g.sql, ", ");
        if (codegen_expr(&g, NULL, row[i], &types[i], NULL)) {
            *e = g.err;
            goto out;
        }
    }
    if (k == 0)
        buf_append_str(&g.sql, "1");
    if (sqlite3_prepare_v2(s->db, (char *)g.sql.data, -1, &q, NULL) != SQLITE_OK ||
        exec_bind_params(s, q, g.params, g.nparams, e)) {
        if (!e->number)
            exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        goto out;
    }
    if (sqlite3_step(q) != SQLITE_ROW) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        goto out;
    }
    k = 0;
    for (int i = 0; i < n; i++) {
        if (row[i]->kind == EX_DEFAULT) {
            vals[i].kind = TL_V_NULL;
            continue;
        }
        struct tl_type ct = types[i].id == TL_T_UNKNOWN ? (struct tl_type){TL_T_INT, 0, 0, 0} : types[i];
        if (exec_column_value(s, q, k++, &ct, &vals[i], e))
            goto out;
    }
    rc = dml_writer_row(w, vals, types, e);
    if (rc == 0 && w->defaults) {
        /* defaults for DEFAULT keywords are prepared lazily */
    }
out:
    memcpy(map, saved, sizeof(int) * (size_t)ncols);
    sqlite3_finalize(q);
    codegen_gen_free(&g);
    return rc;
}

static bool row_has_default(struct stmt *st)
{
    for (int r = 0; r < st->nrows; r++)
        for (int i = 0; i < st->rowlen[r]; i++)
            if (st->rows[r][i]->kind == EX_DEFAULT)
                return true;
    return false;
}

int dml_insert(struct engine_session *s, struct stmt *st, struct sqlerr *e, uint64_t *count)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, e);
    struct dml_writer *w = NULL;
    int *map = NULL, nsrc = 0, rc = -1;
    struct gen g;
    sqlite3_stmt *q = NULL;
    codegen_gen_init(&g, s);
    *count = 0;
    if (!tm || catalog_snapshot_check(s, tm->dbid, e))
        goto out;
    if (tm->dbid != s->dbid && txn_lock(s, tm->dbid, e))
        goto out;
    int rv_src;
    if (build_colmap(s, st, tm, &map, &nsrc, &rv_src, e))
        goto out;
    if (rv_src >= 0) {
        bool explicit_value = !st->nrows && !st->default_values; /* INSERT ... SELECT */
        for (int r = 0; r < st->nrows; r++)
            if (rv_src < st->rowlen[r] && st->rows[r][rv_src]->kind != EX_DEFAULT)
                explicit_value = true;
        if (explicit_value) {
            sqlerr_set(e, 273, 16, "Cannot insert an explicit value into a timestamp column. Use INSERT with a column list to exclude the timestamp column, or insert a DEFAULT into the timestamp column.");
            goto out;
        }
    }
    /* With DEFAULT keywords in VALUES every defaulted column may need its
     * default: prepare them all by opening the writer with an all-missing map. */
    int *wmap = map;
    if (row_has_default(st)) {
        wmap = arena_alloc(&s->ba, sizeof(int) * (size_t)tm->ncols);
        for (int i = 0; i < tm->ncols; i++)
            wmap[i] = -1;
    }
    if (dml_writer_open(s, tm, wmap, nsrc, false, &w, e))
        goto out;
    w->colmap = map;
    if (st->default_values) {
        if (dml_writer_row(w, NULL, NULL, e))
            goto out;
        *count = 1;
    } else if (st->nrows) {
        for (int r = 0; r < st->nrows; r++) {
            arena_reset(&s->ra);
            if (insert_values_row(w, st, r, nsrc, e))
                goto out;
            (*count)++;
        }
    } else {
        struct query qq;
        if (codegen_select(&g, NULL, st->sel, &qq)) {
            *e = g.err;
            goto out;
        }
        if (qq.ncols != nsrc && !st->ncols) {
            sqlerr_set(e, 213, 16, "Column name or number of supplied values does not match table definition.");
            goto out;
        }
        if (qq.ncols != nsrc) {
            sqlerr_set(e, qq.ncols > nsrc ? 121 : 120, 15,
                       qq.ncols > nsrc ? "The select list for the INSERT statement contains more items than the insert list. The number of SELECT values must match the number of INSERT columns."
                                       : "The select list for the INSERT statement contains fewer items than the insert list. The number of SELECT values must match the number of INSERT columns.");
            goto out;
        }
        if (sqlite3_prepare_v2(s->db, qq.sql, -1, &q, NULL) != SQLITE_OK ||
            exec_bind_params(s, q, qq.params, qq.nparams, e)) {
            if (!e->number)
                exec_sqlite_err(s, sqlite3_errcode(s->db), e);
            goto out;
        }
        struct tl_value *vals = arena_alloc(&s->ba, sizeof(struct tl_value) * (size_t)(nsrc ? nsrc : 1));
        struct tl_type *types = arena_alloc(&s->ba, sizeof(struct tl_type) * (size_t)(nsrc ? nsrc : 1));
        for (int i = 0; i < nsrc; i++)
            types[i] = qq.cols[i].type;
        int r;
        while ((r = sqlite3_step(q)) == SQLITE_ROW) {
            arena_reset(&s->ra);
            for (int i = 0; i < nsrc; i++)
                if (exec_column_value(s, q, i, &types[i], &vals[i], e))
                    goto out;
            if (dml_writer_row(w, vals, types, e))
                goto out;
            (*count)++;
            if ((*count & 1023) == 0 && exec_poll_cancel(s)) {
                sqlerr_set(e, 3617, 25, "Query was cancelled by user.");
                goto out;
            }
        }
        if (r != SQLITE_DONE) {
            exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
            goto out;
        }
    }
    if (writer_finish(w)) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(q);
    dml_writer_close(w);
    codegen_gen_free(&g);
    return rc;
}

/* ------------------------------------------------------------ UPDATE / DELETE */

/* Scope and FROM SQL for UPDATE/DELETE; returns the target's SQL alias. */
static char *target_from(struct engine_session *s, struct gen *g, struct scope *sc,
                         struct stmt *st, struct table_meta **tmp, struct sqlerr *e)
{
    memset(sc, 0, sizeof(*sc));
    if (!st->from) {
        struct table_meta *tm = catalog_table(s, &s->ba, &st->name, e);
        if (!tm || catalog_snapshot_check(s, tm->dbid, e))
            return NULL;
        if (codegen_add_table(g, sc, tm, NULL))
            return NULL;
        *tmp = tm;
        buf_appendf(&g->sql, " FROM \"d%d\".\"t%lld\" AS \"%s\"", tm->dbid, (long long)tm->object_id,
                    sc->srcs[0].sqlalias);
        return sc->srcs[0].sqlalias;
    }
    /* UPDATE x SET ... FROM t x JOIN ...: x names a FROM source */
    struct select sel;
    memset(&sel, 0, sizeof(sel));
    struct sel_item it = {0};
    struct expr one = {0};
    one.kind = EX_INT;
    one.s = "1";
    it.e = &one;
    sel.items = &it;
    sel.nitems = 1;
    sel.from = st->from;
    (void)sel;
    /* Generate the FROM clause by hand with a scope we can inspect. */
    buf_append_str(&g->sql, " FROM ");
    if (codegen_from_public(g, sc, st->from)) {
        *e = g->err;
        return NULL;
    }
    for (int i = 0; i < sc->nsrcs; i++) {
        struct src *sr = &sc->srcs[i];
        if (!sr->tm)
            continue;
        bool match = st->name.schema == NULL &&
                     ((sr->alias && ieq(sr->alias, st->name.name)) ||
                      (!sr->alias && ieq(sr->tname, st->name.name)));
        if (!match && ieq(sr->tname, st->name.name) &&
            (!st->name.schema || ieq(sr->schema, st->name.schema)))
            match = true;
        if (match) {
            *tmp = sr->tm;
            return sr->sqlalias;
        }
    }
    /* target not in FROM: SQL Server adds it as a cross join; we refuse */
    sqlerr_set(e, 50000, 16, "UPDATE/DELETE target '%s' must appear in the FROM clause in tdslite.", st->name.name);
    return NULL;
}

int dml_delete(struct engine_session *s, struct stmt *st, struct sqlerr *e, uint64_t *count)
{
    struct gen g;
    struct scope sc;
    struct table_meta *tm = NULL;
    int rc = -1;
    sqlite3_stmt *q = NULL;
    struct journal_rec *jr = NULL;
    struct buf head, img;
    codegen_gen_init(&g, s);
    *count = 0;
    buf_init(&head, 0);
    buf_init(&img, 0);
    char *alias = target_from(s, &g, &sc, st, &tm, e);
    if (!alias)
        goto out;
    if (tm->dbid != s->dbid && txn_lock(s, tm->dbid, e))
        goto out;
    if (st->where) {
        struct tl_type t;
        buf_append_str(&g.sql, " WHERE ");
        if (codegen_expr(&g, &sc, st->where, &t, NULL)) {
            *e = g.err;
            goto out;
        }
    }
    if (st->top) {
        struct tl_type t;
        buf_append_str(&g.sql, " LIMIT ");
        if (codegen_expr(&g, NULL, st->top, &t, NULL)) {
            *e = g.err;
            goto out;
        }
    }
    if (journal_open(s, tm, &jr, e))
        goto out;
    buf_appendf(&head, "DELETE FROM \"d%d\".\"t%lld\" WHERE rowid IN (SELECT \"%s\".rowid%s)", tm->dbid,
                (long long)tm->object_id, alias, (char *)g.sql.data);
    if (jr)
        returning_list(&head, tm);
    if (sqlite3_prepare_v2(s->db, (char *)head.data, -1, &q, NULL) != SQLITE_OK ||
        exec_bind_params(s, q, g.params, g.nparams, e)) {
        if (!e->number)
            exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        goto out;
    }
    /* a journaled table's deleted rows come back (RETURNING) to be recorded */
    uint64_t n = 0;
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        journal_image_encode(&img, q, 0, tm);
        if (journal_row(jr, JOURNAL_DELETE, NULL, 0, &img, NULL, e))
            goto out;
        n++;
    }
    if (r != SQLITE_DONE) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        goto out;
    }
    *count = jr ? n : (uint64_t)sqlite3_changes64(s->db);
    rc = 0;
out:
    sqlite3_finalize(q);
    journal_close(jr);
    buf_free(&img);
    buf_free(&head);
    codegen_gen_free(&g);
    return rc;
}

int dml_truncate(struct engine_session *s, struct stmt *st, struct sqlerr *e)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, e);
    if (!tm || cdc_truncate_check(s, tm, e) || ct_truncate(s, tm, e)) /* 4711 on a CDC table */
        return -1;
    char *sql = sqlite3_mprintf("DELETE FROM \"d%d\".\"t%lld\"; UPDATE \"d%d\".tl_columns SET ident_current = NULL WHERE object_id = %lld",
                                tm->dbid, (long long)tm->object_id, tm->dbid, (long long)tm->object_id);
    int rc = exec_sql(s, sql, e);
    sqlite3_free(sql);
    return rc;
}

/* Materialised update row: rowid and new values (copied). */
struct urow {
    int64_t rowid;
    struct tl_value *v;
};

/* Does the SET list touch a column of a unique index (the key)? */
static bool sets_unique_key(const struct table_meta *tm, const int *cols, int nset)
{
    for (int k = 0; k < tm->nidx; k++) {
        if (!tm->idx[k].unique)
            continue;
        for (int j = 0; j < tm->idx[k].ncols; j++)
            for (int c = 0; c < nset; c++)
                if (tm->cols[cols[c]].id == tm->idx[k].cols[j])
                    return true;
    }
    return false;
}

/* What update_split needs of the running UPDATE. */
struct split {
    struct table_meta *tm;
    const char *display;
    const int *cols;   /* SET column index in tm->cols, per SET item */
    int nset;
    int rv_col;        /* rowversion column index or -1 */
    struct journal_rec *jr;
    const int *jcols;
    int njcols;
};

/*
 * An UPDATE that changes key columns of several rows, as SQL Server does
 * it: uniqueness holds for the statement's result, not row by row (SET id
 * = id + 1 over 1, 2, 3 works). Every row is deleted first, then inserted
 * again with its new values under the same rowid; a real duplicate fails
 * with 2627/2601 on the insert. Journaled like any update (op 3).
 */
static int update_split(struct engine_session *s, const struct split *sp, struct urow *rows, size_t nrows,
                        int64_t *dbts, struct sqlerr *e)
{
    struct table_meta *tm = sp->tm;
    sqlite3_stmt *get = NULL, *del = NULL, *ins = NULL;
    struct arena ka;
    struct buf b, after;
    int rc = -1;
    arena_init(&ka, 0, 0);
    buf_init(&b, 0);
    buf_init(&after, 0);
    struct tl_value **old = sl_calloc(nrows, sizeof(*old));
    struct buf *imgs = sp->jr ? sl_calloc(nrows, sizeof(*imgs)) : NULL;
    if (!old || (sp->jr && !imgs)) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        goto out;
    }
    buf_append_str(&b, "SELECT ");
    for (int c = 0; c < tm->ncols; c++)
        buf_appendf(&b, "%s\"c%d\"", c ? ", " : "", tm->cols[c].id);
    buf_appendf(&b, " FROM \"d%d\".\"t%lld\" WHERE rowid = ?", tm->dbid, (long long)tm->object_id);
    if (sqlite3_prepare_v2(s->db, (char *)b.data, -1, &get, NULL) != SQLITE_OK)
        goto sqlfail;
    buf_reset(&b);
    buf_appendf(&b, "DELETE FROM \"d%d\".\"t%lld\" WHERE rowid = ?", tm->dbid, (long long)tm->object_id);
    if (sqlite3_prepare_v2(s->db, (char *)b.data, -1, &del, NULL) != SQLITE_OK)
        goto sqlfail;
    buf_reset(&b);
    buf_appendf(&b, "INSERT INTO \"d%d\".\"t%lld\"(rowid", tm->dbid, (long long)tm->object_id);
    for (int c = 0; c < tm->ncols; c++)
        buf_appendf(&b, ", \"c%d\"", tm->cols[c].id);
    buf_append_str(&b, ") VALUES (?");
    for (int c = 0; c < tm->ncols; c++)
        buf_append_str(&b, ", ?");
    buf_append_str(&b, ")");
    if (sp->jr)
        returning_list(&b, tm);
    if (sqlite3_prepare_v2(s->db, (char *)b.data, -1, &ins, NULL) != SQLITE_OK)
        goto sqlfail;
    /* phase 1: remember and delete every row */
    for (size_t i = 0; i < nrows; i++) {
        sqlite3_reset(get);
        sqlite3_bind_int64(get, 1, rows[i].rowid);
        if (sqlite3_step(get) != SQLITE_ROW)
            goto sqlfail;
        old[i] = arena_alloc(&ka, sizeof(struct tl_value) * (size_t)(tm->ncols ? tm->ncols : 1));
        if (!old[i])
            goto sqlfail;
        for (int c = 0; c < tm->ncols; c++) {
            if (exec_column_value(s, get, c, &tm->cols[c].type, &old[i][c], e))
                goto out;
            if (old[i][c].kind == TL_V_TEXT || old[i][c].kind == TL_V_BLOB)
                old[i][c].p = arena_memdup(&ka, old[i][c].p ? old[i][c].p : (const uint8_t *)"", old[i][c].n + 1);
        }
        if (imgs) {
            buf_init(&imgs[i], 0);
            journal_image_encode(&imgs[i], get, 0, tm);
        }
        sqlite3_reset(get);
        sqlite3_reset(del);
        sqlite3_bind_int64(del, 1, rows[i].rowid);
        if (sqlite3_step(del) != SQLITE_DONE)
            goto sqlfail;
    }
    /* phase 2: insert the new versions */
    for (size_t i = 0; i < nrows; i++) {
        for (int k = 0; k < sp->nset; k++)
            old[i][sp->cols[k]] = rows[i].v[k];
        uint8_t rv[8];
        if (sp->rv_col >= 0) {
            catalog_rowversion_bytes(++*dbts, rv);
            old[i][sp->rv_col] = (struct tl_value){TL_V_BLOB, 0, 0, rv, 8};
        }
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, rows[i].rowid);
        for (int c = 0; c < tm->ncols; c++)
            bind_value(ins, c + 2, &old[i][c]);
        int r = sqlite3_step(ins);
        if (r == SQLITE_ROW && sp->jr) {
            journal_image_encode(&after, ins, 0, tm);
            r = sqlite3_step(ins);
        }
        if (r != SQLITE_DONE) {
            if ((r & 0xff) == SQLITE_CONSTRAINT)
                constraint_err(s, tm, sp->display, old[i], "UPDATE", e);
            else
                exec_sqlite_err(s, r, e);
            goto out;
        }
        sqlite3_reset(ins);
        if (sp->jr && journal_row(sp->jr, JOURNAL_UPDATE, sp->jcols, sp->njcols, &imgs[i], &after, e))
            goto out;
    }
    rc = 0;
    goto out;
sqlfail:
    if (!e->number)
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
out:
    sqlite3_finalize(get);
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    if (imgs)
        for (size_t i = 0; i < nrows; i++)
            buf_free(&imgs[i]);
    sl_free(imgs);
    sl_free(old);
    buf_free(&b);
    buf_free(&after);
    arena_free(&ka);
    return rc;
}

int dml_update(struct engine_session *s, struct stmt *st, struct sqlerr *e, uint64_t *count)
{
    struct gen g;
    struct scope sc;
    struct table_meta *tm = NULL;
    int rc = -1;
    sqlite3_stmt *q = NULL, *u = NULL, *bef = NULL;
    struct journal_rec *jr = NULL;
    int *jcols = NULL, njcols = 0;
    struct buf sel, from, img_before, img_after;
    buf_init(&sel, 0);
    buf_init(&from, 0);
    buf_init(&img_before, 0);
    buf_init(&img_after, 0);
    codegen_gen_init(&g, s);
    *count = 0;
    char *alias = target_from(s, &g, &sc, st, &tm, e);
    if (!alias)
        goto out;
    if (tm->dbid != s->dbid && txn_lock(s, tm->dbid, e))
        goto out;
    buf_append(&from, g.sql.data, g.sql.len);
    buf_reset(&g.sql);
    int *cols = arena_alloc(&s->ba, sizeof(int) * (size_t)st->nset);
    struct tl_type *types = arena_alloc(&s->ba, sizeof(struct tl_type) * (size_t)st->nset);
    buf_appendf(&sel, "SELECT \"%s\".rowid", alias);
    for (int k = 0; k < st->nset; k++) {
        cols[k] = -1;
        for (int i = 0; i < tm->ncols; i++)
            if (ieq(tm->cols[i].name, st->set_cols[k]))
                cols[k] = i;
        if (cols[k] < 0) {
            sqlerr_set(e, 207, 16, "Invalid column name '%s'.", st->set_cols[k]);
            goto out;
        }
        if (tm->cols[cols[k]].identity) {
            sqlerr_set(e, 8102, 16, "Cannot update identity column '%s'.", tm->cols[cols[k]].name);
            goto out;
        }
        if (tm->cols[cols[k]].type.id == TL_T_ROWVERSION) {
            sqlerr_set(e, 272, 16, "Cannot update a timestamp column.");
            goto out;
        }
        buf_truncate(&g.sql, 0);
        if (st->set_vals[k]->kind == EX_DEFAULT) {
            if (tm->cols[cols[k]].def_text) {
                struct perr pe;
                struct expr *dx = parser_expr(&s->ba, tm->cols[cols[k]].def_text, strlen(tm->cols[cols[k]].def_text), &pe);
                if (!dx || codegen_expr(&g, &sc, dx, &types[k], NULL)) {
                    *e = g.err;
                    goto out;
                }
            } else {
                buf_append_str(&g.sql, "NULL");
                types[k] = (struct tl_type){TL_T_UNKNOWN, 0, 0, 0};
            }
        } else if (codegen_expr(&g, &sc, st->set_vals[k], &types[k], NULL)) {
            *e = g.err;
            goto out;
        }
        buf_appendf(&sel, ", %s", (char *)g.sql.data);
    }
    buf_append(&sel, from.data, from.len);
    if (st->where) {
        struct tl_type t;
        buf_reset(&g.sql);
        if (codegen_expr(&g, &sc, st->where, &t, NULL)) {
            *e = g.err;
            goto out;
        }
        buf_appendf(&sel, " WHERE %s", (char *)g.sql.data);
    }
    if (st->top) {
        struct tl_type t;
        buf_reset(&g.sql);
        if (codegen_expr(&g, NULL, st->top, &t, NULL)) {
            *e = g.err;
            goto out;
        }
        buf_appendf(&sel, " LIMIT %s", (char *)g.sql.data);
    }
    if (sqlite3_prepare_v2(s->db, (char *)sel.data, -1, &q, NULL) != SQLITE_OK ||
        exec_bind_params(s, q, g.params, g.nparams, e)) {
        if (!e->number)
            exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        goto out;
    }
    /* materialise */
    struct urow *rows = NULL;
    size_t nrows = 0, caprows = 0;
    struct arena ua;
    arena_init(&ua, 0, 0);
    int r;
    struct dml_writer w = {0};
    w.s = s;
    w.tm = tm;
    w.display = catalog_display_name(&s->ba, tm);
    w.verb = "UPDATE";
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (nrows == caprows) {
            size_t nc = caprows ? caprows * 2 : 64;
            struct urow *nr = sl_realloc(rows, sizeof(*nr) * nc);
            if (!nr) {
                sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
                goto uout;
            }
            rows = nr;
            caprows = nc;
        }
        struct urow *ur = &rows[nrows];
        ur->rowid = sqlite3_column_int64(q, 0);
        ur->v = arena_alloc(&ua, sizeof(struct tl_value) * (size_t)st->nset);
        arena_reset(&s->ra);
        for (int k = 0; k < st->nset; k++) {
            struct tl_value v, cv;
            struct tl_type ct = types[k].id == TL_T_UNKNOWN ? (struct tl_type){TL_T_INT, 0, 0, 0} : types[k];
            if (exec_column_value(s, q, k + 1, &ct, &v, e) || conv_col(&w, cols[k], &v, &types[k], &cv, e))
                goto uout;
            if (cv.kind == TL_V_NULL && !tm->cols[cols[k]].nullable) {
                sqlerr_set(e, 515, 16, "Cannot insert the value NULL into column '%s', table '%s'; column does not allow nulls. UPDATE fails.",
                           tm->cols[cols[k]].name, w.display);
                e->state = 2;
                goto uout;
            }
            if (cv.kind == TL_V_TEXT || cv.kind == TL_V_BLOB)
                cv.p = arena_memdup(&ua, cv.p ? cv.p : (const uint8_t *)"", cv.n + 1);
            ur->v[k] = cv;
        }
        nrows++;
    }
    if (r != SQLITE_DONE) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        goto uout;
    }
    sqlite3_finalize(q);
    q = NULL;
    buf_reset(&sel);
    buf_appendf(&sel, "UPDATE \"d%d\".\"t%lld\" SET ", tm->dbid, (long long)tm->object_id);
    for (int k = 0; k < st->nset; k++)
        buf_appendf(&sel, "%s\"c%d\" = ?", k ? ", " : "", tm->cols[cols[k]].id);
    /* every updated row of a table with a rowversion gets a new one, even
     * when no value changes */
    int rv_col = -1;
    for (int c = 0; c < tm->ncols; c++)
        if (tm->cols[c].type.id == TL_T_ROWVERSION)
            rv_col = c;
    int64_t dbts = rv_col >= 0 ? catalog_get_dbts(s, tm->dbid) : 0;
    if (rv_col >= 0)
        buf_appendf(&sel, ", \"c%d\" = ?", tm->cols[rv_col].id);
    buf_append_str(&sel, " WHERE rowid = ?");
    if (nrows && journal_open(s, tm, &jr, e))
        goto uout;
    if (jr) {
        /* journaled: each row's image before (bef) and after (RETURNING) */
        returning_list(&sel, tm);
        jcols = arena_alloc(&s->ba, sizeof(int) * (size_t)(st->nset + 1));
        for (int k = 0; k < st->nset; k++)
            jcols[njcols++] = tm->cols[cols[k]].id;
        if (rv_col >= 0)
            jcols[njcols++] = tm->cols[rv_col].id;
        struct buf bq;
        buf_init(&bq, 0);
        buf_append_str(&bq, "SELECT ");
        for (int c = 0; c < tm->ncols; c++)
            buf_appendf(&bq, "%s\"c%d\"", c ? ", " : "", tm->cols[c].id);
        buf_appendf(&bq, " FROM \"d%d\".\"t%lld\" WHERE rowid = ?", tm->dbid, (long long)tm->object_id);
        int prc = sqlite3_prepare_v2(s->db, (char *)bq.data, -1, &bef, NULL);
        buf_free(&bq);
        if (prc != SQLITE_OK) {
            exec_sqlite_err(s, sqlite3_errcode(s->db), e);
            goto uout;
        }
    }
    if (nrows > 1 && sets_unique_key(tm, cols, st->nset)) {
        struct split sp = {tm, w.display, cols, st->nset, rv_col, jr, jcols, njcols};
        if (update_split(s, &sp, rows, nrows, &dbts, e))
            goto uout;
        goto applied;
    }
    if (sqlite3_prepare_v2(s->db, (char *)sel.data, -1, &u, NULL) != SQLITE_OK) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        goto uout;
    }
    for (size_t i = 0; i < nrows; i++) {
        int nb = st->nset;
        for (int k = 0; k < st->nset; k++)
            bind_value(u, k + 1, &rows[i].v[k]);
        if (rv_col >= 0) {
            uint8_t rv[8];
            catalog_rowversion_bytes(++dbts, rv);
            sqlite3_bind_blob(u, ++nb, rv, 8, SQLITE_TRANSIENT);
        }
        sqlite3_bind_int64(u, nb + 1, rows[i].rowid);
        if (jr) {
            sqlite3_reset(bef);
            sqlite3_bind_int64(bef, 1, rows[i].rowid);
            if (sqlite3_step(bef) != SQLITE_ROW) {
                exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
                goto uout;
            }
            journal_image_encode(&img_before, bef, 0, tm);
            sqlite3_reset(bef);
        }
        r = sqlite3_step(u);
        if (r == SQLITE_ROW && jr) {
            journal_image_encode(&img_after, u, 0, tm);
            r = sqlite3_step(u);
        }
        sqlite3_reset(u);
        if (r == SQLITE_DONE && jr &&
            journal_row(jr, JOURNAL_UPDATE, jcols, njcols, &img_before, &img_after, e))
            goto uout;
        if (r != SQLITE_DONE) {
            if ((r & 0xff) == SQLITE_CONSTRAINT) {
                /* rebuild the full row for the message */
                struct tl_value *full = arena_alloc(&s->ba, sizeof(struct tl_value) * (size_t)tm->ncols);
                for (int c = 0; c < tm->ncols; c++)
                    full[c].kind = TL_V_NULL;
                for (int k = 0; k < st->nset; k++)
                    full[cols[k]] = rows[i].v[k];
                char *sql = sqlite3_mprintf("SELECT * FROM \"d%d\".\"t%lld\" WHERE rowid = %lld", tm->dbid,
                                            (long long)tm->object_id, (long long)rows[i].rowid);
                sqlite3_stmt *cur = NULL;
                /* the failed UPDATE left the old row: read the unchanged columns */
                if (sqlite3_prepare_v2(s->db, sql, -1, &cur, NULL) == SQLITE_OK && sqlite3_step(cur) == SQLITE_ROW) {
                    for (int c = 0; c < tm->ncols; c++) {
                        bool set = false;
                        for (int k = 0; k < st->nset; k++)
                            set |= cols[k] == c;
                        if (!set) {
                            struct tl_value v;
                            struct sqlerr ig = {0};
                            if (exec_column_value(s, cur, c, &tm->cols[c].type, &v, &ig) == 0) {
                                if (v.kind == TL_V_TEXT || v.kind == TL_V_BLOB)
                                    v.p = arena_memdup(&s->ba, v.p, v.n + 1);
                                full[c] = v;
                            }
                        }
                    }
                }
                sqlite3_finalize(cur);
                sqlite3_free(sql);
                sqlite3_reset(u);
                sqlite3_step(u); /* reproduce the error for errmsg */
                constraint_err(s, tm, w.display, full, "UPDATE", e);
                sqlite3_reset(u);
            } else {
                exec_sqlite_err(s, r, e);
            }
            goto uout;
        }
    }
applied:
    if (rv_col >= 0 && nrows > 0 && catalog_set_dbts(s, tm->dbid, dbts, e))
        goto uout;
    *count = nrows;
    rc = 0;
uout:
    sl_free(rows);
    arena_free(&ua);
out:
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    sqlite3_finalize(bef);
    journal_close(jr);
    buf_free(&img_before);
    buf_free(&img_after);
    buf_free(&sel);
    buf_free(&from);
    codegen_gen_free(&g);
    return rc;
}

int dml_writer_finish_public(struct dml_writer *w)
{
    return writer_finish(w);
}
