/*
 * xml: the xml type's text, parsed and printed back the way SQL Server
 * stores and serialises it.
 *
 * SQL Server keeps xml in a binary form, so what comes back out is not the
 * text that went in: the XML declaration is dropped, an element without
 * content prints as <e /> (a space before "/>"), attributes print as
 * name="value", character and entity references are resolved and only
 * &amp; &lt; &gt; (and &quot; in attributes) are escaped again, CDATA
 * sections become text, and whitespace-only text between markup is
 * dropped (unless xml:space="preserve" is in scope). Comments and
 * processing instructions are kept. A fragment (several top-level nodes,
 * top-level text) is accepted, as the untyped xml type does.
 *
 * Malformed input is refused with the 94xx messages of SQL Server's XML
 * parser ("XML parsing: line 1, character 7, unexpected end of input").
 * Not implemented: DTDs (refused), encodings other than UTF-8, typed xml.
 * Element depth is limited to 128 levels (SQL Server's own limit).
 */
#include "internal.h"

#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

#define XML_MAX_DEPTH 128

struct xp {
    const uint8_t *s;
    size_t n, i;
    struct buf *out;
    struct value_error *e;
    bool failed;
};

/* Line and character (1-based) of byte offset i, as the parser reports. */
static void position(const struct xp *x, size_t i, int *line, int *ch)
{
    size_t k = 0;
    *line = 1;
    *ch = 1;
    while (k < i && k < x->n) {
        if (x->s[k] == '\n') {
            (*line)++;
            *ch = 1;
            k++;
            continue;
        }
        utf8_decode(x->s, x->n, &k);
        (*ch)++;
    }
}

static int fail(struct xp *x, int number, const char *reason)
{
    int line, ch;
    if (x->failed)
        return -1;
    position(x, x->i, &line, &ch);
    value_error_set(x->e, number, "XML parsing: line %d, character %d, %s", line, ch, reason);
    x->failed = true;
    return -1;
}

/* A message of its own (no position), such as 6359 and 6335. */
static int fail_plain(struct xp *x, int number, const char *text)
{
    if (!x->failed)
        value_error_set(x->e, number, "%s", text);
    x->failed = true;
    return -1;
}

static bool at_end(const struct xp *x) { return x->i >= x->n; }

static bool starts(const struct xp *x, const char *lit)
{
    size_t l = strlen(lit);
    return x->n - x->i >= l && memcmp(x->s + x->i, lit, l) == 0;
}

static bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void skip_space(struct xp *x)
{
    while (!at_end(x) && is_space(x->s[x->i]))
        x->i++;
}

static bool name_start(int32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0xC0;
}

static bool name_char(int32_t c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 0xB7;
}

/* A name at x->i: sets *start and *len. */
static int parse_name(struct xp *x, size_t *start, size_t *len)
{
    size_t k = x->i;
    if (at_end(x))
        return fail(x, 9400, "unexpected end of input");
    int32_t c = utf8_decode(x->s, x->n, &k);
    if (!name_start(c))
        return fail(x, 9455, "illegal qualified name character");
    *start = x->i;
    x->i = k;
    while (!at_end(x)) {
        k = x->i;
        c = utf8_decode(x->s, x->n, &k);
        if (!name_char(c))
            break;
        x->i = k;
    }
    *len = x->i - *start;
    return 0;
}

static void put_utf8(struct buf *b, int32_t c)
{
    uint8_t u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (uint8_t)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (uint8_t)(0xC0 | (c >> 6));
        u[1] = (uint8_t)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (uint8_t)(0xE0 | (c >> 12));
        u[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (uint8_t)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        u[0] = (uint8_t)(0xF0 | (c >> 18));
        u[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        u[3] = (uint8_t)(0x80 | (c & 0x3F));
        n = 4;
    }
    buf_append(b, u, n);
}

/* A reference after '&': appends the character it stands for to b. */
static int parse_ref(struct xp *x, struct buf *b)
{
    x->i++; /* '&' */
    if (!at_end(x) && x->s[x->i] == '#') {
        bool hex = x->i + 1 < x->n && x->s[x->i + 1] == 'x';
        x->i += hex ? 2 : 1;
        int64_t v = 0;
        size_t digits = 0;
        while (!at_end(x) && digits < 8) {
            uint8_t c = x->s[x->i];
            int d = c >= '0' && c <= '9' ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0)
                break;
            v = v * (hex ? 16 : 10) + d;
            digits++;
            x->i++;
        }
        if (at_end(x))
            return fail(x, 9400, "unexpected end of input");
        if (x->s[x->i] != ';')
            return fail(x, 9411, "semicolon expected");
        if (!digits || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
            (v < 0x20 && v != 9 && v != 10 && v != 13))
            return fail(x, 9420, "illegal xml character");
        x->i++;
        put_utf8(b, (int32_t)v);
        return 0;
    }
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
        if (starts(x, ents[k].name)) {
            x->i += strlen(ents[k].name);
            buf_append_byte(b, (uint8_t)ents[k].c);
            return 0;
        }
    size_t st, len;
    if (parse_name(x, &st, &len))
        return -1;
    if (at_end(x))
        return fail(x, 9400, "unexpected end of input");
    if (x->s[x->i] != ';')
        return fail(x, 9411, "semicolon expected");
    return fail(x, 9448, "well formed check: undeclared entity");
}

