/*
 * parser: tokens -> AST for the T-SQL subset tdslite runs.
 *
 * A hand-written recursive-descent parser. Statements need no separator
 * (T-SQL allows "SET FMTONLY ON select * from t SET FMTONLY OFF"); each
 * statement starts with its keyword. Syntax errors are reported as SQL
 * Server does: 102 "Incorrect syntax near 'x'." or, when the offending
 * token is a reserved keyword, 156 "Incorrect syntax near the keyword 'x'.".
 * A syntax error anywhere fails the whole batch before anything runs.
 *
 * Errors unwind with longjmp to parser_batch: every allocation is in the
 * batch arena, so nothing leaks and the recursive functions stay short.
 * Statements the engine does not implement parse into ST_UNSUPPORTED with a
 * description, so exec can answer "... is not supported by tdslite".
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

struct ps {
    struct arena *a;
    struct token *t;
    int n, i;
    jmp_buf jb;
    struct perr *pe;
    const char *sql;
};

static const char *reserved[] = {
    "ADD", "ALL", "ALTER", "AND", "ANY", "AS", "ASC", "BEGIN", "BETWEEN", "BREAK", "BY",
    "CASE", "CHECK", "CLUSTERED", "COLLATE", "COLUMN", "COMMIT", "CONSTRAINT", "CONTINUE",
    "CONVERT", "CREATE", "CROSS", "CURRENT", "DATABASE", "DECLARE", "DEFAULT", "DELETE",
    "DESC", "DISTINCT", "DROP", "ELSE", "END", "ESCAPE", "EXCEPT", "EXEC", "EXECUTE",
    "EXISTS", "FETCH", "FOR", "FOREIGN", "FROM", "FULL", "GOTO", "GRANT", "GROUP", "HAVING",
    "IDENTITY", "IF", "IN", "INDEX", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN",
    "KEY", "LEFT", "LIKE", "MERGE", "NOT", "NULL", "NULLIF", "OF", "OFF", "ON", "OPTION", "OR",
    "ORDER", "OUTER", "PERCENT", "PRIMARY", "PRINT", "PROC", "PROCEDURE", "RAISERROR",
    "REFERENCES", "RETURN", "RIGHT", "ROLLBACK", "SAVE", "SCHEMA", "SELECT", "SET", "TABLE",
    "THEN", "TOP", "TRAN", "TRANSACTION", "TRUNCATE", "UNION", "UNIQUE", "UPDATE", "USE",
    "VALUES", "WHEN", "WHERE", "WHILE", "WITH", NULL};

static bool is_reserved(const char *s)
{
    for (int i = 0; reserved[i]; i++)
        if (ieq(s, reserved[i]))
            return true;
    return false;
}

static struct token *cur(struct ps *p) { return &p->t[p->i]; }
static struct token *peekn(struct ps *p, int k)
{
    int j = p->i + k;
    return &p->t[j < p->n ? j : p->n - 1];
}

static void *alloc(struct ps *p, size_t n)
{
    void *m = arena_alloc(p->a, n);
    if (!m) {
        p->pe->number = 701;
        snprintf(p->pe->text, sizeof(p->pe->text),
                 "There is insufficient system memory to run this query.");
        longjmp(p->jb, 1);
    }
    memset(m, 0, n);
    return m;
}

static char *dup(struct ps *p, const char *s)
{
    return arena_strdup(p->a, s);
}

/* Raise 102/156 near the current token. */
static void fail(struct ps *p)
{
    struct token *t = cur(p);
    if (t->kind == TK_EOF && p->i > 0)
        t = &p->t[p->i - 1];
    p->pe->line = t->line;
    if (t->kind == TK_IDENT && is_reserved(t->text)) {
        p->pe->number = 156;
        snprintf(p->pe->text, sizeof(p->pe->text), "Incorrect syntax near the keyword '%s'.",
                 t->text);
    } else {
        p->pe->number = 102;
        const char *near = t->text;
        if (t->kind == TK_STR || t->kind == TK_NSTR || t->kind == TK_QIDENT)
            near = t->text;
        snprintf(p->pe->text, sizeof(p->pe->text), "Incorrect syntax near '%.400s'.", near);
    }
    longjmp(p->jb, 1);
}

static bool is_kw(struct token *t, const char *kw)
{
    return t->kind == TK_IDENT && ieq(t->text, kw);
}
static bool at(struct ps *p, const char *kw) { return is_kw(cur(p), kw); }
static bool at_op(struct ps *p, const char *op)
{
    return cur(p)->kind == TK_OP && strcmp(cur(p)->text, op) == 0;
}
static bool accept(struct ps *p, const char *kw)
{
    if (at(p, kw)) {
        p->i++;
        return true;
    }
    return false;
}
static bool accept_op(struct ps *p, const char *op)
{
    if (at_op(p, op)) {
        p->i++;
        return true;
    }
    return false;
}
static void expect(struct ps *p, const char *kw)
{
    if (!accept(p, kw))
        fail(p);
}
static void expect_op(struct ps *p, const char *op)
{
    if (!accept_op(p, op))
        fail(p);
}

static bool is_name_tok(struct token *t)
{
    return t->kind == TK_QIDENT || (t->kind == TK_IDENT && !is_reserved(t->text));
}

/* An identifier (bracketed, or a plain non-reserved word). */
static char *ident(struct ps *p)
{
    struct token *t = cur(p);
    if (!is_name_tok(t))
        fail(p);
    p->i++;
    return dup(p, t->text);
}

/* Identifier allowing keywords (after a dot, option names). */
static char *ident_any(struct ps *p)
{
    struct token *t = cur(p);
    if (t->kind != TK_IDENT && t->kind != TK_QIDENT)
        fail(p);
    p->i++;
    return dup(p, t->text);
}

/* [server.][db.][schema.]name with empty parts allowed (db..t). */
static struct name3 name3(struct ps *p)
{
    char *parts[4] = {0};
    int np = 0;
    parts[np++] = ident_any(p);
    while (at_op(p, ".") && np < 4) {
        p->i++;
        if (at_op(p, ".")) {
            parts[np++] = NULL;
            continue;
        }
        parts[np++] = ident_any(p);
    }
    struct name3 n = {0};
    n.name = parts[np - 1];
    if (np >= 2)
        n.schema = parts[np - 2];
    if (np >= 3)
        n.db = parts[np - 3];
    if (!n.name)
        fail(p);
    return n;
}

static struct expr *newx(struct ps *p, enum ex_kind k)
{
    struct expr *e = alloc(p, sizeof(*e));
    e->kind = k;
    e->line = cur(p)->line;
    return e;
}

static struct expr *expr(struct ps *p);
static struct select *select_stmt(struct ps *p);
static struct select *query_expr(struct ps *p);

/* Type name: ident [ '(' n [, m] | MAX ')' ] -> tl_type via value_parse_type. */
static struct tl_type type_name_parse(struct ps *p, char **textp)
{
    size_t st = cur(p)->pos;
    struct token *first = cur(p);
    if (first->kind != TK_IDENT && first->kind != TK_QIDENT)
        fail(p);
    p->i++;
    /* two-word types */
    if (ieq(first->text, "double") && at(p, "precision"))
        p->i++;
    else if ((ieq(first->text, "national") || ieq(first->text, "char") ||
              ieq(first->text, "character")) &&
             (at(p, "varying") || at(p, "char") || at(p, "character")))
        p->i++;
    if (at_op(p, "(")) {
        while (!at_op(p, ")")) {
            if (cur(p)->kind == TK_EOF)
                fail(p);
            p->i++;
        }
        p->i++;
    }
    size_t en = p->t[p->i - 1].pos + p->t[p->i - 1].len;
    if (p->t[p->i - 1].kind == TK_QIDENT)
        en++;
    char *text = arena_strndup(p->a, p->sql + st, en - st);
    /* brackets around the name: [int] */
    if (first->kind == TK_QIDENT && p->t[p->i - 1].kind == TK_QIDENT)
        text = dup(p, first->text);
    struct tl_type t = {0};
    struct value_error ve;
    if (value_parse_type(text, strlen(text), &t, &ve) != 0) {
        p->pe->number = 2715;
        p->pe->line = first->line;
        snprintf(p->pe->text, sizeof(p->pe->text),
                 "Column, parameter, or variable #1: Cannot find data type %s.", first->text);
        longjmp(p->jb, 1);
    }
    if (textp)
        *textp = text;
    return t;
}

static struct expr **expr_list(struct ps *p, int *n)
{
    int cap = 4;
    struct expr **v = alloc(p, sizeof(*v) * (size_t)cap);
    *n = 0;
    do {
        if (*n == cap) {
            struct expr **nv = alloc(p, sizeof(*v) * (size_t)cap * 2);
            memcpy(nv, v, sizeof(*v) * (size_t)cap);
            v = nv;
            cap *= 2;
        }
        v[(*n)++] = expr(p);
    } while (accept_op(p, ","));
    return v;
}

static bool at_select_start(struct ps *p)
{
    return at(p, "SELECT") || (at_op(p, "(") && is_kw(peekn(p, 1), "SELECT"));
}

static struct expr *func_call(struct ps *p, char *name, int line)
{
    struct expr *e = newx(p, EX_FUNC);
    e->line = line;
    e->s = upper_dup(p->a, name);
    expect_op(p, "(");
    if (accept_op(p, ")"))
        return e;
    if (ieq(name, "COUNT") || ieq(name, "COUNT_BIG")) {
        if (accept_op(p, "*")) {
            e->star = true;
            expect_op(p, ")");
            return e;
        }
    }
    if (accept(p, "DISTINCT"))
        e->distinct = true;
    else
        accept(p, "ALL");
    e->args = expr_list(p, &e->nargs);
    expect_op(p, ")");
    if (at(p, "OVER"))
        fail(p);
    if (at(p, "WITHIN"))
        fail(p);
    return e;
}

