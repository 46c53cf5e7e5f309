/*
 * lexer: T-SQL batch text -> tokens.
 *
 * Owns comments (-- and nested block comments), identifiers ([..], "..", plain),
 * variables (@x, @@x), numbers (int, decimal, float with exponent), strings
 * ('..' with '' escape, N'..'), binary literals (0x..) and operators. It
 * does not know keywords: the parser compares identifier text
 * case-insensitively. Tokens and their unescaped text live in the caller's
 * arena (one batch). Line numbers are 1-based, as SQL Server reports them.
 */
#include <ctype.h>
#include <string.h>

#include "eng.h"

struct lx {
    struct arena *a;
    const char *s;
    size_t n, i;
    int line;
    struct token *t;
    int nt, cap;
};

static int push(struct lx *x, enum tok_kind k, const char *text, size_t len, int line, size_t pos)
{
    if (x->nt == x->cap) {
        int nc = x->cap ? x->cap * 2 : 256;
        struct token *nt = arena_alloc(x->a, sizeof(*nt) * (size_t)nc);
        if (!nt)
            return -1;
        if (x->nt)
            memcpy(nt, x->t, sizeof(*nt) * (size_t)x->nt);
        x->t = nt;
        x->cap = nc;
    }
    struct token *t = &x->t[x->nt++];
    t->kind = k;
    t->text = arena_strndup(x->a, text, len);
    t->len = len;
    t->line = line;
    t->pos = pos;
    return t->text ? 0 : -1;
}

static bool ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c == '#' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '#' || c == '$' || c == '@' || c >= 0x80;
}

/* Quoted text ending with `close`, doubled close = literal close. */
static int quoted(struct lx *x, char close, enum tok_kind k, size_t start, int line)
{
    struct buf b;
    buf_init(&b, 0);
    for (;;) {
        if (x->i >= x->n) {
            buf_free(&b);
            return -2;
        }
        char c = x->s[x->i++];
        if (c == '\n')
            x->line++;
        if (c == close) {
            if (x->i < x->n && x->s[x->i] == close) {
                buf_append_byte(&b, (uint8_t)c);
                x->i++;
                continue;
            }
            break;
        }
        buf_append_byte(&b, (uint8_t)c);
    }
    int rc = push(x, k, b.data ? (const char *)b.data : "", b.len, line, start);
    buf_free(&b);
    return rc;
}

int lexer_run(struct arena *a, const char *sql, size_t len, struct lexer_out *out,
              const char **errnear, int *errline)
{
    struct lx x = {.a = a, .s = sql, .n = len, .line = 1};
    int rc = 0;
    while (x.i < x.n) {
        unsigned char c = (unsigned char)x.s[x.i];
        size_t st = x.i;
        int line = x.line;
        if (c == '\n') {
            x.line++;
            x.i++;
        } else if (isspace(c)) {
            x.i++;
        } else if (c == '-' && x.i + 1 < x.n && x.s[x.i + 1] == '-') {
            while (x.i < x.n && x.s[x.i] != '\n')
                x.i++;
        } else if (c == '/' && x.i + 1 < x.n && x.s[x.i + 1] == '*') {
            int depth = 0;
            do {
                if (x.i + 1 < x.n && x.s[x.i] == '/' && x.s[x.i + 1] == '*') {
                    depth++;
                    x.i += 2;
                } else if (x.i + 1 < x.n && x.s[x.i] == '*' && x.s[x.i + 1] == '/') {
                    depth--;
                    x.i += 2;
                } else {
                    if (x.s[x.i] == '\n')
                        x.line++;
                    x.i++;
                }
            } while (depth > 0 && x.i < x.n);
            if (depth > 0) {
                *errnear = "";
                *errline = line;
                return -1;
            }
        } else if ((c == 'N' || c == 'n') && x.i + 1 < x.n && x.s[x.i + 1] == '\'') {
            x.i += 2;
            rc = quoted(&x, '\'', TK_NSTR, st, line);
        } else if (c == '\'') {
            x.i++;
            rc = quoted(&x, '\'', TK_STR, st, line);
        } else if (c == '[') {
            x.i++;
            rc = quoted(&x, ']', TK_QIDENT, st, line);
        } else if (c == '"') {
            x.i++;
            rc = quoted(&x, '"', TK_QIDENT, st, line);
        } else if (c == '0' && x.i + 1 < x.n && (x.s[x.i + 1] == 'x' || x.s[x.i + 1] == 'X')) {
            x.i += 2;
            while (x.i < x.n && isxdigit((unsigned char)x.s[x.i]))
                x.i++;
            rc = push(&x, TK_BIN, x.s + st + 2, x.i - st - 2, line, st);
        } else if (isdigit(c) || (c == '.' && x.i + 1 < x.n && isdigit((unsigned char)x.s[x.i + 1]))) {
            enum tok_kind k = TK_INT;
            while (x.i < x.n && isdigit((unsigned char)x.s[x.i]))
                x.i++;
            if (x.i < x.n && x.s[x.i] == '.') {
                k = TK_DEC;
                x.i++;
                while (x.i < x.n && isdigit((unsigned char)x.s[x.i]))
                    x.i++;
            }
            if (x.i < x.n && (x.s[x.i] == 'e' || x.s[x.i] == 'E')) {
                size_t j = x.i + 1;
                if (j < x.n && (x.s[j] == '+' || x.s[j] == '-'))
                    j++;
                if (j < x.n && isdigit((unsigned char)x.s[j])) {
                    k = TK_FLOAT;
                    x.i = j;
                    while (x.i < x.n && isdigit((unsigned char)x.s[x.i]))
                        x.i++;
                }
            }
            rc = push(&x, k, x.s + st, x.i - st, line, st);
        } else if (c == '@') {
            x.i++;
            if (x.i < x.n && x.s[x.i] == '@')
                x.i++;
            while (x.i < x.n && ident_char((unsigned char)x.s[x.i]))
                x.i++;
            rc = push(&x, TK_VAR, x.s + st, x.i - st, line, st);
        } else if (ident_start(c)) {
            while (x.i < x.n && ident_char((unsigned char)x.s[x.i]))
                x.i++;
            rc = push(&x, TK_IDENT, x.s + st, x.i - st, line, st);
        } else {
            static const char *two[] = {"<>", "!=", "<=", ">=", "!<", "!>", "+=", "-=",
                                        "*=", "/=", "%=", "&=", "|=", "^=", "::", NULL};
            size_t l = 1;
            for (int k = 0; two[k]; k++)
                if (x.i + 1 < x.n && x.s[x.i] == two[k][0] && x.s[x.i + 1] == two[k][1]) {
                    l = 2;
                    break;
                }
            if (l == 1 && !strchr("=<>+-*/%&|^~(),.;!", c)) {
                *errnear = arena_strndup(a, x.s + st, 1);
                *errline = line;
                return -1;
            }
            x.i += l;
            rc = push(&x, TK_OP, x.s + st, l, line, st);
        }
        if (rc == -2) {
            /* unterminated quote: SQL Server reports 105 */
            *errnear = arena_strndup(a, x.s + st, x.n - st);
            *errline = line;
            return -2;
        }
        if (rc)
            return -3;
    }
    if (push(&x, TK_EOF, "", 0, x.line, x.n))
        return -3;
    out->toks = x.t;
    out->n = x.nt;
    return 0;
}