static void escape(struct buf *out, const uint8_t *p, size_t n, bool attr)
{
    for (size_t i = 0; i < n; i++) {
        switch (p[i]) {
        case '&': buf_append_str(out, "&amp;"); break;
        case '<': buf_append_str(out, "&lt;"); break;
        case '>': buf_append_str(out, "&gt;"); break;
        case '"':
            if (attr) {
                buf_append_str(out, "&quot;");
                break;
            }
            /* fall through */
        default: buf_append_byte(out, p[i]); break;
        }
    }
}

/* Attribute value in quotes; whitespace characters become spaces. */
static int parse_attr_value(struct xp *x, struct buf *v)
{
    if (at_end(x))
        return fail(x, 9400, "unexpected end of input");
    uint8_t q = x->s[x->i];
    if (q != '"' && q != '\'')
        return fail(x, 9413, "A string literal was expected");
    x->i++;
    for (;;) {
        if (at_end(x))
            return fail(x, 9400, "unexpected end of input");
        uint8_t c = x->s[x->i];
        if (c == q) {
            x->i++;
            return 0;
        }
        if (c == '<')
            return fail(x, 9421, "illegal name character");
        if (c == '&') {
            if (parse_ref(x, v))
                return -1;
            continue;
        }
        buf_append_byte(v, is_space(c) ? ' ' : c);
        x->i++;
    }
}

/* Text content up to the next '<' (references resolved) into t. */
static int parse_text(struct xp *x, struct buf *t)
{
    while (!at_end(x) && x->s[x->i] != '<') {
        uint8_t c = x->s[x->i];
        if (c == '&') {
            if (parse_ref(x, t))
                return -1;
            continue;
        }
        if (c == '\r') { /* end-of-line normalisation */
            buf_append_byte(t, '\n');
            x->i += x->i + 1 < x->n && x->s[x->i + 1] == '\n' ? 2 : 1;
            continue;
        }
        buf_append_byte(t, c);
        x->i++;
    }
    return 0;
}

/* Copy markup up to and including the terminator `end` (comments, PIs). */
static int copy_until(struct xp *x, const char *end, bool emit)
{
    size_t st = x->i;
    while (!at_end(x) && !starts(x, end))
        x->i++;
    if (at_end(x))
        return fail(x, 9400, "unexpected end of input");
    x->i += strlen(end);
    if (emit)
        buf_append(x->out, x->s + st, x->i - st);
    return 0;
}

struct open_el {
    size_t name, len;     /* the start tag's name in the input */
    bool content;         /* something was printed inside (its ">" too) */
    bool preserve;        /* xml:space="preserve" in scope */
};

/* Before printing anything inside element el (NULL at the top level):
 * close its start tag, which stays open until we know it has content. */
static void mark_content(struct xp *x, struct open_el *el)
{
    if (el && !el->content)
        buf_append_byte(x->out, '>');
    if (el)
        el->content = true;
}

/* Flush pending text t: dropped when it is only whitespace (unless
 * preserved), escaped otherwise. */
static void flush_text(struct xp *x, struct buf *t, bool preserve, struct open_el *el)
{
    bool blank = true;
    for (size_t i = 0; i < t->len && blank; i++)
        blank = is_space(t->data[i]);
    if (t->len && (!blank || preserve)) {
        mark_content(x, el);
        escape(x->out, t->data, t->len, false);
    }
    buf_reset(t);
}

/* A start tag at x->i (at its "<"). Prints
 * "<name a="v"" and leaves the tag open; *empty is true for "/>". */
static int start_tag(struct xp *x, struct open_el *el, bool *empty, bool parent_preserve)
{
    x->i++; /* '<' */
    if (parse_name(x, &el->name, &el->len))
        return -1;
    buf_append_byte(x->out, '<');
    buf_append(x->out, x->s + el->name, el->len);
    el->preserve = parent_preserve;
    struct buf v;
    buf_init(&v, 0);
    size_t names[64], lens[64];
    int nattr = 0;
    for (;;) {
        size_t before = x->i;
        skip_space(x);
        if (at_end(x)) {
            buf_free(&v);
            return fail(x, 9400, "unexpected end of input");
        }
        if (starts(x, "/>") || x->s[x->i] == '>') {
            *empty = x->s[x->i] == '/';
            x->i += *empty ? 2 : 1;
            break;
        }
        if (before == x->i) {
            buf_free(&v);
            return fail(x, 9410, "whitespace expected");
        }
        size_t an, al;
        if (parse_name(x, &an, &al)) {
            buf_free(&v);
            return -1;
        }
        for (int k = 0; k < nattr; k++)
            if (lens[k] == al && memcmp(x->s + names[k], x->s + an, al) == 0) {
                buf_free(&v);
                return fail(x, 9465, "well formed check: redefinition of attribute");
            }
        if (nattr < 64) {
            names[nattr] = an;
            lens[nattr++] = al;
        }
        skip_space(x);
        if (at_end(x) || x->s[x->i] != '=') {
            buf_free(&v);
            return at_end(x) ? fail(x, 9400, "unexpected end of input") : fail(x, 9416, "= expected");
        }
        x->i++;
        skip_space(x);
        buf_reset(&v);
        if (parse_attr_value(x, &v)) {
            buf_free(&v);
            return -1;
        }
        if (al == 9 && memcmp(x->s + an, "xml:space", 9) == 0)
            el->preserve = v.len == 8 && memcmp(v.data, "preserve", 8) == 0;
        buf_append_byte(x->out, ' ');
        buf_append(x->out, x->s + an, al);
        buf_append_str(x->out, "=\"");
        escape(x->out, v.data ? v.data : (const uint8_t *)"", v.len, true);
        buf_append_byte(x->out, '"');
    }
    buf_free(&v);
    el->content = false;
    if (*empty)
        buf_append_str(x->out, " />");
    return 0;
}