static struct expr *primary(struct ps *p)
{
    struct token *t = cur(p);
    struct expr *e;
    switch (t->kind) {
    case TK_INT:
        e = newx(p, EX_INT);
        e->s = dup(p, t->text);
        p->i++;
        return e;
    case TK_DEC:
        e = newx(p, EX_DEC);
        e->s = dup(p, t->text);
        p->i++;
        return e;
    case TK_FLOAT:
        e = newx(p, EX_FLOAT);
        e->s = dup(p, t->text);
        p->i++;
        return e;
    case TK_STR:
    case TK_NSTR:
        e = newx(p, t->kind == TK_STR ? EX_STR : EX_NSTR);
        e->s = dup(p, t->text);
        e->slen = t->len;
        p->i++;
        return e;
    case TK_BIN: {
        e = newx(p, EX_BIN);
        size_t hn = t->len, nb = (hn + 1) / 2;
        uint8_t *b = alloc(p, nb + 1);
        size_t j = 0, k = 0;
        if (hn % 2) { /* odd digit count: leading 0 */
            b[k++] = (uint8_t)strtol((char[]){t->text[0], 0}, NULL, 16);
            j = 1;
        }
        for (; j + 1 < hn + 1 && j < hn; j += 2) {
            char hx[3] = {t->text[j], t->text[j + 1], 0};
            b[k++] = (uint8_t)strtol(hx, NULL, 16);
        }
        e->s = (char *)b;
        e->slen = k;
        p->i++;
        return e;
    }
    case TK_VAR:
        e = newx(p, t->text[1] == '@' ? EX_GVAR : EX_VAR);
        e->s = dup(p, t->text);
        p->i++;
        return e;
    case TK_OP:
        if (at_op(p, "(")) {
            if (is_kw(peekn(p, 1), "SELECT") || is_kw(peekn(p, 1), "WITH")) {
                p->i++;
                e = newx(p, EX_SUBQ);
                e->sub = query_expr(p);
                expect_op(p, ")");
                return e;
            }
            p->i++;
            e = expr(p);
            expect_op(p, ")");
            return e;
        }
        fail(p);
        break;
    case TK_IDENT:
    case TK_QIDENT:
        break;
    default:
        fail(p);
    }
    int line = t->line;
    if (t->kind == TK_IDENT) {
        if (ieq(t->text, "NULL")) {
            p->i++;
            return newx(p, EX_NULL);
        }
        if (ieq(t->text, "DEFAULT")) {
            p->i++;
            return newx(p, EX_DEFAULT);
        }
        if (ieq(t->text, "CASE")) {
            p->i++;
            e = newx(p, EX_CASE);
            e->line = line;
            if (!at(p, "WHEN"))
                e->a = expr(p);
            int cap = 4;
            e->whens = alloc(p, sizeof(struct when) * (size_t)cap);
            while (accept(p, "WHEN")) {
                if (e->nwhens == cap) {
                    struct when *nw = alloc(p, sizeof(struct when) * (size_t)cap * 2);
                    memcpy(nw, e->whens, sizeof(struct when) * (size_t)cap);
                    e->whens = nw;
                    cap *= 2;
                }
                e->whens[e->nwhens].when = expr(p);
                expect(p, "THEN");
                e->whens[e->nwhens++].then = expr(p);
            }
            if (e->nwhens == 0)
                fail(p);
            if (accept(p, "ELSE"))
                e->c = expr(p);
            expect(p, "END");
            return e;
        }
        if ((ieq(t->text, "CAST") || ieq(t->text, "TRY_CAST")) && is_kw(t, t->text) &&
            peekn(p, 1)->kind == TK_OP && peekn(p, 1)->text[0] == '(') {
            bool try = ieq(t->text, "TRY_CAST");
            p->i += 2;
            e = newx(p, EX_CAST);
            e->line = line;
            e->a = expr(p);
            expect(p, "AS");
            e->ty = type_name_parse(p, NULL);
            expect_op(p, ")");
            e->style = -1;
            e->neg = try;
            return e;
        }
        if ((ieq(t->text, "CONVERT") || ieq(t->text, "TRY_CONVERT")) &&
            peekn(p, 1)->kind == TK_OP && peekn(p, 1)->text[0] == '(') {
            bool try = ieq(t->text, "TRY_CONVERT");
            p->i += 2;
            e = newx(p, EX_CAST);
            e->line = line;
            e->ty = type_name_parse(p, NULL);
            expect_op(p, ",");
            e->a = expr(p);
            if (accept_op(p, ","))
                e->b = expr(p);
            expect_op(p, ")");
            e->neg = try;
            return e;
        }
        if (ieq(t->text, "EXISTS")) {
            p->i++;
            expect_op(p, "(");
            e = newx(p, EX_EXISTS);
            e->line = line;
            e->sub = query_expr(p);
            expect_op(p, ")");
            return e;
        }
        if (is_reserved(t->text) && !ieq(t->text, "LEFT") && !ieq(t->text, "RIGHT") &&
            !ieq(t->text, "NULLIF") && !ieq(t->text, "IDENTITY") && !ieq(t->text, "CURRENT"))
            fail(p);
        if (ieq(t->text, "CURRENT_TIMESTAMP")) {
            p->i++;
            e = newx(p, EX_FUNC);
            e->s = dup(p, "GETDATE");
            return e;
        }
        /* the niladic security functions (no parentheses) */
        if ((ieq(t->text, "SYSTEM_USER") || ieq(t->text, "CURRENT_USER") || ieq(t->text, "SESSION_USER") ||
             ieq(t->text, "USER")) && !(peekn(p, 1)->kind == TK_OP && !strcmp(peekn(p, 1)->text, "("))) {
            p->i++;
            e = newx(p, EX_FUNC);
            e->s = dup(p, ieq(t->text, "SYSTEM_USER") ? "SUSER_SNAME" : "USER_NAME");
            return e;
        }
    }
    /* name or function call */
    p->i++;
    if (at_op(p, "(") && t->kind == TK_IDENT)
        return func_call(p, (char *)t->text, line);
    e = newx(p, EX_COL);
    e->line = line;
    char *parts[4];
    int np = 0;
    parts[np++] = dup(p, t->text);
    while (at_op(p, ".") && np < 4) {
        p->i++;
        if (at_op(p, "*")) { /* t.* handled by select list */
            p->i--;
            break;
        }
        struct token *nt = cur(p);
        if (nt->kind != TK_IDENT && nt->kind != TK_QIDENT)
            fail(p);
        p->i++;
        if (at_op(p, "(") && nt->kind == TK_IDENT) {
            /* schema-qualified function: dbo.fn(), sys.fn_x() */
            char *fname = arena_printf(p->a, "%s.%s", parts[np - 1], nt->text);
            return func_call(p, fname, line);
        }
        parts[np++] = dup(p, nt->text);
    }
    e->s = parts[np - 1];
    e->nq = np - 1;
    for (int k = 0; k < np - 1 && k < 3; k++)
        e->q[k] = parts[k];
    return e;
}

static struct expr *unary(struct ps *p)
{
    if (at_op(p, "-")) {
        p->i++;
        struct token *t = cur(p);
        if (t->kind == TK_INT || t->kind == TK_DEC || t->kind == TK_FLOAT) {
            struct expr *e = primary(p);
            e->s = arena_printf(p->a, "-%s", e->s);
            return e;
        }
        struct expr *e = newx(p, EX_NEG);
        e->a = unary(p);
        return e;
    }
    if (at_op(p, "+")) {
        p->i++;
        return unary(p);
    }
    if (at_op(p, "~")) {
        p->i++;
        struct expr *e = newx(p, EX_BITNOT);
        e->a = unary(p);
        return e;
    }
    struct expr *e = primary(p);
    if (at(p, "COLLATE")) {
        p->i++;
        ident_any(p); /* collations are accepted and ignored: one CI_AS collation */
    }
    return e;
}

static struct expr *mul(struct ps *p)
{
    struct expr *l = unary(p);
    while (at_op(p, "*") || at_op(p, "/") || at_op(p, "%")) {
        struct expr *e = newx(p, EX_ARITH);
        e->op = cur(p)->text[0];
        p->i++;
        e->a = l;
        e->b = unary(p);
        l = e;
    }
    return l;
}

static struct expr *add(struct ps *p)
{
    struct expr *l = mul(p);
    while (at_op(p, "+") || at_op(p, "-") || at_op(p, "&") || at_op(p, "|") || at_op(p, "^")) {
        struct expr *e = newx(p, EX_ARITH);
        e->op = cur(p)->text[0];
        p->i++;
        e->a = l;
        e->b = mul(p);
        l = e;
    }
    return l;
}

static int cmp_op(struct ps *p)
{
    struct token *t = cur(p);
    if (t->kind != TK_OP)
        return 0;
    if (!strcmp(t->text, "="))
        return CMP_EQ;
    if (!strcmp(t->text, "<>") || !strcmp(t->text, "!="))
        return CMP_NE;
    if (!strcmp(t->text, "<") || !strcmp(t->text, "!>"))
        return !strcmp(t->text, "<") ? CMP_LT : CMP_LE;
    if (!strcmp(t->text, ">") || !strcmp(t->text, "!<"))
        return !strcmp(t->text, ">") ? CMP_GT : CMP_GE;
    if (!strcmp(t->text, "<="))
        return CMP_LE;
    if (!strcmp(t->text, ">="))
        return CMP_GE;
    return 0;
}

static struct expr *predicate(struct ps *p)
{
    if (at(p, "NOT")) {
        p->i++;
        struct expr *e = newx(p, EX_NOT);
        e->a = predicate(p);
        return e;
    }
    struct expr *l = add(p);
    int op = cmp_op(p);
    if (op) {
        p->i++;
        if (at(p, "ALL") || at(p, "ANY") || at(p, "SOME"))
            fail(p);
        struct expr *e = newx(p, EX_CMP);
        e->op = op;
        e->a = l;
        e->b = add(p);
        return e;
    }
    bool neg = false;
    if (at(p, "NOT") && (is_kw(peekn(p, 1), "IN") || is_kw(peekn(p, 1), "LIKE") ||
                         is_kw(peekn(p, 1), "BETWEEN"))) {
        p->i++;
        neg = true;
    }
    if (accept(p, "IS")) {
        struct expr *e = newx(p, EX_ISNULL);
        e->neg = accept(p, "NOT");
        expect(p, "NULL");
        e->a = l;
        return e;
    }
    if (accept(p, "LIKE")) {
        struct expr *e = newx(p, EX_LIKE);
        e->neg = neg;
        e->a = l;
        e->b = add(p);
        if (accept(p, "ESCAPE"))
            e->c = add(p);
        return e;
    }
    if (accept(p, "BETWEEN")) {
        struct expr *e = newx(p, EX_BETWEEN);
        e->neg = neg;
        e->a = l;
        e->b = add(p);
        expect(p, "AND");
        e->c = add(p);
        return e;
    }
    if (accept(p, "IN")) {
        expect_op(p, "(");
        struct expr *e;
        if (at(p, "SELECT")) {
            e = newx(p, EX_INSUB);
            e->sub = query_expr(p);
        } else {
            e = newx(p, EX_INLIST);
            e->args = expr_list(p, &e->nargs);
        }
        expect_op(p, ")");
        e->neg = neg;
        e->a = l;
        return e;
    }
    if (neg)
        fail(p);
    return l;
}

static struct expr *and_expr(struct ps *p)
{
    struct expr *l = predicate(p);
    while (accept(p, "AND")) {
        struct expr *e = newx(p, EX_AND);
        e->a = l;
        e->b = predicate(p);
        l = e;
    }
    return l;
}

static struct expr *expr(struct ps *p)
{
    struct expr *l = and_expr(p);
    while (accept(p, "OR")) {
        struct expr *e = newx(p, EX_OR);
        e->a = l;
        e->b = and_expr(p);
        l = e;
    }
    return l;
}

/* ------------------------------------------------------------ SELECT */

static char *opt_alias(struct ps *p)
{
    if (accept(p, "AS")) {
        if (cur(p)->kind == TK_STR || cur(p)->kind == TK_NSTR) {
            p->i++;
            return dup(p, p->t[p->i - 1].text);
        }
        return ident(p);
    }
    struct token *t = cur(p);
    if (t->kind == TK_QIDENT || (t->kind == TK_IDENT && !is_reserved(t->text) &&
                                 !ieq(t->text, "OFFSET") && !ieq(t->text, "NOLOCK"))) {
        p->i++;
        return dup(p, t->text);
    }
    if (t->kind == TK_STR) {
        p->i++;
        return dup(p, t->text);
    }
    return NULL;
}

static void table_hints(struct ps *p, struct from_item *f)
{
    if (at(p, "WITH") && peekn(p, 1)->kind == TK_OP && peekn(p, 1)->text[0] == '(') {
        p->i += 2;
        while (!at_op(p, ")")) {
            if (cur(p)->kind == TK_EOF)
                fail(p);
            if (at(p, "NOLOCK"))
                f->nolock = true;
            p->i++;
        }
        p->i++;
    }
}

static char **ident_list(struct ps *p, int *n, bool **desc);
static bool onoff(struct ps *p);

/* A table value constructor, VALUES (a, b), (c, d): the same as
 * SELECT a, b UNION ALL SELECT c, d (column types by precedence, names from
 * the derived table's column list). */
static struct select *values_rows(struct ps *p)
{
    expect(p, "VALUES");
    struct select *first = NULL, *last = NULL;
    do {
        int line = cur(p)->line;
        expect_op(p, "(");
        struct select *row = alloc(p, sizeof(*row));
        int n;
        struct expr **v = expr_list(p, &n);
        expect_op(p, ")");
        row->items = alloc(p, sizeof(*row->items) * (size_t)n);
        for (int i = 0; i < n; i++) {
            row->items[i].e = v[i];
            row->items[i].line = line;
        }
        row->nitems = n;
        row->line = line;
        if (last) {
            if (n != last->nitems) {
                p->pe->number = 10709;
                p->pe->line = line;
                snprintf(p->pe->text, sizeof(p->pe->text),
                         "The number of columns for each row in a table value constructor must be the same.");
                longjmp(p->jb, 1);
            }
            last->setop = SO_UNION_ALL;
            last->next = row;
        } else {
            first = row;
        }
        last = row;
    } while (accept_op(p, ","));
    return first;
}

/* Raise error number (severity from the caller's table) with text at the
 * current token's line. */
static void fail_msg(struct ps *p, int number, const char *text)
{
    p->pe->number = number;
    p->pe->line = cur(p)->line;
    snprintf(p->pe->text, sizeof(p->pe->text), "%s", text);
    longjmp(p->jb, 1);
}

/*
 * CHANGETABLE(CHANGES t, last [, FORCESEEK]) AS alias [(cols)] or
 * CHANGETABLE(VERSION t, (pk cols), (values)) AS alias [(cols)]. last must
 * be a variable, an integer literal (optionally negative) or NULL: an
 * expression is a syntax error (102), as in SQL Server. The alias is
 * required (22104). Rows come from ct.c at run time.
 */
static struct from_item *changetable_source(struct ps *p, struct from_item *f)
{
    p->i += 2;
    f->kind = FR_CHANGETABLE;
    if (accept(p, "VERSION"))
        f->ct_version = true;
    else
        expect(p, "CHANGES");
    f->name = name3(p);
    f->ct_written = arena_printf(p->a, "%s%s%s%s%s", f->name.db ? f->name.db : "", f->name.db ? "." : "",
                                 f->name.schema ? f->name.schema : "", f->name.schema || f->name.db ? "." : "",
                                 f->name.name);
    expect_op(p, ",");
    if (!f->ct_version) {
        struct token *t = cur(p);
        if (t->kind == TK_VAR) {
            f->ct_last = newx(p, EX_VAR);
            f->ct_last->s = dup(p, t->text);
            p->i++;
        } else if (at(p, "NULL")) {
            f->ct_last = newx(p, EX_NULL);
            p->i++;
        } else if (t->kind == TK_INT || (at_op(p, "-") && peekn(p, 1)->kind == TK_INT)) {
            bool neg = accept_op(p, "-");
            f->ct_last = newx(p, EX_INT);
            f->ct_last->s = neg ? arena_printf(p->a, "-%s", cur(p)->text) : dup(p, cur(p)->text);
            p->i++;
        } else {
            fail(p);
        }
        if (accept_op(p, ","))
            expect(p, "FORCESEEK");
    } else {
        f->ct_cols = ident_list(p, &f->nct_cols, NULL);
        expect_op(p, ",");
        expect_op(p, "(");
        f->ct_vals = expr_list(p, &f->nct_vals);
        expect_op(p, ")");
    }
    expect_op(p, ")");
    f->alias = opt_alias(p);
    if (!f->alias)
        fail_msg(p, 22104, "A table returned by the CHANGETABLE function must be aliased.");
    if (at_op(p, "("))
        f->colnames = ident_list(p, &f->ncolnames, NULL);
    return f;
}

static struct from_item *table_source(struct ps *p)
{
    struct from_item *f = alloc(p, sizeof(*f));
    if (at_op(p, "(")) {
        if (is_kw(peekn(p, 1), "SELECT") || is_kw(peekn(p, 1), "VALUES")) {
            p->i++;
            f->kind = FR_SUB;
            f->sub = at(p, "VALUES") ? values_rows(p) : query_expr(p);
            expect_op(p, ")");
            f->alias = opt_alias(p);
            if (!f->alias)
                fail(p);
            if (at_op(p, "("))
                f->colnames = ident_list(p, &f->ncolnames, NULL);
            return f;
        }
        p->i++;
        struct from_item *inner = table_source(p);
        /* joins inside parentheses */
        for (;;) {
            enum join_kind jk;
            if (accept(p, "JOIN") || (accept(p, "INNER") && (expect(p, "JOIN"), 1)))
                jk = J_INNER;
            else if (accept(p, "LEFT")) {
                accept(p, "OUTER");
                expect(p, "JOIN");
                jk = J_LEFT;
            } else
                break;
            struct from_item *j = alloc(p, sizeof(*j));
            j->kind = FR_JOIN;
            j->jk = jk;
            j->l = inner;
            j->r = table_source(p);
            expect(p, "ON");
            j->on = expr(p);
            inner = j;
        }
        expect_op(p, ")");
        return inner;
    }
    if (cur(p)->kind == TK_VAR)
        fail(p); /* table variables */
    if (is_kw(cur(p), "CHANGETABLE") && peekn(p, 1)->kind == TK_OP && peekn(p, 1)->text[0] == '(')
        return changetable_source(p, f);
    f->kind = FR_TABLE;
    f->name = name3(p);
    if (at_op(p, "(")) {
        /* a table-valued function: codegen knows which exist (cdc.fn_cdc_*) */
        p->i++;
        f->kind = FR_TVF;
        if (!at_op(p, ")"))
            f->args = expr_list(p, &f->nargs);
        expect_op(p, ")");
    }
    f->alias = opt_alias(p);
    table_hints(p, f);
    return f;
}

static struct from_item *from_clause(struct ps *p)
{
    struct from_item *l = table_source(p);
    for (;;) {
        enum join_kind jk;
        bool has_on = true;
        if (accept_op(p, ",")) {
            jk = J_CROSS;
            has_on = false;
        } else if (accept(p, "JOIN")) {
            jk = J_INNER;
        } else if (accept(p, "INNER")) {
            expect(p, "JOIN");
            jk = J_INNER;
        } else if (at(p, "LEFT") || at(p, "RIGHT") || at(p, "FULL")) {
            jk = at(p, "LEFT") ? J_LEFT : at(p, "RIGHT") ? J_RIGHT : J_FULL;
            p->i++;
            accept(p, "OUTER");
            expect(p, "JOIN");
        } else if (at(p, "CROSS")) {
            p->i++;
            if (at(p, "APPLY"))
                fail(p);
            expect(p, "JOIN");
            jk = J_CROSS;
            has_on = false;
        } else if (at(p, "OUTER") && is_kw(peekn(p, 1), "APPLY")) {
            fail(p);
            return l;
        } else {
            break;
        }
        struct from_item *j = alloc(p, sizeof(*j));
        j->kind = FR_JOIN;
        j->jk = jk;
        j->l = l;
        j->r = table_source(p);
        if (has_on) {
            expect(p, "ON");
            j->on = expr(p);
        }
        l = j;
    }
    return l;
}

static void select_items(struct ps *p, struct select *s)
{
    int cap = 8;
    s->items = alloc(p, sizeof(*s->items) * (size_t)cap);
    do {
        if (s->nitems == cap) {
            struct sel_item *n = alloc(p, sizeof(*n) * (size_t)cap * 2);
            memcpy(n, s->items, sizeof(*n) * (size_t)cap);
            s->items = n;
            cap *= 2;
        }
        struct sel_item *it = &s->items[s->nitems++];
        it->line = cur(p)->line;
        if (accept_op(p, "*")) {
            it->star = true;
            continue;
        }
        struct token *t = cur(p);
        if ((t->kind == TK_IDENT || t->kind == TK_QIDENT) && peekn(p, 1)->kind == TK_OP &&
            !strcmp(peekn(p, 1)->text, ".") && peekn(p, 2)->kind == TK_OP &&
            !strcmp(peekn(p, 2)->text, "*")) {
            it->star = true;
            it->star_qual = dup(p, t->text);
            p->i += 3;
            continue;
        }
        if (t->kind == TK_VAR && t->text[1] != '@' && peekn(p, 1)->kind == TK_OP &&
            (!strcmp(peekn(p, 1)->text, "=") || (strlen(peekn(p, 1)->text) == 2 &&
                                                  peekn(p, 1)->text[1] == '='))) {
            it->assign = dup(p, t->text);
            p->i++;
            const char *op = cur(p)->text;
            p->i++;
            it->e = expr(p);
            if (op[0] != '=') {
                struct expr *v = newx(p, EX_VAR);
                v->s = it->assign;
                struct expr *ar = newx(p, EX_ARITH);
                ar->op = op[0];
                ar->a = v;
                ar->b = it->e;
                it->e = ar;
            }
            continue;
        }
        if ((t->kind == TK_QIDENT || t->kind == TK_STR ||
             (t->kind == TK_IDENT && !is_reserved(t->text))) &&
            peekn(p, 1)->kind == TK_OP && !strcmp(peekn(p, 1)->text, "=")) {
            it->alias = dup(p, t->text);
            p->i += 2;
            it->e = expr(p);
            continue;
        }
        it->e = expr(p);
        it->alias = opt_alias(p);
    } while (accept_op(p, ","));
}