/* "</name>" at x->i for the innermost open element. */
static int end_tag(struct xp *x, struct open_el *el)
{
    x->i += 2;
    size_t st, len;
    if (parse_name(x, &st, &len))
        return -1;
    if (len != el->len || memcmp(x->s + st, x->s + el->name, len) != 0)
        return fail(x, 9436, "end tag does not match start tag");
    skip_space(x);
    if (at_end(x))
        return fail(x, 9400, "unexpected end of input");
    if (x->s[x->i] != '>')
        return fail(x, 9417, "'>' expected");
    x->i++;
    if (!el->content) {
        buf_append_str(x->out, " />");
    } else {
        buf_append_str(x->out, "</");
        buf_append(x->out, x->s + el->name, el->len);
        buf_append_byte(x->out, '>');
    }
    return 0;
}

static int parse_content(struct xp *x)
{
    struct open_el stack[XML_MAX_DEPTH];
    int depth = 0;
    struct buf text;
    buf_init(&text, 0);
    int rc = -1;
    /* an XML declaration is allowed only at the very start, and dropped */
    if (starts(x, "<?xml") && x->n - x->i > 5 && is_space(x->s[x->i + 5]) && copy_until(x, "?>", false))
        goto out;
    while (!at_end(x)) {
        struct open_el *parent = depth ? &stack[depth - 1] : NULL;
        bool preserve = depth ? stack[depth - 1].preserve : false;
        if (x->s[x->i] != '<') {
            if (parse_text(x, &text))
                goto out;
            continue;
        }
        if (starts(x, "<![CDATA[")) {
            x->i += 9;
            size_t st = x->i;
            while (!at_end(x) && !starts(x, "]]>"))
                x->i++;
            if (at_end(x)) {
                fail(x, 9400, "unexpected end of input");
                goto out;
            }
            buf_append(&text, x->s + st, x->i - st);
            x->i += 3;
            /* CDATA content is text, even when it is only blanks */
            if (x->i - st > 3)
                preserve = true;
            flush_text(x, &text, preserve, parent);
            continue;
        }
        flush_text(x, &text, preserve, parent);
        if (starts(x, "<!--")) {
            mark_content(x, parent);
            if (copy_until(x, "-->", true))
                goto out;
        } else if (starts(x, "<!")) {
            fail_plain(x, 6359, "Parsing XML with internal subset DTDs not allowed. Use CONVERT with style option 2 to enable limited internal subset DTD support.");
            goto out;
        } else if (starts(x, "<?")) {
            if (starts(x, "<?xml") && x->n - x->i > 5 && is_space(x->s[x->i + 5])) {
                fail(x, 9438, "text/xmldecl not at the beginning of input");
                goto out;
            }
            mark_content(x, parent);
            if (copy_until(x, "?>", true))
                goto out;
        } else if (starts(x, "</")) {
            if (depth == 0) {
                fail(x, 9436, "end tag does not match start tag");
                goto out;
            }
            if (end_tag(x, &stack[depth - 1]))
                goto out;
            depth--;
        } else {
            if (depth == XML_MAX_DEPTH) {
                fail_plain(x, 6335, "XML datatype instance has too many levels of nested nodes. Maximum allowed depth is 128 levels.");
                goto out;
            }
            bool empty = false;
            mark_content(x, parent);
            if (start_tag(x, &stack[depth], &empty, preserve))
                goto out;
            if (!empty)
                depth++;
        }
    }
    flush_text(x, &text, depth ? stack[depth - 1].preserve : false, depth ? &stack[depth - 1] : NULL);
    if (depth) {
        fail(x, 9400, "unexpected end of input");
        goto out;
    }
    rc = 0;
out:
    buf_free(&text);
    return rc;
}

int value_xml_normalize(const uint8_t *s, size_t n, struct buf *out, struct value_error *e)
{
    struct xp x = {s, n, 0, out, e, false};
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        x.i = 3; /* a byte order mark */
    return parse_content(&x);
}