static struct select *select_core(struct ps *p)
{
    if (at_op(p, "(")) {
        p->i++;
        struct select *s = query_expr(p);
        expect_op(p, ")");
        return s;
    }
    struct select *s = alloc(p, sizeof(*s));
    s->line = cur(p)->line;
    expect(p, "SELECT");
    if (accept(p, "DISTINCT"))
        s->distinct = true;
    else
        accept(p, "ALL");
    if (accept(p, "TOP")) {
        if (accept_op(p, "(")) {
            s->top = expr(p);
            expect_op(p, ")");
        } else {
            s->top = primary(p);
        }
        if (accept(p, "PERCENT"))
            s->top_percent = true;
        if (at(p, "WITH") && is_kw(peekn(p, 1), "TIES"))
            fail(p);
    }
    select_items(p, s);
    if (accept(p, "INTO")) {
        s->into = alloc(p, sizeof(struct name3));
        *s->into = name3(p);
    }
    if (accept(p, "FROM"))
        s->from = from_clause(p);
    if (accept(p, "WHERE"))
        s->where = expr(p);
    if (accept(p, "GROUP")) {
        expect(p, "BY");
        s->group = expr_list(p, &s->ngroup);
    }
    if (accept(p, "HAVING"))
        s->having = expr(p);
    return s;
}

static void order_clause(struct ps *p, struct select *s)
{
    if (!at(p, "ORDER"))
        return;
    p->i++;
    expect(p, "BY");
    int cap = 4;
    s->order = alloc(p, sizeof(*s->order) * (size_t)cap);
    do {
        if (s->norder == cap) {
            struct order_item *n = alloc(p, sizeof(*n) * (size_t)cap * 2);
            memcpy(n, s->order, sizeof(*n) * (size_t)cap);
            s->order = n;
            cap *= 2;
        }
        struct order_item *o = &s->order[s->norder++];
        o->e = expr(p);
        if (accept(p, "DESC"))
            o->desc = true;
        else
            accept(p, "ASC");
    } while (accept_op(p, ","));
    if (accept(p, "OFFSET")) {
        s->offset = expr(p);
        if (!accept(p, "ROWS"))
            expect(p, "ROW");
        if (accept(p, "FETCH")) {
            if (!accept(p, "NEXT"))
                expect(p, "FIRST");
            s->fetch = expr(p);
            if (!accept(p, "ROWS"))
                expect(p, "ROW");
            expect(p, "ONLY");
        }
    }
}

static struct select *query_expr(struct ps *p)
{
    if (at(p, "WITH"))
        fail(p); /* common table expressions */
    struct select *first = select_core(p);
    struct select *last = first;
    for (;;) {
        enum set_op op;
        if (accept(p, "UNION"))
            op = accept(p, "ALL") ? SO_UNION_ALL : SO_UNION;
        else if (accept(p, "EXCEPT"))
            op = SO_EXCEPT;
        else if (accept(p, "INTERSECT"))
            op = SO_INTERSECT;
        else
            break;
        last->setop = op;
        last->next = select_core(p);
        last = last->next;
    }
    order_clause(p, first);
    return first;
}

static struct select *select_stmt(struct ps *p)
{
    struct select *s = query_expr(p);
    if (at(p, "OPTION")) {
        p->i++;
        expect_op(p, "(");
        int depth = 1;
        while (depth > 0 && cur(p)->kind != TK_EOF) {
            if (at_op(p, "("))
                depth++;
            if (at_op(p, ")"))
                depth--;
            p->i++;
        }
    }
    if (at(p, "FOR"))
        fail(p); /* FOR XML / FOR JSON */
    return s;
}

/* ------------------------------------------------------------ statements */

static struct stmt *newst(struct ps *p, enum st_kind k, int line)
{
    struct stmt *s = alloc(p, sizeof(*s));
    s->kind = k;
    s->line = line;
    return s;
}

static struct stmt *statement(struct ps *p);

static char **ident_list(struct ps *p, int *n, bool **desc)
{
    int cap = 4;
    char **v = alloc(p, sizeof(*v) * (size_t)cap);
    bool *d = desc ? alloc(p, sizeof(bool) * 64) : NULL;
    *n = 0;
    expect_op(p, "(");
    do {
        if (*n == cap) {
            char **nv = alloc(p, sizeof(*v) * (size_t)cap * 2);
            memcpy(nv, v, sizeof(*v) * (size_t)cap);
            v = nv;
            cap *= 2;
        }
        v[*n] = ident_any(p);
        if (accept(p, "DESC")) {
            if (d && *n < 64)
                d[*n] = true;
        } else {
            accept(p, "ASC");
        }
        (*n)++;
    } while (accept_op(p, ","));
    expect_op(p, ")");
    if (desc)
        *desc = d;
    return v;
}

static char *src_text(struct ps *p, int from_tok)
{
    size_t st = p->t[from_tok].pos;
    struct token *lt = &p->t[p->i - 1];
    size_t en = lt->pos + lt->len;
    /* strings and quoted identifiers: include the closing quote */
    if (lt->kind == TK_STR || lt->kind == TK_NSTR || lt->kind == TK_QIDENT) {
        const char *q = p->sql + lt->pos;
        char close = lt->kind == TK_QIDENT ? (q[0] == '[' ? ']' : '"') : '\'';
        size_t k = lt->pos + (lt->kind == TK_NSTR ? 2 : 1);
        while (p->sql[k]) {
            if (p->sql[k] == close) {
                if (p->sql[k + 1] == close) {
                    k += 2;
                    continue;
                }
                break;
            }
            k++;
        }
        en = k + 1;
    }
    return arena_strndup(p->a, p->sql + st, en - st);
}

static void column_constraints(struct ps *p, struct coldef *c)
{
    for (;;) {
        char *cname = NULL;
        if (accept(p, "CONSTRAINT"))
            cname = ident(p);
        if (accept(p, "NOT")) {
            expect(p, "NULL");
            c->nullable = 0;
        } else if (accept(p, "NULL")) {
            c->nullable = 1;
        } else if (accept(p, "DEFAULT")) {
            int st = p->i;
            c->def = add(p);
            c->def_text = src_text(p, st);
            c->def_name = cname;
        } else if (accept(p, "IDENTITY")) {
            c->identity = true;
            c->seed = 1;
            c->incr = 1;
            if (accept_op(p, "(")) {
                bool neg = accept_op(p, "-");
                if (cur(p)->kind != TK_INT)
                    fail(p);
                c->seed = strtoll(cur(p)->text, NULL, 10) * (neg ? -1 : 1);
                p->i++;
                expect_op(p, ",");
                neg = accept_op(p, "-");
                if (cur(p)->kind != TK_INT)
                    fail(p);
                c->incr = strtoll(cur(p)->text, NULL, 10) * (neg ? -1 : 1);
                p->i++;
                expect_op(p, ")");
            }
        } else if (accept(p, "PRIMARY")) {
            expect(p, "KEY");
            c->pk = true;
            c->cons_name = cname;
            c->pk_clustered = !accept(p, "NONCLUSTERED");
            accept(p, "CLUSTERED");
        } else if (accept(p, "UNIQUE")) {
            c->unique = true;
            c->cons_name = cname;
            if (!accept(p, "NONCLUSTERED"))
                accept(p, "CLUSTERED");
        } else if (accept(p, "COLLATE")) {
            c->collation = ident_any(p);
        } else if (at(p, "CHECK") || at(p, "REFERENCES") || at(p, "FOREIGN")) {
            fail(p);
        } else if (accept(p, "ROWGUIDCOL") || accept(p, "SPARSE")) {
            /* accepted, no effect */
        } else {
            if (cname)
                fail(p);
            return;
        }
    }
}

static struct coldef coldef_parse(struct ps *p)
{
    struct coldef c = {0};
    c.nullable = -1;
    c.name = ident_any(p);
    if (accept(p, "AS"))
        fail(p); /* computed columns */
    if (ieq(c.name, "timestamp") && (at_op(p, ",") || at_op(p, ")"))) {
        /* a bare "timestamp" is a rowversion column named timestamp */
        c.type = (struct tl_type){TL_T_ROWVERSION, 0, 0, 0};
        c.type_text = dup(p, "timestamp");
        return c;
    }
    c.type = type_name_parse(p, &c.type_text);
    column_constraints(p, &c);
    return c;
}

/* Index and constraint storage options (`WITH (FILLFACTOR = 80, ...)`, `ON
 * [filegroup]`) change how SQL Server lays out pages, never what a query
 * returns; SQLite has no such knobs, so they are parsed and dropped. */
static void skip_storage_options(struct ps *p)
{
    if (at(p, "WITH") && peekn(p, 1)->kind == TK_OP) {
        p->i++;
        expect_op(p, "(");
        while (!accept_op(p, ")")) {
            if (cur(p)->kind == TK_EOF)
                fail(p);
            p->i++;
        }
    }
    if (accept(p, "ON"))
        ident_any(p);
}

static struct tcons table_constraint(struct ps *p)
{
    struct tcons k = {0};
    if (accept(p, "CONSTRAINT"))
        k.name = ident(p);
    if (accept(p, "PRIMARY")) {
        expect(p, "KEY");
        k.kind = CK_PK;
        k.clustered = !accept(p, "NONCLUSTERED");
        accept(p, "CLUSTERED");
        k.cols = ident_list(p, &k.ncols, &k.desc);
    } else if (accept(p, "UNIQUE")) {
        k.kind = CK_UNIQUE;
        if (!accept(p, "NONCLUSTERED"))
            accept(p, "CLUSTERED");
        k.cols = ident_list(p, &k.ncols, &k.desc);
    } else if (accept(p, "DEFAULT")) {
        k.kind = CK_DEFAULT;
        int st = p->i;
        k.def = add(p);
        k.def_text = src_text(p, st);
        expect(p, "FOR");
        k.for_col = ident_any(p);
    } else {
        fail(p);
    }
    skip_storage_options(p);
    return k;
}

static bool at_constraint_start(struct ps *p)
{
    return at(p, "CONSTRAINT") || at(p, "PRIMARY") || at(p, "UNIQUE") || at(p, "CHECK") ||
           at(p, "FOREIGN");
}

static void table_elements(struct ps *p, struct stmt *s)
{
    int capc = 8, capk = 4;
    s->cdefs = alloc(p, sizeof(*s->cdefs) * (size_t)capc);
    s->cons = alloc(p, sizeof(*s->cons) * (size_t)capk);
    expect_op(p, "(");
    do {
        if (at_op(p, ")"))
            break;
        if (at_constraint_start(p)) {
            if (s->ncons == capk) {
                struct tcons *n = alloc(p, sizeof(*n) * (size_t)capk * 2);
                memcpy(n, s->cons, sizeof(*n) * (size_t)capk);
                s->cons = n;
                capk *= 2;
            }
            s->cons[s->ncons++] = table_constraint(p);
        } else {
            if (s->ncdefs == capc) {
                struct coldef *n = alloc(p, sizeof(*n) * (size_t)capc * 2);
                memcpy(n, s->cdefs, sizeof(*n) * (size_t)capc);
                s->cdefs = n;
                capc *= 2;
            }
            s->cdefs[s->ncdefs++] = coldef_parse(p);
        }
    } while (accept_op(p, ","));
    expect_op(p, ")");
}

static struct coldef *declare_list(struct ps *p, int *n, bool params);

/* 111: CREATE/ALTER PROCEDURE anywhere but at the start of a batch. */
static void fail_not_first(struct ps *p)
{
    p->pe->number = 111;
    p->pe->line = cur(p)->line;
    snprintf(p->pe->text, sizeof(p->pe->text),
             "'CREATE/ALTER PROCEDURE' must be the first statement in a query batch.");
    longjmp(p->jb, 1);
}

static bool at_proc_start(struct ps *p)
{
    if (at(p, "CREATE"))
        return is_kw(peekn(p, 1), "PROC") || is_kw(peekn(p, 1), "PROCEDURE") ||
               (is_kw(peekn(p, 1), "OR") && is_kw(peekn(p, 2), "ALTER") &&
                (is_kw(peekn(p, 3), "PROC") || is_kw(peekn(p, 3), "PROCEDURE")));
    return at(p, "ALTER") && (is_kw(peekn(p, 1), "PROC") || is_kw(peekn(p, 1), "PROCEDURE"));
}

/*
 * CREATE [OR ALTER] | ALTER  PROC[EDURE] name [;n]
 *     [ ( ] @p type [= default] [OUT[PUT]] [READONLY], ... [ ) ]
 *     [WITH RECOMPILE | ENCRYPTION | EXECUTE AS ..., ...] [FOR REPLICATION]
 *     AS statements...
 * The body runs to the end of the batch. It is parsed here only to report
 * syntax errors at CREATE time (with the batch's line numbers); exec keeps
 * its text and parses it again when the procedure runs.
 */
static struct stmt *create_proc(struct ps *p)
{
    int first = p->i;
    struct stmt *s = newst(p, ST_CREATE_PROC, cur(p)->line);
    if (accept(p, "ALTER")) {
        s->proc_mode = PROC_ALTER;
    } else {
        expect(p, "CREATE");
        s->proc_mode = accept(p, "OR") ? (expect(p, "ALTER"), PROC_CREATE_OR_ALTER) : PROC_CREATE;
    }
    if (!accept(p, "PROC"))
        expect(p, "PROCEDURE");
    s->name = name3(p);
    if (at_op(p, ";") && peekn(p, 1)->kind == TK_INT)
        p->i += 2; /* numbered procedure: the number is ignored */
    bool paren = at_op(p, "(") && peekn(p, 1)->kind == TK_VAR;
    if (paren)
        p->i++;
    if (cur(p)->kind == TK_VAR) {
        int st = p->i, n;
        declare_list(p, &n, true);
        s->proc_params = src_text(p, st);
    }
    if (paren)
        expect_op(p, ")");
    if (accept(p, "WITH")) {
        do {
            if (accept(p, "EXECUTE") || accept(p, "EXEC")) {
                expect(p, "AS");
                if (cur(p)->kind == TK_STR || cur(p)->kind == TK_NSTR)
                    p->i++;
                else
                    ident_any(p);
            } else {
                ident_any(p);
            }
        } while (accept_op(p, ","));
    }
    if (at(p, "FOR") && is_kw(peekn(p, 1), "REPLICATION"))
        p->i += 2;
    expect(p, "AS");
    if (cur(p)->kind == TK_EOF) {
        p->i--;
        fail(p);
    }
    int body = p->i;
    s->proc_body_line = cur(p)->line;
    s->proc_body = arena_strdup(p->a, p->sql + p->t[body].pos);
    s->proc_def = arena_strdup(p->a, p->sql + p->t[first].pos);
    while (cur(p)->kind != TK_EOF) {
        while (accept_op(p, ";"))
            ;
        if (cur(p)->kind == TK_EOF)
            break;
        if (at_proc_start(p))
            fail_not_first(p);
        statement(p);
    }
    return s;
}

static struct stmt *create_stmt(struct ps *p, int line)
{
    struct stmt *s;
    if (accept(p, "TABLE")) {
        s = newst(p, ST_CREATE_TABLE, line);
        s->name = name3(p);
        table_elements(p, s);
        if (accept(p, "ON"))
            ident_any(p);
        return s;
    }
    if (accept(p, "DATABASE")) {
        s = newst(p, ST_CREATE_DB, line);
        s->ident = ident(p);
        return s;
    }
    if (accept(p, "SCHEMA")) {
        s = newst(p, ST_CREATE_SCHEMA, line);
        s->ident = ident(p);
        if (accept(p, "AUTHORIZATION"))
            ident_any(p);
        return s;
    }
    if (at(p, "PROC") || at(p, "PROCEDURE") || (at(p, "OR") && is_kw(peekn(p, 1), "ALTER")))
        fail_not_first(p);
    bool unique = accept(p, "UNIQUE");
    bool clustered = false;
    if (accept(p, "CLUSTERED"))
        clustered = true;
    else
        accept(p, "NONCLUSTERED");
    if (accept(p, "INDEX")) {
        s = newst(p, ST_CREATE_INDEX, line);
        s->unique = unique;
        s->clustered = clustered;
        s->ident = ident(p);
        expect(p, "ON");
        s->name = name3(p);
        s->cols = ident_list(p, &s->ncols, &s->desc);
        if (accept(p, "INCLUDE"))
            s->incl = ident_list(p, &s->nincl, NULL);
        if (accept(p, "WHERE"))
            fail(p);
        skip_storage_options(p);
        return s;
    }
    if (unique || clustered)
        fail(p);
    s = newst(p, ST_UNSUPPORTED, line);
    s->what = arena_printf(p->a, "CREATE %s", cur(p)->text);
    return s;
}

static void skip_to_statement_end(struct ps *p)
{
    /* Used only for statements answered as unsupported: skip balanced tokens
     * up to the next ';' or the end; such a statement must be alone or last. */
    int depth = 0;
    while (cur(p)->kind != TK_EOF) {
        if (at_op(p, "("))
            depth++;
        else if (at_op(p, ")"))
            depth--;
        else if (depth == 0 && at_op(p, ";"))
            return;
        p->i++;
    }
}

static struct stmt *drop_stmt(struct ps *p, int line)
{
    struct stmt *s;
    enum st_kind k;
    if (accept(p, "TABLE"))
        k = ST_DROP_TABLE;
    else if (accept(p, "DATABASE"))
        k = ST_DROP_DB;
    else if (accept(p, "SCHEMA"))
        k = ST_DROP_SCHEMA;
    else if (accept(p, "INDEX"))
        k = ST_DROP_INDEX;
    else if (accept(p, "PROC") || accept(p, "PROCEDURE"))
        k = ST_DROP_PROC;
    else {
        s = newst(p, ST_UNSUPPORTED, line);
        s->what = arena_printf(p->a, "DROP %s", cur(p)->text);
        skip_to_statement_end(p);
        return s;
    }
    s = newst(p, k, line);
    if (accept(p, "IF")) {
        expect(p, "EXISTS");
        s->if_exists = true;
    }
    if (k == ST_DROP_DB || k == ST_DROP_SCHEMA) {
        s->ident = ident(p);
    } else if (k == ST_DROP_INDEX) {
        /* DROP INDEX name ON t  |  DROP INDEX t.name */
        struct name3 n = name3(p);
        if (accept(p, "ON")) {
            s->ident = n.name;
            s->name = name3(p);
        } else {
            s->ident = n.name;
            s->name.name = n.schema;
            s->name.schema = n.db;
            if (!s->name.name)
                fail(p);
        }
    } else if (k == ST_DROP_PROC) {
        int cap = 4;
        s->names = alloc(p, sizeof(*s->names) * (size_t)cap);
        do {
            if (s->nnames == cap) {
                struct name3 *nn = alloc(p, sizeof(*nn) * (size_t)cap * 2);
                memcpy(nn, s->names, sizeof(*nn) * (size_t)cap);
                s->names = nn;
                cap *= 2;
            }
            s->names[s->nnames++] = name3(p);
        } while (accept_op(p, ","));
        s->name = s->names[0];
    } else {
        s->name = name3(p);
        if (at_op(p, ",")) /* DROP TABLE a, b */
            fail(p);
    }
    return s;
}

/* ALTER DATABASE name|CURRENT SET option [=] value [, ...]
 *     [WITH ROLLBACK IMMEDIATE | WITH ROLLBACK AFTER n [SECONDS] | WITH NO_WAIT].
 * The value is ON/OFF, a word, a number or a parenthesised list
 * (CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS)), kept as text. Other
 * forms (MODIFY NAME, ADD FILE ...) parse as unsupported. */
/*
 * SET CHANGE_TRACKING = ON [(options)] | = OFF | (options), options being
 * CHANGE_RETENTION = n DAYS|HOURS|MINUTES and AUTO_CLEANUP = ON|OFF, each
 * at most once (5091); the retention must be 1 .. 2147483647 minutes
 * (5092); another unit is 155. Fills s->ct_*.
 */
static void ct_db_options(struct ps *p, struct stmt *s)
{
    p->i++; /* CHANGE_TRACKING */
    s->ct_state = -1;
    s->ct_retention = -1;
    s->ct_auto_cleanup = -1;
    if (accept_op(p, "=")) {
        s->ct_state = onoff(p);
        if (!s->ct_state || !at_op(p, "("))
            return;
    }
    expect_op(p, "(");
    do {
        if (accept(p, "CHANGE_RETENTION")) {
            if (s->ct_retention >= 0)
                fail_msg(p, 5091, "ALTER DATABASE change tracking option 'CHANGE_RETENTION' was specified more than once. Each option can be specified only once.");
            expect_op(p, "=");
            if (cur(p)->kind != TK_INT)
                fail(p);
            const char *digits = cur(p)->text;
            p->i++;
            struct token *u = cur(p);
            if (u->kind != TK_IDENT && u->kind != TK_QIDENT)
                fail(p);
            int units = ieq(u->text, "MINUTES") ? 1 : ieq(u->text, "HOURS") ? 2 : ieq(u->text, "DAYS") ? 3 : 0;
            if (!units) {
                p->pe->number = 155;
                p->pe->line = u->line;
                snprintf(p->pe->text, sizeof(p->pe->text), "'%.300s' is not a recognized CHANGE RETENTION UNIT option.",
                         u->text);
                longjmp(p->jb, 1);
            }
            p->i++;
            static const int64_t per[] = {0, 1, 60, 1440};
            int64_t n = strlen(digits) > 12 ? INT64_MAX / 2 : strtoll(digits, NULL, 10);
            if (n < 1 || n > 2147483647LL / per[units])
                fail_msg(p, 5092, "The value for change tracking option 'CHANGE_RETENTION' is not valid. The value must be between 1 and 2147483647 minutes.");
            s->ct_retention = n;
            s->ct_units = units;
        } else if (accept(p, "AUTO_CLEANUP")) {
            if (s->ct_auto_cleanup >= 0)
                fail_msg(p, 5091, "ALTER DATABASE change tracking option 'AUTO_CLEANUP' was specified more than once. Each option can be specified only once.");
            expect_op(p, "=");
            s->ct_auto_cleanup = onoff(p);
        } else {
            fail(p);
        }
    } while (accept_op(p, ","));
    expect_op(p, ")");
}

static struct stmt *alter_database(struct ps *p, int line)
{
    struct stmt *s = newst(p, ST_ALTER_DB, line);
    if (accept(p, "CURRENT"))
        s->ident = NULL;
    else
        s->ident = ident(p);
    if (!accept(p, "SET")) {
        s->kind = ST_UNSUPPORTED;
        s->what = arena_printf(p->a, "ALTER DATABASE ... %s", cur(p)->text);
        skip_to_statement_end(p);
        return s;
    }
    s->dbopts = alloc(p, sizeof(char *) * 16);
    s->dbvals = alloc(p, sizeof(char *) * 16);
    do {
        if (s->ndbopts == 16)
            fail(p);
        if (at(p, "CHANGE_TRACKING")) {
            ct_db_options(p, s);
            s->dbopts[s->ndbopts] = "CHANGE_TRACKING";
            s->dbvals[s->ndbopts++] = "";
            continue;
        }
        s->dbopts[s->ndbopts] = upper_dup(p->a, ident_any(p));
        accept_op(p, "=");
        int st = p->i;
        struct token *v = cur(p);
        if (v->kind == TK_EOF || at_op(p, ";") || at_op(p, ","))
            fail(p);
        p->i++;
        if (at_op(p, "(")) { /* ON (CHANGE_RETENTION = 2 DAYS, ...) */
            int depth = 0;
            do {
                if (at_op(p, "("))
                    depth++;
                else if (at_op(p, ")"))
                    depth--;
                if (cur(p)->kind == TK_EOF)
                    fail(p);
                p->i++;
            } while (depth > 0);
        }
        char *text = src_text(p, st);
        s->dbvals[s->ndbopts++] = p->i - st == 1 ? upper_dup(p->a, text) : text;
    } while (accept_op(p, ","));
    if (at(p, "WITH")) {
        p->i++;
        if (accept(p, "ROLLBACK")) {
            if (accept(p, "AFTER")) {
                if (cur(p)->kind != TK_INT)
                    fail(p);
                p->i++;
                accept(p, "SECONDS");
            } else {
                expect(p, "IMMEDIATE");
            }
        } else {
            expect(p, "NO_WAIT");
        }
    }
    return s;
}

static struct stmt *alter_stmt(struct ps *p, int line)
{
    int start = p->i - 1; /* the ALTER token */
    if (accept(p, "DATABASE"))
        return alter_database(p, line);
    if (at(p, "PROC") || at(p, "PROCEDURE"))
        fail_not_first(p);
    if (!accept(p, "TABLE")) {
        struct stmt *s = newst(p, ST_UNSUPPORTED, line);
        s->what = arena_printf(p->a, "ALTER %s", cur(p)->text);
        skip_to_statement_end(p);
        return s;
    }
    struct stmt *s = newst(p, ST_ALTER_TABLE, line);
    s->name = name3(p);
    s->cdefs = alloc(p, sizeof(*s->cdefs) * 16);
    s->cons = alloc(p, sizeof(*s->cons) * 8);
    if (accept(p, "ADD")) {
        if (at_constraint_start(p)) {
            s->akind = AT_ADD_CONS;
            s->cons[s->ncons++] = table_constraint(p);
        } else {
            s->akind = AT_ADD_COL;
            accept(p, "COLUMN");
            do {
                if (s->ncdefs == 16)
                    fail(p);
                s->cdefs[s->ncdefs++] = coldef_parse(p);
            } while (accept_op(p, ","));
        }
    } else if (accept(p, "DROP")) {
        if (accept(p, "CONSTRAINT")) {
            s->akind = AT_DROP_CONS;
            if (accept(p, "IF")) {
                expect(p, "EXISTS");
                s->if_exists = true;
            }
            s->ident = ident(p);
        } else {
            accept(p, "COLUMN");
            s->akind = AT_DROP_COL;
            if (accept(p, "IF")) {
                expect(p, "EXISTS");
                s->if_exists = true;
            }
            s->ident = ident(p);
            if (at_op(p, ","))
                fail(p);
        }
    } else if (accept(p, "ALTER")) {
        expect(p, "COLUMN");
        s->akind = AT_ALTER_COL;
        s->cdefs[s->ncdefs++] = coldef_parse(p);
    } else if ((at(p, "ENABLE") || at(p, "DISABLE")) && is_kw(peekn(p, 1), "CHANGE_TRACKING")) {
        s->akind = at(p, "ENABLE") ? AT_ENABLE_CT : AT_DISABLE_CT;
        s->ct_track_columns = -1;
        p->i += 2;
        if (s->akind == AT_ENABLE_CT && accept(p, "WITH")) {
            expect_op(p, "(");
            expect(p, "TRACK_COLUMNS_UPDATED");
            expect_op(p, "=");
            s->ct_track_columns = onoff(p);
            expect_op(p, ")");
        }
    } else if (at(p, "ENABLE") || at(p, "DISABLE")) {
        s->kind = ST_UNSUPPORTED;
        s->what = "ALTER TABLE ... ENABLE/DISABLE";
        skip_to_statement_end(p);
    } else if (at(p, "SWITCH")) {
        s->kind = ST_UNSUPPORTED;
        s->what = "ALTER TABLE ... SWITCH (tdslite has no partitions)";
        skip_to_statement_end(p);
    } else {
        fail(p);
    }
    s->sqltext = src_text(p, start); /* CDC's cdc.ddl_history records it */
    return s;
}

static struct stmt *insert_stmt(struct ps *p, int line)
{
    if (accept(p, "BULK")) {
        struct stmt *s = newst(p, ST_INSERT_BULK, line);
        s->name = name3(p);
        s->cdefs = alloc(p, sizeof(*s->cdefs) * 1024);
        expect_op(p, "(");
        do {
            if (s->ncdefs == 1024)
                fail(p);
            struct coldef c = {0};
            c.name = ident_any(p);
            c.type = type_name_parse(p, &c.type_text);
            if (accept(p, "COLLATE"))
                ident_any(p);
            accept(p, "NULL");
            if (accept(p, "NOT"))
                expect(p, "NULL");
            s->cdefs[s->ncdefs++] = c;
        } while (accept_op(p, ","));
        expect_op(p, ")");
        if (accept(p, "WITH")) {
            expect_op(p, "(");
            int depth = 1;
            while (depth > 0 && cur(p)->kind != TK_EOF) {
                if (at_op(p, "("))
                    depth++;
                if (at_op(p, ")"))
                    depth--;
                p->i++;
            }
        }
        return s;
    }
    struct stmt *s = newst(p, ST_INSERT, line);
    if (at(p, "TOP"))
        fail(p);
    accept(p, "INTO");
    s->name = name3(p);
    if (at(p, "WITH")) {
        struct from_item dummy = {0};
        table_hints(p, &dummy);
    }
    if (at_op(p, "(") && !is_kw(peekn(p, 1), "SELECT")) {
        s->cols = ident_list(p, &s->ncols, NULL);
    }
    if (at(p, "OUTPUT")) {
        s->kind = ST_UNSUPPORTED;
        s->what = "INSERT ... OUTPUT";
        skip_to_statement_end(p);
        return s;
    }
    if (accept(p, "DEFAULT")) {
        expect(p, "VALUES");
        s->default_values = true;
        return s;
    }
    if (accept(p, "VALUES")) {
        int cap = 4;
        s->rows = alloc(p, sizeof(*s->rows) * (size_t)cap);
        s->rowlen = alloc(p, sizeof(int) * (size_t)cap);
        do {
            if (s->nrows == cap) {
                struct expr ***nr = alloc(p, sizeof(*nr) * (size_t)cap * 2);
                int *nl = alloc(p, sizeof(int) * (size_t)cap * 2);
                memcpy(nr, s->rows, sizeof(*nr) * (size_t)cap);
                memcpy(nl, s->rowlen, sizeof(int) * (size_t)cap);
                s->rows = nr;
                s->rowlen = nl;
                cap *= 2;
            }
            expect_op(p, "(");
            s->rows[s->nrows] = expr_list(p, &s->rowlen[s->nrows]);
            expect_op(p, ")");
            s->nrows++;
        } while (accept_op(p, ","));
        return s;
    }
    if (at(p, "EXEC") || at(p, "EXECUTE")) {
        s->kind = ST_UNSUPPORTED;
        s->what = "INSERT ... EXEC";
        skip_to_statement_end(p);
        return s;
    }
    if (!at_select_start(p))
        fail(p);
    s->sel = select_stmt(p);
    return s;
}

static void set_list(struct ps *p, struct stmt *s)
{
    int cap = 4;
    s->set_cols = alloc(p, sizeof(char *) * (size_t)cap);
    s->set_vals = alloc(p, sizeof(struct expr *) * (size_t)cap);
    do {
        if (s->nset == cap) {
            char **nc = alloc(p, sizeof(char *) * (size_t)cap * 2);
            struct expr **nv = alloc(p, sizeof(struct expr *) * (size_t)cap * 2);
            memcpy(nc, s->set_cols, sizeof(char *) * (size_t)cap);
            memcpy(nv, s->set_vals, sizeof(struct expr *) * (size_t)cap);
            s->set_cols = nc;
            s->set_vals = nv;
            cap *= 2;
        }
        if (cur(p)->kind == TK_VAR)
            fail(p); /* SET @v = col in UPDATE */
        struct name3 n = name3(p);
        s->set_cols[s->nset] = n.name;
        const char *op = cur(p)->text;
        if (cur(p)->kind != TK_OP || op[strlen(op) - 1] != '=')
            fail(p);
        p->i++;
        struct expr *v = expr(p);
        if (op[0] != '=') {
            struct expr *c = newx(p, EX_COL);
            c->s = n.name;
            struct expr *ar = newx(p, EX_ARITH);
            ar->op = op[0];
            ar->a = c;
            ar->b = v;
            v = ar;
        }
        s->set_vals[s->nset++] = v;
    } while (accept_op(p, ","));
}

static struct stmt *update_stmt(struct ps *p, int line)
{
    struct stmt *s = newst(p, ST_UPDATE, line);
    if (accept(p, "TOP")) {
        expect_op(p, "(");
        s->top = expr(p);
        expect_op(p, ")");
    }
    s->name = name3(p);
    {
        struct from_item dummy = {0};
        table_hints(p, &dummy);
    }
    expect(p, "SET");
    set_list(p, s);
    if (at(p, "OUTPUT"))
        fail(p);
    if (accept(p, "FROM"))
        s->from = from_clause(p);
    if (accept(p, "WHERE")) {
        if (at(p, "CURRENT"))
            fail(p);
        s->where = expr(p);
    }
    return s;
}

static struct stmt *delete_stmt(struct ps *p, int line)
{
    struct stmt *s = newst(p, ST_DELETE, line);
    if (accept(p, "TOP")) {
        expect_op(p, "(");
        s->top = expr(p);
        expect_op(p, ")");
    }
    accept(p, "FROM");
    s->name = name3(p);
    {
        struct from_item dummy = {0};
        table_hints(p, &dummy);
    }
    if (at(p, "OUTPUT"))
        fail(p);
    if (accept(p, "FROM"))
        s->from = from_clause(p);
    if (accept(p, "WHERE"))
        s->where = expr(p);
    return s;
}

static struct coldef *declare_list(struct ps *p, int *n, bool params)
{
    int cap = 4;
    struct coldef *v = alloc(p, sizeof(*v) * (size_t)cap);
    *n = 0;
    do {
        if (*n == cap) {
            struct coldef *nv = alloc(p, sizeof(*nv) * (size_t)cap * 2);
            memcpy(nv, v, sizeof(*nv) * (size_t)cap);
            v = nv;
            cap *= 2;
        }
        struct coldef *c = &v[(*n)++];
        if (cur(p)->kind != TK_VAR || cur(p)->text[1] == '@')
            fail(p);
        c->name = dup(p, cur(p)->text);
        p->i++;
        accept(p, "AS");
        if (at(p, "TABLE") || at(p, "CURSOR"))
            fail(p);
        c->type = type_name_parse(p, &c->type_text);
        if (params) {
            if (accept_op(p, "="))
                c->param_default = unary(p);
            if (accept(p, "OUTPUT") || accept(p, "OUT"))
                c->output = true;
            accept(p, "READONLY");
        } else if (accept_op(p, "=")) {
            c->def = expr(p);
        }
    } while (accept_op(p, ","));
    return v;
}

static bool onoff(struct ps *p)
{
    if (accept(p, "ON"))
        return true;
    if (accept(p, "OFF"))
        return false;
    fail(p);
    return false;
}

static struct stmt *set_stmt(struct ps *p, int line)
{
    struct token *t = cur(p);
    if (t->kind == TK_VAR) {
        struct stmt *s = newst(p, ST_SET_VAR, line);
        s->var = dup(p, t->text);
        p->i++;
        struct token *op = cur(p);
        if (op->kind != TK_OP || op->text[strlen(op->text) - 1] != '=')
            fail(p);
        s->setop = op->text[0] == '=' ? 0 : op->text[0];
        p->i++;
        s->e = expr(p);
        return s;
    }
    struct stmt *s = newst(p, ST_SET_OPT, line);
    if (accept(p, "TRANSACTION")) {
        expect(p, "ISOLATION");
        expect(p, "LEVEL");
        s->ident = "ISOLATION";
        if (accept(p, "READ")) {
            if (accept(p, "UNCOMMITTED"))
                s->optval = "1";
            else {
                expect(p, "COMMITTED");
                s->optval = "2";
            }
        } else if (accept(p, "REPEATABLE")) {
            expect(p, "READ");
            s->optval = "3";
        } else if (accept(p, "SERIALIZABLE")) {
            s->optval = "4";
        } else if (accept(p, "SNAPSHOT")) {
            s->optval = "5";
        } else {
            fail(p);
        }
        return s;
    }
    if (t->kind != TK_IDENT)
        fail(p);
    s->ident = upper_dup(p->a, t->text);
    p->i++;
    if (ieq(s->ident, "IDENTITY_INSERT")) {
        s->optobj = name3(p);
        s->optval = onoff(p) ? "ON" : "OFF";
        return s;
    }
    if (ieq(s->ident, "STATISTICS")) {
        ident_any(p);
        s->optval = onoff(p) ? "ON" : "OFF";
        return s;
    }
    /* SET a, b, c ON */
    while (accept_op(p, ","))
        ident_any(p);
    if (at(p, "ON") || at(p, "OFF")) {
        s->optval = onoff(p) ? "ON" : "OFF";
        return s;
    }
    struct token *v = cur(p);
    if (v->kind == TK_INT || v->kind == TK_IDENT || v->kind == TK_STR || v->kind == TK_NSTR) {
        s->optval = dup(p, v->text);
        p->i++;
        return s;
    }
    if (at_op(p, "-") && peekn(p, 1)->kind == TK_INT) {
        p->i++;
        s->optval = arena_printf(p->a, "-%s", cur(p)->text);
        p->i++;
        return s;
    }
    fail(p);
    return s;
}

static char *tran_name(struct ps *p)
{
    if (cur(p)->kind == TK_VAR) {
        p->i++;
        return dup(p, p->t[p->i - 1].text);
    }
    if (is_name_tok(cur(p)))
        return ident(p);
    return NULL;
}

static struct stmt *exec_stmt(struct ps *p, int line)
{
    struct stmt *s = newst(p, ST_EXEC, line);
    if (at_op(p, "(")) {
        p->i++;
        /* EXEC ('sql') */
        struct expr *e = expr(p);
        expect_op(p, ")");
        s->e = e;
        return s;
    }
    if (cur(p)->kind == TK_VAR && peekn(p, 1)->kind == TK_OP && !strcmp(peekn(p, 1)->text, "=")) {
        s->retvar = dup(p, cur(p)->text);
        p->i += 2;
    }
    struct name3 n = name3(p);
    s->procname = n;
    s->proc = n.schema ? arena_printf(p->a, "%s.%s", n.schema, n.name) : n.name;
    int cap = 8;
    s->pnames = alloc(p, sizeof(char *) * (size_t)cap);
    s->pvals = alloc(p, sizeof(struct expr *) * (size_t)cap);
    s->pout = alloc(p, sizeof(bool) * (size_t)cap);
    struct token *t = cur(p);
    if (t->kind == TK_EOF || at_op(p, ";") ||
        (t->kind == TK_IDENT && is_reserved(t->text) && !ieq(t->text, "DEFAULT") &&
         !ieq(t->text, "NULL")))
        return s;
    do {
        if (s->nparams == cap) {
            char **nn = alloc(p, sizeof(char *) * (size_t)cap * 2);
            struct expr **nv = alloc(p, sizeof(struct expr *) * (size_t)cap * 2);
            bool *no = alloc(p, sizeof(bool) * (size_t)cap * 2);
            memcpy(nn, s->pnames, sizeof(char *) * (size_t)cap);
            memcpy(nv, s->pvals, sizeof(struct expr *) * (size_t)cap);
            memcpy(no, s->pout, sizeof(bool) * (size_t)cap);
            s->pnames = nn;
            s->pvals = nv;
            s->pout = no;
            cap *= 2;
        }
        if (cur(p)->kind == TK_VAR && peekn(p, 1)->kind == TK_OP &&
            !strcmp(peekn(p, 1)->text, "=")) {
            s->pnames[s->nparams] = dup(p, cur(p)->text);
            p->i += 2;
        }
        /* bare identifiers are string arguments: EXEC sp_help t */
        if (cur(p)->kind == TK_IDENT && !is_reserved(cur(p)->text) &&
            !(peekn(p, 1)->kind == TK_OP && !strcmp(peekn(p, 1)->text, "("))) {
            struct expr *e = newx(p, EX_NSTR);
            e->s = dup(p, cur(p)->text);
            e->slen = strlen(e->s);
            p->i++;
            s->pvals[s->nparams] = e;
        } else {
            s->pvals[s->nparams] = expr(p);
        }
        if (accept(p, "OUTPUT") || accept(p, "OUT"))
            s->pout[s->nparams] = true;
        s->nparams++;
    } while (accept_op(p, ","));
    return s;
}

static struct stmt *block_until(struct ps *p, int line)
{
    struct stmt *s = newst(p, ST_BLOCK, line);
    int cap = 8;
    s->list = alloc(p, sizeof(*s->list) * (size_t)cap);
    for (;;) {
        while (accept_op(p, ";"))
            ;
        if (at(p, "END"))
            break;
        if (cur(p)->kind == TK_EOF)
            fail(p);
        if (s->nlist == cap) {
            struct stmt **n = alloc(p, sizeof(*n) * (size_t)cap * 2);
            memcpy(n, s->list, sizeof(*n) * (size_t)cap);
            s->list = n;
            cap *= 2;
        }
        s->list[s->nlist++] = statement(p);
    }
    expect(p, "END");
    return s;
}

/*
 * WITH CHANGE_TRACKING_CONTEXT (context) before INSERT, UPDATE, DELETE or
 * MERGE: the context is a variable or a binary literal (NULL: 156, a
 * string: 102); a SELECT is 22108, anything else a syntax error. The type
 * of a variable is checked when the statement runs (22109).
 */
static struct stmt *ct_context_stmt(struct ps *p, int line)
{
    (void)line;
    p->i++; /* CHANGE_TRACKING_CONTEXT */
    expect_op(p, "(");
    struct expr *x = NULL;
    if (cur(p)->kind == TK_VAR) {
        x = newx(p, EX_VAR);
        x->s = dup(p, cur(p)->text);
        p->i++;
    } else if (cur(p)->kind == TK_BIN) {
        x = primary(p);
    } else {
        fail(p);
    }
    expect_op(p, ")");
    if (at(p, "SELECT"))
        fail_msg(p, 22108, "The CHANGE_TRACKING_CONTEXT WITH clause cannot be used with a SELECT statement.");
    if (!at(p, "INSERT") && !at(p, "UPDATE") && !at(p, "DELETE") && !at(p, "MERGE"))
        fail(p);
    struct stmt *s = statement(p);
    s->ct_context = x;
    return s;
}

static struct stmt *statement(struct ps *p)
{
    while (accept_op(p, ";"))
        ;
    struct token *t = cur(p);
    int line = t->line;
    if (t->kind == TK_OP && t->text[0] == '(' && is_kw(peekn(p, 1), "SELECT")) {
        struct stmt *s = newst(p, ST_SELECT, line);
        s->sel = select_stmt(p);
        return s;
    }
    if (t->kind != TK_IDENT)
        fail(p);
    if (sec_is_stmt(p->t, p->n, p->i)) { /* logins, users, roles, GRANT ... */
        struct stmt *s = newst(p, ST_SECURITY, line);
        int pos = p->i;
        int rc = sec_parse(p->a, p->t, p->n, &pos, s);
        p->i = pos;
        if (rc)
            fail(p);
        return s;
    }
    if (at(p, "SELECT")) {
        struct stmt *s = newst(p, ST_SELECT, line);
        s->sel = select_stmt(p);
        return s;
    }
    p->i++;
    if (is_kw(t, "INSERT"))
        return insert_stmt(p, line);
    if (is_kw(t, "UPDATE")) {
        if (at(p, "STATISTICS")) {
            skip_to_statement_end(p);
            return newst(p, ST_NOP, line);
        }
        return update_stmt(p, line);
    }
    if (is_kw(t, "DELETE"))
        return delete_stmt(p, line);
    if (is_kw(t, "TRUNCATE")) {
        expect(p, "TABLE");
        struct stmt *s = newst(p, ST_TRUNCATE, line);
        s->name = name3(p);
        return s;
    }
    if (is_kw(t, "CREATE"))
        return create_stmt(p, line);
    if (is_kw(t, "DROP"))
        return drop_stmt(p, line);
    if (is_kw(t, "ALTER"))
        return alter_stmt(p, line);
    if (is_kw(t, "USE")) {
        struct stmt *s = newst(p, ST_USE, line);
        s->ident = ident_any(p);
        return s;
    }
    if (is_kw(t, "DECLARE")) {
        struct stmt *s = newst(p, ST_DECLARE, line);
        s->vars = declare_list(p, &s->nvars, false);
        return s;
    }
    if (is_kw(t, "SET"))
        return set_stmt(p, line);
    if (is_kw(t, "IF")) {
        struct stmt *s = newst(p, ST_IF, line);
        s->e = expr(p);
        s->body = statement(p);
        while (accept_op(p, ";"))
            ;
        if (accept(p, "ELSE"))
            s->else_body = statement(p);
        return s;
    }
    if (is_kw(t, "WHILE")) {
        struct stmt *s = newst(p, ST_WHILE, line);
        s->e = expr(p);
        s->body = statement(p);
        return s;
    }
    if (is_kw(t, "BEGIN")) {
        if (accept(p, "TRAN") || accept(p, "TRANSACTION")) {
            struct stmt *s = newst(p, ST_BEGIN_TRAN, line);
            s->ident = tran_name(p);
            if (accept(p, "WITH")) {
                expect(p, "MARK");
                if (cur(p)->kind == TK_STR || cur(p)->kind == TK_NSTR)
                    p->i++;
            }
            return s;
        }
        if (at(p, "TRY") || at(p, "DISTRIBUTED") || at(p, "CATCH"))
            fail(p);
        return block_until(p, line);
    }
    if (is_kw(t, "COMMIT") || is_kw(t, "ROLLBACK")) {
        struct stmt *s = newst(p, is_kw(t, "COMMIT") ? ST_COMMIT : ST_ROLLBACK, line);
        if (accept(p, "TRAN") || accept(p, "TRANSACTION") || accept(p, "WORK"))
            s->ident = tran_name(p);
        return s;
    }
    if (is_kw(t, "SAVE")) {
        if (!accept(p, "TRAN"))
            expect(p, "TRANSACTION");
        struct stmt *s = newst(p, ST_SAVE, line);
        s->ident = tran_name(p);
        if (!s->ident)
            fail(p);
        return s;
    }
    if (is_kw(t, "PRINT")) {
        struct stmt *s = newst(p, ST_PRINT, line);
        s->e = expr(p);
        return s;
    }
    if (is_kw(t, "RAISERROR")) {
        struct stmt *s = newst(p, ST_RAISERROR, line);
        expect_op(p, "(");
        s->args = expr_list(p, &s->nargs);
        expect_op(p, ")");
        if (accept(p, "WITH")) {
            do
                ident_any(p);
            while (accept_op(p, ","));
        }
        if (s->nargs < 3)
            fail(p);
        return s;
    }
    if (is_kw(t, "THROW")) {
        struct stmt *s = newst(p, ST_THROW, line);
        if (at_op(p, ";") || cur(p)->kind == TK_EOF)
            fail(p); /* rethrow needs CATCH */
        s->args = expr_list(p, &s->nargs);
        if (s->nargs != 3)
            fail(p);
        return s;
    }
    if (is_kw(t, "EXEC") || is_kw(t, "EXECUTE"))
        return exec_stmt(p, line);
    if (is_kw(t, "BREAK"))
        return newst(p, ST_BREAK, line);
    if (is_kw(t, "CONTINUE"))
        return newst(p, ST_CONTINUE, line);
    if (is_kw(t, "RETURN")) {
        struct stmt *s = newst(p, ST_RETURN, line);
        struct token *n = cur(p);
        if (n->kind == TK_INT || n->kind == TK_VAR || (n->kind == TK_OP && n->text[0] == '-') ||
            (n->kind == TK_OP && n->text[0] == '('))
            s->e = expr(p);
        return s;
    }
    if (is_kw(t, "GO"))
        fail(p);
    if (is_kw(t, "WITH") && at(p, "CHANGE_TRACKING_CONTEXT"))
        return ct_context_stmt(p, line);
    if (is_kw(t, "WITH") || is_kw(t, "MERGE") || is_kw(t, "GRANT") || is_kw(t, "REVOKE") ||
        is_kw(t, "DENY") || is_kw(t, "WAITFOR") || is_kw(t, "DBCC") || is_kw(t, "CHECKPOINT") ||
        is_kw(t, "OPEN") || is_kw(t, "FETCH") || is_kw(t, "CLOSE") || is_kw(t, "DEALLOCATE") ||
        is_kw(t, "GOTO") || is_kw(t, "KILL") || is_kw(t, "BACKUP") || is_kw(t, "RESTORE")) {
        struct stmt *s = newst(p, ST_UNSUPPORTED, line);
        s->what = upper_dup(p->a, t->text);
        skip_to_statement_end(p);
        return s;
    }
    p->i--;
    /* A bare procedure name as the first statement means EXEC. */
    if (p->i == 0 && is_name_tok(t)) {
        return exec_stmt(p, line);
    }
    fail(p);
    return NULL;
}

static void ps_init(struct ps *p, struct arena *a, const char *sql, size_t len,
                    struct lexer_out *lx, struct perr *pe)
{
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->t = lx->toks;
    p->n = lx->n;
    p->pe = pe;
    p->sql = sql;
    (void)len;
}

static int lex(struct arena *a, const char *sql, size_t len, struct lexer_out *lx, struct perr *pe)
{
    const char *near = NULL;
    int line = 1;
    int rc = lexer_run(a, sql, len, lx, &near, &line);
    if (rc == 0)
        return 0;
    pe->line = line;
    if (rc == -2) {
        pe->number = 105;
        snprintf(pe->text, sizeof(pe->text), "Unclosed quotation mark after the character string '%.400s'.",
                 near ? near : "");
    } else if (rc == -1) {
        pe->number = near && *near ? 102 : 113;
        if (pe->number == 102)
            snprintf(pe->text, sizeof(pe->text), "Incorrect syntax near '%s'.", near);
        else
            snprintf(pe->text, sizeof(pe->text), "Missing end comment mark '*/'.");
    } else {
        pe->number = 701;
        snprintf(pe->text, sizeof(pe->text), "There is insufficient system memory to run this query.");
    }
    return -1;
}

int parser_batch(struct arena *a, const char *sql, size_t len, struct batch_ast *out,
                 struct perr *pe)
{
    struct lexer_out lx;
    struct ps p;
    /* The lexer needs NUL-terminated text for src_text's scan. */
    char *text = arena_strndup(a, sql, len);
    if (!text || lex(a, text, len, &lx, pe))
        return -1;
    ps_init(&p, a, text, len, &lx, pe);
    if (setjmp(p.jb))
        return -1;
    int cap = 16;
    out->st = alloc(&p, sizeof(*out->st) * (size_t)cap);
    out->n = 0;
    for (;;) {
        while (accept_op(&p, ";"))
            ;
        if (cur(&p)->kind == TK_EOF)
            break;
        if (out->n == cap) {
            struct stmt **n = alloc(&p, sizeof(*n) * (size_t)cap * 2);
            memcpy(n, out->st, sizeof(*n) * (size_t)cap);
            out->st = n;
            cap *= 2;
        }
        if (at_proc_start(&p)) {
            if (out->n > 0)
                fail_not_first(&p);
            out->st[out->n++] = create_proc(&p);
            continue;
        }
        out->st[out->n++] = statement(&p);
    }
    return 0;
}

struct expr *parser_expr(struct arena *a, const char *sql, size_t len, struct perr *pe)
{
    struct lexer_out lx;
    struct ps p;
    char *text = arena_strndup(a, sql, len);
    if (!text || lex(a, text, len, &lx, pe))
        return NULL;
    ps_init(&p, a, text, len, &lx, pe);
    if (setjmp(p.jb))
        return NULL;
    struct expr *e = expr(&p);
    if (cur(&p)->kind != TK_EOF)
        fail(&p);
    return e;
}

int parser_params(struct arena *a, const char *sql, size_t len, struct coldef **out, int *n,
                  struct perr *pe)
{
    struct lexer_out lx;
    struct ps p;
    char *text = arena_strndup(a, sql, len);
    *n = 0;
    *out = NULL;
    if (!text || lex(a, text, len, &lx, pe))
        return -1;
    ps_init(&p, a, text, len, &lx, pe);
    if (setjmp(p.jb))
        return -1;
    if (cur(&p)->kind == TK_EOF)
        return 0;
    *out = declare_list(&p, n, true);
    if (cur(&p)->kind != TK_EOF)
        fail(&p);
    return 0;
}
