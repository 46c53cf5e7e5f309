/*
 * config: the model, validation, ${VAR} / .env expansion and credential
 * resolution. See config.h for the contract.
 *
 * Loading runs as a list of phases (config_load): read the file, parse it
 * with the adapter its extension or content asks for, read .env beside it,
 * walk the neutral tree section by section into struct config, then
 * resolve the connection against the environment and the defaults.
 *
 * Memory: the parsed tree, key paths and .env values live in a temporary
 * arena freed when loading ends; everything the model keeps is copied into
 * the config's own arena. A failure at any point frees both, so the caller
 * sees either a complete config or nothing.
 *
 * Secrets: messages quote a value, as written before ${VAR} expansion, only
 * when it failed to be an integer, a boolean or one of a fixed set of
 * words (or a port in connection.server); string-valued keys such as
 * connection.password are never quoted, and neither are ${VAR} problems
 * (only the variable and key names) or .env lines. The syntax adapters
 * strip their libraries' quotations of the input. Buffers that held the
 * file, .env or an expansion are wiped before they are freed; copies in
 * the arenas are not (the arena has no wipe), so this limits, rather than
 * rules out, a password lingering in freed memory.
 */
#include "config/config.h"

#include "config/doc.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONFIG_MAX_BYTES (16u * 1024 * 1024)
#define DOTENV_MAX_BYTES (1024u * 1024)
#define VAR_NAME_MAX 128

static const char *const mode_names[] = {"full", "incremental", "full_incremental"};
static const char *const capture_names[] = {"ct", "cdc", "auto"};
static const char *const cdc_mode_names[] = {"all", "net"};
static const char *const output_names[] = {"per_table", "unified", "jsonl"};
static const char *const compression_names[] = {"none", "snappy",  "gzip",
                                                "zstd", "lz4_raw", "brotli"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const root_keys[] = {"connection", "storage", "parallelism",
                                        "watch",      "databases", NULL};
static const char *const watch_keys[] = {"poll_interval", "max_poll_interval", NULL};
static const char *const connection_keys[] = {
    "server", "port",     "user",    "password",
    "driver", "database", "encrypt", "trust_server_certificate",
    NULL};
static const char *const storage_keys[] = {
    "root",           "output_format",        "parquet_compression",
    "parquet_compression_level", "row_group_size", "jsonl_path",
    "jsonl_max_file_bytes",      "jsonl_max_file_rows", NULL};
static const char *const database_keys[] = {"uc_catalog", "schemas", NULL};
static const char *const schema_keys[] = {"uc_schema", "tables", NULL};
static const char *const table_keys[] = {"mode",     "scd_type",          "soft_delete", "capture",
                                         "cdc_mode", "cdc_update_before", NULL};

struct dotenv_var {
    const char *name;
    const char *value;
};

/* State of one config_load call. */
struct loader {
    const char *file;   /* the path as given, for messages */
    struct arena *tmp;  /* tree, paths, expanded text, .env: freed after loading */
    struct config *cfg; /* the model being filled; strings go to cfg->arena */
    const char *dotenv_path;
    struct dotenv_var *dotenv;
    size_t ndotenv;
    struct sl_err *err;
};

const char *config_mode_name(enum config_mode mode)
{
    return (size_t)mode < COUNT(mode_names) ? mode_names[mode] : "?";
}

const char *config_capture_name(enum config_capture capture)
{
    return (size_t)capture < COUNT(capture_names) ? capture_names[capture] : "?";
}

const char *config_cdc_mode_name(enum config_cdc_mode mode)
{
    return (size_t)mode < COUNT(cdc_mode_names) ? cdc_mode_names[mode] : "?";
}

const char *config_output_format_name(enum config_output_format fmt)
{
    return (size_t)fmt < COUNT(output_names) ? output_names[fmt] : "?";
}

const char *config_compression_name(enum config_compression c)
{
    return (size_t)c < COUNT(compression_names) ? compression_names[c] : "?";
}

/* ---- small helpers ------------------------------------------------------ */

static const char *kind_name(enum doc_kind kind)
{
    switch (kind) {
    case DOC_MAP:
        return "a mapping";
    case DOC_SEQ:
        return "a list";
    case DOC_SCALAR:
        return "a value";
    case DOC_NULL:
        break;
    }
    return "nothing";
}

/* "parent.key", or key at the top level; borrowed from the tmp arena. */
static const char *join(struct loader *ld, const char *parent, const char *key)
{
    return parent ? arena_printf(ld->tmp, "%s.%s", parent, key) : arena_strdup(ld->tmp, key);
}

/* Case-insensitive Levenshtein distance, capped at 99 for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64];
    if (la >= COUNT(row) || lb >= COUNT(row))
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/*
 * The allowed key closest to a mistyped one, or NULL. A key is compared
 * whole and against each of its "_"-separated tails, so "compresion" finds
 * "parquet_compression" and "level" finds "parquet_compression_level".
 */
static const char *suggest(const char *key, const char *const *allowed)
{
    size_t len = strlen(key), limit = len / 3, best = 99;
    const char *found = NULL;
    size_t i;

    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    for (i = 0; allowed[i]; i++) {
        const char *tail = allowed[i];
        size_t d = edit_distance(key, tail);
        while ((tail = strchr(tail, '_')) != NULL) {
            size_t dt = edit_distance(key, ++tail);
            if (dt < d)
                d = dt;
        }
        if (d < best) {
            best = d;
            found = allowed[i];
        }
    }
    return best <= limit ? found : NULL;
}

static const struct doc_pair *find(const struct doc_node *map, const char *key)
{
    size_t i;
    for (i = 0; map && map->kind == DOC_MAP && i < map->npairs; i++)
        if (strcmp(map->pairs[i].key, key) == 0)
            return &map->pairs[i];
    return NULL;
}

/* Fail on the first key of map that allowed does not list. where NULL = top level. */
static int check_keys(struct loader *ld, const struct doc_node *map, const char *const *allowed,
                      const char *where)
{
    size_t i, j;
    for (i = 0; i < map->npairs; i++) {
        const struct doc_pair *p = &map->pairs[i];
        const char *hit = NULL;
        char list[256];
        size_t n = 0;

        for (j = 0; allowed[j] && !hit; j++)
            if (strcmp(p->key, allowed[j]) == 0)
                hit = allowed[j];
        if (hit)
            continue;
        if (where)
            sl_err_set(ld->err, SL_ECONFIG, "unknown key \"%s\" in %s (%s line %d)", p->key, where,
                       ld->file, p->line);
        else
            sl_err_set(ld->err, SL_ECONFIG, "unknown key \"%s\" at the top level (%s line %d)",
                       p->key, ld->file, p->line);
        hit = suggest(p->key, allowed);
        if (hit) {
            sl_err_hint(ld->err, "did you mean \"%s\"?", hit);
        } else {
            list[0] = '\0';
            for (j = 0; allowed[j] && n < sizeof list; j++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", j ? ", " : "", allowed[j]);
            sl_err_hint(ld->err, "allowed keys: %s", list);
        }
        return SL_ECONFIG;
    }
    return 0;
}

/* The value of p must be a mapping (NULL and null count as empty). */
static int want_map(struct loader *ld, const char *path, const struct doc_node *v, int line)
{
    if (!v || v->kind == DOC_NULL || v->kind == DOC_MAP)
        return 0;
    return sl_err_set(ld->err, SL_ECONFIG, "expected a mapping for %s, got %s (%s line %d)", path,
                      kind_name(v->kind), ld->file, line);
}

/* ---- ${VAR} expansion and .env ------------------------------------------- */

/* The value of a variable: the real environment first, then .env; NULL if neither. */
static const char *lookup_var(const struct loader *ld, const char *name)
{
    const char *v = getenv(name);
    size_t i;
    if (v)
        return v;
    for (i = ld->ndotenv; i > 0; i--) /* the last assignment in .env wins */
        if (strcmp(ld->dotenv[i - 1].name, name) == 0)
            return ld->dotenv[i - 1].value;
    return NULL;
}

static int is_name_start(int c)
{
    return isalpha(c) || c == '_';
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '_';
}

/*
 * Expand one ${NAME} or ${NAME:-default} starting at in (which points at
 * "${") into b; *used receives its length. The default is literal text up
 * to the first '}'. Shell semantics: ":-" applies when NAME is unset or
 * empty; a plain ${NAME} that is unset is an error naming NAME and path.
 */
static int expand_ref(struct loader *ld, const char *in, const char *path, int line, struct buf *b,
                      size_t *used)
{
    const char *p = in + 2, *close = strchr(in, '}'), *def = NULL, *val;
    char name[VAR_NAME_MAX];
    size_t nlen = 0;

    if (!close) {
        sl_err_set(ld->err, SL_ECONFIG, "unterminated \"${\" in %s (%s line %d)", path, ld->file,
                   line);
        sl_err_hint(ld->err, "write ${NAME} or ${NAME:-default}; write $${ for a literal \"${\"");
        return SL_ECONFIG;
    }
    while (p + nlen < close && (nlen ? is_name_char(p[nlen]) : is_name_start(p[nlen])))
        nlen++;
    if (p + nlen + 1 < close && p[nlen] == ':' && p[nlen + 1] == '-')
        def = p + nlen + 2;
    if (nlen == 0 || nlen >= sizeof name || (!def && p + nlen != close)) {
        sl_err_set(ld->err, SL_ECONFIG, "invalid variable reference in %s (%s line %d)", path,
                   ld->file, line);
        sl_err_hint(ld->err, "write ${NAME} or ${NAME:-default}; names use letters, digits and _ "
                             "and do not start with a digit");
        return SL_ECONFIG;
    }
    memcpy(name, p, nlen);
    name[nlen] = '\0';
    val = lookup_var(ld, name);
    *used = (size_t)(close - in) + 1;
    if (def && (!val || !*val))
        return buf_append(b, def, (size_t)(close - def));
    if (val)
        return buf_append_str(b, val);
    sl_err_set(ld->err, SL_ECONFIG, "undefined variable \"%s\" in %s (%s line %d)", name, path,
               ld->file, line);
    sl_err_hint(ld->err, "set %s in the environment or in %s, or give a default: ${%s:-value}",
                name, ld->dotenv_path, name);
    return SL_ECONFIG;
}

/* Expand every ${...} in text; *out is text itself or a copy in the tmp arena. */
static int expand(struct loader *ld, const char *text, const char *path, int line, const char **out)
{
    struct buf b;
    const char *p = text;
    int rc = 0;

    *out = text;
    if (!strchr(text, '$'))
        return 0;
    buf_init(&b, CONFIG_MAX_BYTES);
    while (*p && rc == 0) {
        size_t used = 1;
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            rc = buf_append(&b, "${", 2); /* $${ is a literal ${ */
            used = 3;
        } else if (p[0] == '$' && p[1] == '{') {
            rc = expand_ref(ld, p, path, line, &b, &used);
        } else {
            rc = buf_append_byte(&b, (uint8_t)*p);
        }
        p += used;
    }
    if (rc == 0) {
        *out = arena_strndup(ld->tmp, b.data ? (const char *)b.data : "", b.len);
        if (!*out)
            rc = SL_ENOMEM;
    }
    if (b.data) /* the text may be a password: do not leave it in freed memory */
        explicit_bzero(b.data, b.cap);
    buf_free(&b);
    return rc;
}

/* "dir/.env" for "dir/config.yaml", ".env" for "config.yaml". */
static const char *dotenv_path_for(struct loader *ld, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return arena_strdup(ld->tmp, ".env");
    return arena_printf(ld->tmp, "%.*s/.env", (int)(slash - path), path);
}

static int dotenv_line_error(struct loader *ld, int line)
{
    sl_err_set(ld->err, SL_ECONFIG, "invalid line in .env (%s line %d)", ld->dotenv_path, line);
    sl_err_hint(ld->err, "write KEY=VALUE, optionally quoted with \" or '; lines starting with # "
                         "are comments");
    return SL_ECONFIG;
}

/*
 * Parse one .env value starting at p (end = end of line) into *out (tmp
 * arena). Double quotes understand \n, \t, \", \\; single quotes are
 * literal; an unquoted value ends at " #" and loses trailing blanks.
 */
static int dotenv_value(struct loader *ld, const char *p, const char *end, int line,
                        const char **out)
{
    struct buf b;
    char q = *p;
    int rc = 0;

    buf_init(&b, DOTENV_MAX_BYTES);
    if (q == '"' || q == '\'') {
        for (p++; p < end && *p != q && rc == 0; p++) {
            if (q == '"' && *p == '\\' && p + 1 < end) {
                p++;
                rc = buf_append_byte(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : (uint8_t)*p);
            } else {
                rc = buf_append_byte(&b, (uint8_t)*p);
            }
        }
        if (rc == 0 && p >= end)
            rc = dotenv_line_error(ld, line); /* no closing quote */
        for (p++; rc == 0 && p < end && (*p == ' ' || *p == '\t'); p++)
            ;
        if (rc == 0 && p < end && *p != '#')
            rc = dotenv_line_error(ld, line);
    } else {
        const char *stop = p;
        while (stop < end && !(*stop == '#' && (stop == p || stop[-1] == ' ' || stop[-1] == '\t')))
            stop++;
        while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
            stop--;
        rc = buf_append(&b, p, (size_t)(stop - p));
    }
    if (rc == 0) {
        *out = arena_strndup(ld->tmp, b.data ? (const char *)b.data : "", b.len);
        rc = *out ? 0 : SL_ENOMEM;
    }
    if (b.data)
        explicit_bzero(b.data, b.cap);
    buf_free(&b);
    return rc;
}

/* Parse one line into ld->dotenv[ld->ndotenv] (blank and comment lines are skipped). */
static int dotenv_line(struct loader *ld, const char *p, const char *end, int line)
{
    const char *name;
    struct dotenv_var *v = &ld->dotenv[ld->ndotenv];
    int rc;

    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    if (p == end || *p == '#')
        return 0;
    if ((size_t)(end - p) > 7 && memcmp(p, "export ", 7) == 0)
        for (p += 7; p < end && *p == ' '; p++)
            ;
    name = p;
    if (p == end || !is_name_start((unsigned char)*p))
        return dotenv_line_error(ld, line);
    while (p < end && is_name_char((unsigned char)*p))
        p++;
    v->name = arena_strndup(ld->tmp, name, (size_t)(p - name));
    if (!v->name)
        return SL_ENOMEM;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p != '=')
        return dotenv_line_error(ld, line);
    for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
        ;
    rc = dotenv_value(ld, p, end, line, &v->value);
    if (rc == 0)
        ld->ndotenv++;
    return rc;
}

static int read_file(const char *path, struct buf *b, struct sl_err *err);

/* Read .env beside the config, if there is one. */
static int dotenv_load(struct loader *ld)
{
    struct buf text;
    const char *p, *end;
    size_t lines = 1, i;
    int rc = 0, line = 1;

    buf_init(&text, DOTENV_MAX_BYTES);
    ld->dotenv_path = dotenv_path_for(ld, ld->file);
    if (!ld->dotenv_path) {
        rc = SL_ENOMEM;
        goto out;
    }
    rc = read_file(ld->dotenv_path, &text, NULL);
    if (rc == SL_ENOTFOUND) {
        rc = 0; /* no .env: nothing to add */
        goto out;
    }
    if (rc) {
        rc = sl_err_set(ld->err, rc == SL_ENOMEM ? SL_ENOMEM : SL_ECONFIG, "cannot read %s",
                        ld->dotenv_path);
        goto out;
    }
    for (i = 0; i < text.len; i++)
        lines += text.data[i] == '\n';
    ld->dotenv = arena_alloc(ld->tmp, lines * sizeof *ld->dotenv);
    if (!ld->dotenv) {
        rc = SL_ENOMEM;
        goto out;
    }
    for (p = (const char *)text.data; rc == 0 && p && p < (const char *)text.data + text.len;
         line++) {
        end = memchr(p, '\n', (size_t)((const char *)text.data + text.len - p));
        if (!end)
            end = (const char *)text.data + text.len;
        rc = dotenv_line(ld, p, end, line);
        p = end + 1;
    }
out:
    if (text.data)
        explicit_bzero(text.data, text.cap);
    buf_free(&text);
    return rc;
}

/*
 * Read the whole file at path into b (up to b's limit). Returns 0,
 * SL_ENOTFOUND, SL_EIO, SL_ENOMEM or SL_ELIMIT; err (may be NULL) names
 * the file. b->data stays NULL for an empty file.
 */
static int read_file(const char *path, struct buf *b, struct sl_err *err)
{
    char chunk[16384];
    FILE *f = fopen(path, "rb");
    size_t got;
    int rc = 0;

    if (!f) {
        int e = errno;
        rc = sl_err_errno(err, e == ENOENT ? SL_ENOTFOUND : SL_EIO, e, "cannot open \"%s\"", path);
        goto out;
    }
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = buf_append(b, chunk, got);
        if (rc == SL_ELIMIT) {
            sl_err_set(err, rc, "\"%s\" is larger than %zu bytes", path, b->limit);
            goto out;
        }
        if (rc) {
            sl_err_set(err, rc, "out of memory reading \"%s\"", path);
            goto out;
        }
    }
    if (ferror(f))
        rc = sl_err_errno(err, SL_EIO, errno, "cannot read \"%s\"", path);
out:
    explicit_bzero(chunk, sizeof chunk); /* may have held .env secrets */
    if (f)
        fclose(f);
    return rc;
}

/* ---- typed getters -------------------------------------------------------- */

/* Copy s (NULL stays NULL) into the config's arena. */
static int keep(struct loader *ld, const char *s, const char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    *out = arena_strdup(&ld->cfg->arena, s);
    return *out ? 0 : SL_ENOMEM;
}

/*
 * The expanded text of p's value (borrowed from the tmp arena) in *out, or
 * NULL when p is absent or null; *path receives "parent.key". want names
 * the expected type for the message when the value is a mapping or list.
 */
static int get_text(struct loader *ld, const char *parent, const struct doc_pair *p,
                    const char *want, const char **out, const char **path)
{
    *out = NULL;
    *path = NULL;
    if (!p)
        return 0;
    *path = join(ld, parent, p->key);
    if (!*path)
        return SL_ENOMEM;
    if (p->value->kind == DOC_NULL)
        return 0;
    if (p->value->kind != DOC_SCALAR)
        return sl_err_set(ld->err, SL_ECONFIG, "expected %s for %s, got %s (%s line %d)", want,
                          *path, kind_name(p->value->kind), ld->file, p->line);
    return expand(ld, p->value->text, *path, p->value->line, out);
}

/* A string-valued key; *out stays NULL when absent or null. Copied to the config. */
static int get_string(struct loader *ld, const char *parent, const struct doc_pair *p,
                      const char **out)
{
    const char *text, *path;
    int rc = get_text(ld, parent, p, "a string", &text, &path);
    return rc ? rc : keep(ld, text, out);
}

/*
 * Quote the value as written, not as expanded: `port: ${X}` reports
 * "${X}", so a variable's content (which may be a secret put in the wrong
 * place) never reaches a message.
 */
static int bad_value(struct loader *ld, const char *path, const struct doc_node *v)
{
    return sl_err_set(ld->err, SL_ECONFIG, "invalid value \"%s\" for %s (%s line %d)", v->text,
                      path, ld->file, v->line);
}

/* An integer in [lo, hi]; *out keeps its default when absent. */
static int get_int(struct loader *ld, const char *parent, const struct doc_pair *p, long long lo,
                   long long hi, long long *out)
{
    const char *text, *path;
    char *end;
    long long v;
    int rc = get_text(ld, parent, p, "an integer", &text, &path);

    if (rc || !text)
        return rc;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (!*text || isspace((unsigned char)*text) || *end || errno || v < lo || v > hi) {
        bad_value(ld, path, p->value);
        if (hi == LLONG_MAX)
            sl_err_hint(ld->err, "expected an integer greater than %lld", lo - 1);
        else
            sl_err_hint(ld->err, "expected an integer from %lld to %lld", lo, hi);
        return SL_ECONFIG;
    }
    *out = v;
    return 0;
}

/* true/false (also yes/no, on/off; any case); *out keeps its default when absent. */
static int get_bool(struct loader *ld, const char *parent, const struct doc_pair *p, bool *out,
                    bool *given)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    const char *text, *path;
    size_t i;
    int rc = get_text(ld, parent, p, "true or false", &text, &path);

    if (rc || !text)
        return rc;
    for (i = 0; i < COUNT(yes); i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *out = strcasecmp(text, yes[i]) == 0;
            if (given)
                *given = true;
            return 0;
        }
    }
    bad_value(ld, path, p->value);
    sl_err_hint(ld->err, "expected true or false");
    return SL_ECONFIG;
}

static void hint_allowed(struct loader *ld, const char *const *names, size_t n)
{
    char list[256];
    size_t i, len = 0;
    list[0] = '\0';
    for (i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? " | " : "", names[i]);
    sl_err_hint(ld->err, "allowed values: %s", list);
}

/* One of names (any case); *out is its index and keeps its default when absent. */
static int get_enum(struct loader *ld, const char *parent, const struct doc_pair *p,
                    const char *const *names, size_t n, int *out, bool *given)
{
    const char *text, *path;
    size_t i;
    int rc = get_text(ld, parent, p, "a value", &text, &path);

    if (rc || !text)
        return rc;
    for (i = 0; i < n; i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *out = (int)i;
            if (given)
                *given = true;
            return 0;
        }
    }
    bad_value(ld, path, p->value);
    hint_allowed(ld, names, n);
    return SL_ECONFIG;
}

/* ---- connection ------------------------------------------------------------ */

/* What the file says about the connection, before the environment and defaults. */
struct conn_given {
    const char *server, *user, *password, *driver, *database; /* tmp arena or NULL */
    long long port;
    bool port_set;
    int server_line, port_line;
};

static int parse_connection(struct loader *ld, const struct doc_node *sec, struct conn_given *g)
{
    static const char S[] = "connection";
    struct config_connection *c = &ld->cfg->connection;
    const struct doc_pair *p;
    const char *path;
    int rc;

    memset(g, 0, sizeof *g);
    if (!sec || sec->kind != DOC_MAP)
        return 0;
    rc = check_keys(ld, sec, connection_keys, S);
    if (rc)
        return rc;
    p = find(sec, "server");
    g->server_line = p ? p->value->line : 0;
    rc = get_text(ld, S, p, "a string", &g->server, &path);
    if (rc == 0)
        rc = get_text(ld, S, find(sec, "user"), "a string", &g->user, &path);
    if (rc == 0)
        rc = get_text(ld, S, find(sec, "password"), "a string", &g->password, &path);
    if (rc == 0)
        rc = get_text(ld, S, find(sec, "driver"), "a string", &g->driver, &path);
    if (rc == 0)
        rc = get_text(ld, S, find(sec, "database"), "a string", &g->database, &path);
    p = find(sec, "port");
    g->port_line = p ? p->value->line : 0;
    g->port = -1;
    if (rc == 0)
        rc = get_int(ld, S, p, 1, 65535, &g->port);
    g->port_set = g->port != -1;
    if (rc == 0)
        rc = get_bool(ld, S, find(sec, "encrypt"), &c->encrypt, NULL);
    if (rc == 0)
        rc = get_bool(ld, S, find(sec, "trust_server_certificate"), &c->trust_server_certificate,
                      NULL);
    return rc;
}

/* File value, else the environment (empty counts as unset unless allow_empty), else def. */
static int resolve_one(struct loader *ld, const char *given, const char *env, const char *def,
                       bool allow_empty, const char **out, enum config_source *src)
{
    const char *v = lookup_var(ld, env);
    if (given) {
        *src = CONFIG_SRC_FILE;
        v = given;
    } else if (v && (*v || allow_empty)) {
        *src = CONFIG_SRC_ENV;
    } else {
        *src = CONFIG_SRC_DEFAULT;
        v = def;
    }
    return keep(ld, v, out);
}

/* " (config.yaml line 3)" for a file value, "" for the environment. */
static const char *where(struct loader *ld, enum config_source src, int line)
{
    if (src != CONFIG_SRC_FILE)
        return "";
    return arena_printf(ld->tmp, " (%s line %d)", ld->file, line);
}

static int parse_port(const char *s, long long *out)
{
    char *end;
    long long v;
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end || errno || v < 1 || v > 65535)
        return -1;
    *out = v;
    return 0;
}

/*
 * Split "host,port" off connection.server and settle the port. Each port
 * source has the level of where it came from (file, environment, default);
 * the highest wins, and two sources at the same level that disagree are an
 * error rather than a silent choice.
 */
static int resolve_port(struct loader *ld, const struct conn_given *g)
{
    struct config_connection *c = &ld->cfg->connection;
    bool srv_file = c->server_src == CONFIG_SRC_FILE;
    const char *srv_name = srv_file ? "connection.server" : "MSSQL_SERVER";
    const char *comma = strrchr(c->server, ','), *env = lookup_var(ld, "MSSQL_PORT");
    const char *at = where(ld, c->server_src, g->server_line);
    long long srv_port = 0, env_port = 0;
    bool use_env = env && *env && !g->port_set && !(comma && srv_file);

    if (!at)
        return SL_ENOMEM;
    if (comma) {
        if (parse_port(comma + 1, &srv_port) != 0) {
            sl_err_set(ld->err, SL_ECONFIG, "invalid port \"%s\" in %s%s", comma + 1, srv_name, at);
            sl_err_hint(ld->err, "write host or host,port with a port from 1 to 65535");
            return SL_ECONFIG;
        }
        c->server = arena_strndup(&ld->cfg->arena, c->server, (size_t)(comma - c->server));
        if (!c->server)
            return SL_ENOMEM;
    }
    if (use_env && parse_port(env, &env_port) != 0) {
        sl_err_set(ld->err, SL_ECONFIG, "invalid value \"%s\" for MSSQL_PORT", env);
        sl_err_hint(ld->err, "expected an integer from 1 to 65535");
        return SL_ECONFIG;
    }
    if (comma && srv_file && g->port_set && g->port != srv_port) {
        sl_err_set(ld->err, SL_ECONFIG,
                   "connection.server names port %lld but connection.port is "
                   "%lld%s",
                   srv_port, g->port, at);
        sl_err_hint(ld->err, "give the port once, or make both agree");
        return SL_ECONFIG;
    }
    if (comma && !srv_file && use_env && env_port != srv_port) {
        sl_err_set(ld->err, SL_ECONFIG, "MSSQL_SERVER names port %lld but MSSQL_PORT is %lld",
                   srv_port, env_port);
        sl_err_hint(ld->err, "give the port once, or make both agree");
        return SL_ECONFIG;
    }
    if (g->port_set) {
        c->port = (int)g->port;
        c->port_src = CONFIG_SRC_FILE;
    } else if (comma) {
        c->port = (int)srv_port;
        c->port_src = c->server_src;
    } else if (use_env) {
        c->port = (int)env_port;
        c->port_src = CONFIG_SRC_ENV;
    } else {
        c->port = 1433;
        c->port_src = CONFIG_SRC_DEFAULT;
    }
    return 0;
}

/* Settle every connection field: file value (after ${VAR}), MSSQL_*, default. */
static int resolve_connection(struct loader *ld, const struct conn_given *g)
{
    struct config_connection *c = &ld->cfg->connection;
    int rc;

    rc = resolve_one(ld, g->server, "MSSQL_SERVER", "127.0.0.1", false, &c->server, &c->server_src);
    if (rc == 0)
        rc = resolve_one(ld, g->user, "MSSQL_USER", NULL, false, &c->user, &c->user_src);
    if (rc == 0)
        rc = resolve_one(ld, g->password, "MSSQL_PASSWORD", NULL, true, &c->password,
                         &c->password_src);
    if (rc == 0)
        rc = resolve_one(ld, g->driver, "MSSQL_DRIVER", "FreeTDS", false, &c->driver,
                         &c->driver_src);
    if (rc == 0)
        rc = resolve_one(ld, g->database, "MSSQL_DATABASE", NULL, false, &c->database,
                         &c->database_src);
    if (rc == 0)
        rc = resolve_port(ld, g);
    if (rc == 0 && (!*c->server || *c->server == ',')) {
        const char *at = where(ld, c->server_src, g->server_line);
        sl_err_set(ld->err, SL_ECONFIG, "%s names no host%s",
                   c->server_src == CONFIG_SRC_FILE ? "connection.server" : "MSSQL_SERVER",
                   at ? at : "");
        sl_err_hint(ld->err, "write a host name or address, optionally followed by ,port");
        rc = SL_ECONFIG;
    }
    if (rc == 0 && !*c->driver) {
        sl_err_set(ld->err, SL_ECONFIG, "connection.driver is empty");
        sl_err_hint(ld->err, "use FreeTDS or \"ODBC Driver 18 for SQL Server\"");
        rc = SL_ECONFIG;
    }
    return rc;
}

/* ---- storage ---------------------------------------------------------------- */

/* Compression levels per codec; codecs without a level have lo > hi. */
static const struct {
    int lo, hi, def;
} level_range[] = {
    [CONFIG_COMPRESSION_NONE] = {1, 0, 0},    [CONFIG_COMPRESSION_SNAPPY] = {1, 0, 0},
    [CONFIG_COMPRESSION_GZIP] = {1, 9, 6},    [CONFIG_COMPRESSION_ZSTD] = {1, 22, 3},
    [CONFIG_COMPRESSION_LZ4_RAW] = {1, 0, 0}, [CONFIG_COMPRESSION_BROTLI] = {0, 11, 6},
};

/* storage.jsonl_*: where the change stream goes and when its files rotate. */
static int parse_jsonl(struct loader *ld, const struct doc_node *sec)
{
    static const char S[] = "storage";
    struct config_storage *st = &ld->cfg->storage;
    const struct doc_pair *pp = find(sec, "jsonl_path");
    long long bytes = 128ll << 20, rows = 0;
    const char *text = NULL, *path;
    int rc = get_text(ld, S, pp, "a string", &text, &path);

    if (rc == 0 && text && !*text) {
        sl_err_set(ld->err, SL_ECONFIG, "storage.jsonl_path is empty (%s line %d)", ld->file,
                   pp->value->line);
        sl_err_hint(ld->err, "write - for standard output or a directory for rotating files");
        rc = SL_ECONFIG;
    }
    if (rc == 0)
        rc = get_int(ld, S, find(sec, "jsonl_max_file_bytes"), 4096, LLONG_MAX, &bytes);
    if (rc == 0)
        rc = get_int(ld, S, find(sec, "jsonl_max_file_rows"), 0, LLONG_MAX, &rows);
    if (rc)
        return rc;
    st->jsonl_max_file_bytes = (uint64_t)bytes;
    st->jsonl_max_file_rows = (uint64_t)rows;
    return keep(ld, text ? text : "-", &st->jsonl_path);
}

static int parse_storage(struct loader *ld, const struct doc_node *sec)
{
    static const char S[] = "storage";
    struct config_storage *st = &ld->cfg->storage;
    const struct doc_pair *lp = find(sec, "parquet_compression_level");
    int fmt = CONFIG_OUTPUT_PER_TABLE, comp = CONFIG_COMPRESSION_ZSTD;
    long long level, rows = 500000;
    const char *root = NULL, *path;
    int rc = 0;

    if (sec && sec->kind == DOC_MAP)
        rc = check_keys(ld, sec, storage_keys, S);
    if (rc == 0)
        rc = get_text(ld, S, find(sec, "root"), "a string", &root, &path);
    if (rc == 0 && root && !*root) {
        sl_err_set(ld->err, SL_ECONFIG, "storage.root is empty (%s line %d)", ld->file,
                   find(sec, "root")->value->line);
        sl_err_hint(ld->err, "write the directory that receives data and state, e.g. ./lake");
        rc = SL_ECONFIG;
    }
    if (rc == 0)
        rc = get_enum(ld, S, find(sec, "output_format"), output_names, COUNT(output_names), &fmt,
                      NULL);
    if (rc == 0)
        rc = get_enum(ld, S, find(sec, "parquet_compression"), compression_names,
                      COUNT(compression_names), &comp, NULL);
    if (rc == 0)
        rc = get_int(ld, S, find(sec, "row_group_size"), 1, LLONG_MAX, &rows);
    level = level_range[comp].def;
    if (rc == 0 && lp && lp->value->kind != DOC_NULL) {
        int lo = level_range[comp].lo, hi = level_range[comp].hi;
        if (lo > hi) {
            sl_err_set(ld->err, SL_ECONFIG,
                       "storage.parquet_compression_level does not apply to %s (%s line %d)",
                       compression_names[comp], ld->file, lp->value->line);
            sl_err_hint(ld->err, "levels exist for zstd (1 to 22), gzip (1 to 9) and brotli "
                                 "(0 to 11); remove the level or change the codec");
            return SL_ECONFIG;
        }
        rc = get_int(ld, S, lp, lo, hi, &level);
        if (rc == SL_ECONFIG)
            sl_err_hint(ld->err, "expected an integer from %d to %d for %s", lo, hi,
                        compression_names[comp]);
    }
    if (rc)
        return rc;
    st->output_format = (enum config_output_format)fmt;
    st->compression = (enum config_compression)comp;
    st->compression_level = (int)level;
    st->row_group_size = rows;
    rc = parse_jsonl(ld, sec);
    return rc ? rc : keep(ld, root ? root : "./lake", &st->root);
}

/* ---- databases, schemas, tables ------------------------------------------------ */

/* Options that only make sense together; checked after all of a table's keys are read. */
static int check_table(struct loader *ld, const char *path, const struct doc_node *map,
                       const struct config_table *t, bool cdc_mode_given)
{
    const struct doc_pair *p;
    if (t->capture == CONFIG_CAPTURE_CT && (cdc_mode_given || t->cdc_update_before)) {
        p = cdc_mode_given ? find(map, "cdc_mode") : find(map, "cdc_update_before");
        sl_err_set(ld->err, SL_ECONFIG, "%s.%s needs capture: cdc or auto, not ct (%s line %d)",
                   path, p->key, ld->file, p->line);
        sl_err_hint(ld->err, "remove %s or set capture: cdc", p->key);
        return SL_ECONFIG;
    }
    if (t->cdc_update_before && t->cdc_mode == CONFIG_CDC_NET) {
        p = find(map, "cdc_update_before");
        sl_err_set(ld->err, SL_ECONFIG, "%s.cdc_update_before needs cdc_mode: all (%s line %d)",
                   path, ld->file, p->line);
        sl_err_hint(ld->err, "net changes carry no before-image of an update; use cdc_mode: all "
                             "or drop cdc_update_before");
        return SL_ECONFIG;
    }
    return 0;
}

/* A table is empty (all defaults), a bare mode, or a mapping of options. */
static int parse_table(struct loader *ld, const char *parent, const struct doc_pair *tp,
                       struct config_table *t)
{
    const struct doc_node *v = tp->value;
    const char *path = join(ld, parent, tp->key);
    int mode = CONFIG_MODE_FULL_INCREMENTAL, capture = CONFIG_CAPTURE_AUTO, cdc = CONFIG_CDC_ALL;
    int scd = 0;
    bool cdc_given = false;
    int rc = 0;
    static const char *const scd_names[] = {"1", "2"};

    if (!path)
        return SL_ENOMEM;
    t->line = tp->line;
    t->scd_type = 1;
    rc = keep(ld, tp->key, &t->name);
    if (rc == 0 && v->kind == DOC_SCALAR) {
        rc = get_enum(ld, parent, tp, mode_names, COUNT(mode_names), &mode, NULL);
    } else if (rc == 0 && v->kind == DOC_SEQ) {
        rc = sl_err_set(ld->err, SL_ECONFIG,
                        "expected a mode or a mapping for %s, got a list "
                        "(%s line %d)",
                        path, ld->file, tp->line);
        hint_allowed(ld, mode_names, COUNT(mode_names));
    } else if (rc == 0 && v->kind == DOC_MAP) {
        rc = check_keys(ld, v, table_keys, path);
        if (rc == 0)
            rc = get_enum(ld, path, find(v, "mode"), mode_names, COUNT(mode_names), &mode, NULL);
        if (rc == 0)
            rc = get_enum(ld, path, find(v, "scd_type"), scd_names, 2, &scd, NULL);
        if (rc == 0)
            rc = get_bool(ld, path, find(v, "soft_delete"), &t->soft_delete, NULL);
        if (rc == 0)
            rc = get_enum(ld, path, find(v, "capture"), capture_names, COUNT(capture_names),
                          &capture, NULL);
        if (rc == 0)
            rc = get_enum(ld, path, find(v, "cdc_mode"), cdc_mode_names, COUNT(cdc_mode_names),
                          &cdc, &cdc_given);
        if (rc == 0)
            rc = get_bool(ld, path, find(v, "cdc_update_before"), &t->cdc_update_before, NULL);
    }
    t->mode = (enum config_mode)mode;
    t->scd_type = scd + 1;
    t->capture = (enum config_capture)capture;
    t->cdc_mode = (enum config_cdc_mode)cdc;
    if (rc == 0 && v->kind == DOC_MAP)
        rc = check_table(ld, path, v, t, cdc_given);
    return rc;
}

/*
 * The entries of a required, non-empty mapping at key `child` of map; what
 * is the noun for the message ("database \"shop\"" lists no "schemas").
 */
static int get_children(struct loader *ld, const char *path, const struct doc_node *map, int line,
                        const char *child, const char *what, const struct doc_node **out)
{
    const struct doc_pair *p = find(map, child);
    const char *cpath = join(ld, path, child);
    int rc;

    *out = NULL;
    if (!cpath)
        return SL_ENOMEM;
    rc = want_map(ld, cpath, p ? p->value : NULL, p ? p->line : line);
    if (rc)
        return rc;
    if (!p || p->value->kind != DOC_MAP || p->value->npairs == 0) {
        sl_err_set(ld->err, SL_ECONFIG, "%s lists no %s (%s line %d)", what, child, ld->file,
                   p ? p->line : line);
        sl_err_hint(ld->err, "add %s: with at least one entry, or remove this entry", child);
        return SL_ECONFIG;
    }
    *out = p->value;
    return 0;
}

static int parse_schema(struct loader *ld, const char *parent, const struct doc_pair *sp,
                        const char *dbname, struct config_schema *s)
{
    const char *path = join(ld, parent, sp->key), *what;
    const struct doc_node *tables;
    size_t i;
    int rc;

    what = arena_printf(ld->tmp, "schema \"%s.%s\"", dbname, sp->key);
    if (!path || !what)
        return SL_ENOMEM;
    s->line = sp->line;
    rc = want_map(ld, path, sp->value, sp->line);
    if (rc == 0 && sp->value->kind == DOC_MAP)
        rc = check_keys(ld, sp->value, schema_keys, path);
    if (rc == 0)
        rc = keep(ld, sp->key, &s->name);
    if (rc == 0)
        rc = get_string(ld, path, find(sp->value, "uc_schema"), &s->uc_schema);
    if (rc == 0)
        rc = get_children(ld, path, sp->value, sp->line, "tables", what, &tables);
    if (rc)
        return rc;
    path = join(ld, path, "tables");
    s->tables = arena_alloc(&ld->cfg->arena, tables->npairs * sizeof *s->tables);
    if (!path || !s->tables)
        return SL_ENOMEM;
    memset(s->tables, 0, tables->npairs * sizeof *s->tables);
    for (i = 0; i < tables->npairs && rc == 0; i++)
        rc = parse_table(ld, path, &tables->pairs[i], &s->tables[i]);
    s->ntables = i;
    return rc;
}

static int parse_database(struct loader *ld, const struct doc_pair *dp, struct config_database *d)
{
    const char *path = join(ld, "databases", dp->key), *what;
    const struct doc_node *schemas;
    size_t i;
    int rc;

    what = arena_printf(ld->tmp, "database \"%s\"", dp->key);
    if (!path || !what)
        return SL_ENOMEM;
    d->line = dp->line;
    rc = want_map(ld, path, dp->value, dp->line);
    if (rc == 0 && dp->value->kind == DOC_MAP)
        rc = check_keys(ld, dp->value, database_keys, path);
    if (rc == 0)
        rc = keep(ld, dp->key, &d->name);
    if (rc == 0)
        rc = get_string(ld, path, find(dp->value, "uc_catalog"), &d->uc_catalog);
    if (rc == 0)
        rc = get_children(ld, path, dp->value, dp->line, "schemas", what, &schemas);
    if (rc)
        return rc;
    path = join(ld, path, "schemas");
    d->schemas = arena_alloc(&ld->cfg->arena, schemas->npairs * sizeof *d->schemas);
    if (!path || !d->schemas)
        return SL_ENOMEM;
    memset(d->schemas, 0, schemas->npairs * sizeof *d->schemas);
    for (i = 0; i < schemas->npairs && rc == 0; i++)
        rc = parse_schema(ld, path, &schemas->pairs[i], d->name, &d->schemas[i]);
    d->nschemas = i;
    return rc;
}

static int parse_databases(struct loader *ld, const struct doc_node *root)
{
    const struct doc_pair *p = find(root, "databases");
    struct config *cfg = ld->cfg;
    size_t i, n;
    int rc = want_map(ld, "databases", p ? p->value : NULL, p ? p->line : 0);

    if (rc)
        return rc;
    if (!p || p->value->kind != DOC_MAP || p->value->npairs == 0) {
        if (p)
            sl_err_set(ld->err, SL_ECONFIG, "databases lists no database (%s line %d)", ld->file,
                       p->line);
        else
            sl_err_set(ld->err, SL_ECONFIG, "%s has no databases section", ld->file);
        sl_err_hint(ld->err, "list the tables to sync under databases: <db>: schemas: <schema>: "
                             "tables:, see docs/config.md");
        return SL_ECONFIG;
    }
    n = p->value->npairs;
    cfg->databases = arena_alloc(&cfg->arena, n * sizeof *cfg->databases);
    if (!cfg->databases)
        return SL_ENOMEM;
    memset(cfg->databases, 0, n * sizeof *cfg->databases);
    for (i = 0; i < n && rc == 0; i++)
        rc = parse_database(ld, &p->value->pairs[i], &cfg->databases[i]);
    cfg->ndatabases = i;
    return rc;
}

/* ---- watch ---------------------------------------------------------------------- */

/* The `watch:` section: polling intervals in milliseconds, max >= base. */
static int parse_watch(struct loader *ld, const struct doc_pair *wp)
{
    static const char S[] = "watch";
    const struct doc_node *sec = wp ? wp->value : NULL;
    long long base = 1000, max = 30000;
    int rc = 0;

    if (wp)
        rc = want_map(ld, S, sec, wp->line);
    if (rc == 0 && sec && sec->kind == DOC_MAP)
        rc = check_keys(ld, sec, watch_keys, S);
    if (rc == 0)
        rc = get_int(ld, S, find(sec, "poll_interval"), 10, 86400000, &base);
    if (rc == 0)
        rc = get_int(ld, S, find(sec, "max_poll_interval"), 10, 86400000, &max);
    if (rc == 0 && max < base) {
        const struct doc_pair *mp = find(sec, "max_poll_interval");
        sl_err_set(ld->err, SL_ECONFIG,
                   "watch.max_poll_interval (%lld) is below watch.poll_interval (%lld) "
                   "(%s line %d)",
                   max, base, ld->file, mp ? mp->value->line : wp->line);
        sl_err_hint(ld->err, "the idle backoff grows from poll_interval up to "
                             "max_poll_interval; make it at least %lld",
                    base);
        rc = SL_ECONFIG;
    }
    ld->cfg->watch.poll_interval_ms = base;
    ld->cfg->watch.max_poll_interval_ms = max;
    return rc;
}

/* ---- loading ------------------------------------------------------------------- */

static int parse_root(struct loader *ld, const struct doc_node *root)
{
    const struct doc_pair *conn = find(root, "connection"), *stor = find(root, "storage");
    struct conn_given given;
    long long parallelism = 4;
    int rc = 0;

    if (!root || root->kind == DOC_NULL) {
        sl_err_set(ld->err, SL_ECONFIG, "%s is empty", ld->file);
        sl_err_hint(ld->err, "see docs/config.md for an example configuration");
        return SL_ECONFIG;
    }
    if (root->kind != DOC_MAP) {
        sl_err_set(ld->err, SL_ECONFIG, "expected a mapping at the top level of %s, got %s",
                   ld->file, kind_name(root->kind));
        sl_err_hint(ld->err, "the file starts with keys such as connection:, storage: and "
                             "databases:");
        return SL_ECONFIG;
    }
    rc = check_keys(ld, root, root_keys, NULL);
    if (rc == 0 && conn)
        rc = want_map(ld, "connection", conn->value, conn->line);
    if (rc == 0 && stor)
        rc = want_map(ld, "storage", stor->value, stor->line);
    if (rc == 0)
        rc = parse_connection(ld, conn ? conn->value : NULL, &given);
    if (rc == 0)
        rc = parse_storage(ld, stor ? stor->value : NULL);
    if (rc == 0)
        rc = get_int(ld, NULL, find(root, "parallelism"), 1, 64, &parallelism);
    ld->cfg->parallelism = (int)parallelism;
    if (rc == 0)
        rc = parse_watch(ld, find(root, "watch"));
    if (rc == 0)
        rc = parse_databases(ld, root);
    if (rc == 0)
        rc = resolve_connection(ld, &given);
    return rc;
}

/* JSON for .json, YAML for .yaml/.yml, else JSON when the text starts with '{'. */
static int looks_like_json(const char *path, const struct buf *text)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    size_t i;
    if (dot && (!slash || dot > slash)) {
        if (strcasecmp(dot, ".json") == 0)
            return 1;
        if (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0)
            return 0;
    }
    for (i = 0; i < text->len && isspace(text->data[i]); i++)
        ;
    return i < text->len && text->data[i] == '{';
}

int config_load(const char *path, struct config **out, struct sl_err *err)
{
    struct buf text;
    struct arena tmp;
    struct loader ld;
    struct config *cfg = NULL;
    struct doc_node *root = NULL;
    const char *body;
    int rc;

    *out = NULL;
    buf_init(&text, CONFIG_MAX_BYTES);
    arena_init(&tmp, 1024, 0);
    memset(&ld, 0, sizeof ld);
    ld.file = path;
    ld.tmp = &tmp;
    ld.err = err;
    cfg = sl_calloc(1, sizeof *cfg);
    if (!cfg) {
        rc = SL_ENOMEM;
        goto out;
    }
    arena_init(&cfg->arena, 1024, 0);
    ld.cfg = cfg;
    rc = keep(&ld, path, &cfg->path);
    if (rc == 0)
        rc = read_file(path, &text, err);
    if (rc == SL_ENOTFOUND)
        sl_err_hint(err, "pass the path of the configuration file, e.g. --config sluice.yaml");
    body = text.data ? (const char *)text.data : "";
    if (rc == 0 && looks_like_json(path, &text))
        rc = json_doc_parse(body, text.len, path, &tmp, &root, err);
    else if (rc == 0)
        rc = yaml_doc_parse(body, text.len, path, &tmp, &root, err);
    if (rc == 0)
        rc = dotenv_load(&ld);
    if (rc == 0)
        rc = parse_root(&ld, root);
out:
    if (rc == SL_ENOMEM)
        sl_err_set(err, SL_ENOMEM, "out of memory loading %s", path);
    if (text.data)
        explicit_bzero(text.data, text.cap); /* the file may hold a password */
    buf_free(&text);
    arena_free(&tmp);
    if (rc) {
        config_free(cfg);
        cfg = NULL;
    }
    *out = cfg;
    return rc;
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    arena_free(&cfg->arena);
    sl_free(cfg);
}

/* ---- ODBC connection string ---------------------------------------------------- */

/*
 * Append "key=value;" with value in braces when forced or when ODBC needs
 * them (it holds ; { } or starts or ends with a blank); inside braces a '}'
 * is written twice.
 */
static int odbc_attr(struct buf *b, const char *key, const char *value, bool force)
{
    size_t len = strlen(value);
    bool brace =
        force || strpbrk(value, ";{}") != NULL ||
        (len > 0 && (isspace((unsigned char)value[0]) || isspace((unsigned char)value[len - 1])));
    const char *p;
    int rc = buf_appendf(b, "%s%s=%s", b->len ? ";" : "", key, brace ? "{" : "");

    for (p = value; rc == 0 && *p; p++) {
        if (*p == '}' && brace)
            rc = buf_append(b, "}}", 2);
        else
            rc = buf_append_byte(b, (uint8_t)*p);
    }
    if (rc == 0 && brace)
        rc = buf_append_byte(b, '}');
    return rc;
}

static bool is_freetds(const char *driver)
{
    return strcasestr(driver, "freetds") != NULL || strcasestr(driver, "tdsodbc") != NULL;
}

int config_odbc_string(const struct config *cfg, const char *database, bool redact, char **out,
                       struct sl_err *err)
{
    const struct config_connection *c = &cfg->connection;
    bool tds = is_freetds(c->driver);
    struct buf b;
    char *server = NULL;
    int rc = 0;

    *out = NULL;
    buf_init(&b, 0);
    if (!database)
        database = c->database;
    if (!c->user) {
        rc = sl_err_set(err, SL_ECONFIG, "connection.user is not set in %s", cfg->path);
        sl_err_hint(err, "set connection.user in the file or MSSQL_USER in the environment");
        goto out;
    }
    rc = odbc_attr(&b, "Driver", c->driver, true);
    if (rc == 0 && tds) {
        rc = odbc_attr(&b, "Server", c->server, false);
        if (rc == 0)
            rc = buf_appendf(&b, ";Port=%d", c->port);
    } else if (rc == 0) {
        size_t n = strlen(c->server) + 16;
        server = sl_malloc(n);
        if (!server) {
            rc = SL_ENOMEM;
            goto out;
        }
        snprintf(server, n, "tcp:%s,%d", c->server, c->port);
        rc = odbc_attr(&b, "Server", server, false);
    }
    if (rc == 0)
        rc = odbc_attr(&b, "UID", c->user, false);
    if (rc == 0 && c->password)
        rc = odbc_attr(&b, "PWD", redact ? "***" : c->password, true);
    if (rc == 0 && database)
        rc = odbc_attr(&b, "Database", database, false);
    if (rc == 0)
        rc = buf_appendf(&b, ";Encrypt=%s;TrustServerCertificate=%s", c->encrypt ? "yes" : "no",
                         c->trust_server_certificate ? "yes" : "no");
    if (rc == 0 && tds)
        rc = buf_append_str(&b, ";ClientCharset=UTF-8;TDS_Version=7.4");
    if (rc == 0)
        *out = (char *)buf_take(&b, NULL);
out:
    if (rc == SL_ENOMEM)
        sl_err_set(err, SL_ENOMEM, "out of memory building the connection string");
    if (b.data)
        explicit_bzero(b.data, b.cap);
    buf_free(&b);
    sl_free(server);
    return rc;
}

/* ---- --tables filter ------------------------------------------------------------ */

struct span {
    const char *p;
    size_t n;
};

/* Next comma-separated entry of *cur, blanks trimmed; false at the end. Empty entries are skipped.
 */
static bool next_entry(const char **cur, struct span *e)
{
    while (**cur) {
        const char *s = *cur, *end = strchr(s, ',');
        if (!end)
            end = s + strlen(s);
        *cur = *end ? end + 1 : end;
        while (s < end && isspace((unsigned char)*s))
            s++;
        while (end > s && isspace((unsigned char)end[-1]))
            end--;
        if (end > s) {
            e->p = s;
            e->n = (size_t)(end - s);
            return true;
        }
    }
    return false;
}

/* Split "db.schema.table" into three non-empty parts; false if it is not that. */
static bool split_name(struct span e, struct span part[3])
{
    const char *p = e.p, *end = e.p + e.n;
    int i;
    for (i = 0; i < 3; i++) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        const char *stop = i < 2 ? dot : end;
        if (!stop || stop == p || (i == 2 && dot))
            return false;
        part[i].p = p;
        part[i].n = (size_t)(stop - p);
        p = stop + 1;
    }
    return true;
}

static bool span_eq(struct span s, const char *name)
{
    return strlen(name) == s.n && strncasecmp(s.p, name, s.n) == 0;
}

static bool list_selects(const char *list, const struct config_database *d,
                         const struct config_schema *s, const struct config_table *t)
{
    struct span e, part[3];
    while (next_entry(&list, &e))
        if (split_name(e, part) && span_eq(part[0], d->name) && span_eq(part[1], s->name) &&
            span_eq(part[2], t->name))
            return true;
    return false;
}

static bool has_table(const struct config *cfg, const struct span part[3])
{
    size_t i, j, k;
    for (i = 0; i < cfg->ndatabases; i++) {
        const struct config_database *d = &cfg->databases[i];
        for (j = 0; span_eq(part[0], d->name) && j < d->nschemas; j++) {
            const struct config_schema *s = &d->schemas[j];
            for (k = 0; span_eq(part[1], s->name) && k < s->ntables; k++)
                if (span_eq(part[2], s->tables[k].name))
                    return true;
        }
    }
    return false;
}

static void hint_tables(const struct config *cfg, struct sl_err *err)
{
    char list[400];
    size_t i, j, k, n = 0;
    list[0] = '\0';
    for (i = 0; i < cfg->ndatabases; i++)
        for (j = 0; j < cfg->databases[i].nschemas; j++)
            for (k = 0; k < cfg->databases[i].schemas[j].ntables && n < sizeof list; k++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s.%s.%s", n ? ", " : "",
                                      cfg->databases[i].name, cfg->databases[i].schemas[j].name,
                                      cfg->databases[i].schemas[j].tables[k].name);
    sl_err_hint(err, "the config lists: %s", list);
}

/* Every entry must be well formed and name a configured table. */
static int filter_check(const struct config *cfg, const char *list, struct sl_err *err)
{
    struct span e, part[3];
    char unknown[SL_ERR_MSG_MAX - 64];
    size_t n = 0, count = 0, bad = 0;

    unknown[0] = '\0';
    while (next_entry(&list, &e)) {
        count++;
        if (!split_name(e, part)) {
            sl_err_set(err, SL_ECONFIG, "invalid table name \"%.*s\" in --tables", (int)e.n, e.p);
            sl_err_hint(err, "write database.schema.table, e.g. shop.dbo.orders");
            return SL_ECONFIG;
        }
        if (!has_table(cfg, part) && n < sizeof unknown) {
            n += (size_t)snprintf(unknown + n, sizeof unknown - n, "%s\"%.*s\"", bad ? ", " : "",
                                  (int)e.n, e.p);
            bad++;
        }
    }
    if (count == 0) {
        sl_err_set(err, SL_ECONFIG, "--tables names no table");
        sl_err_hint(err, "write --tables db.schema.table[,db.schema.table...]");
        return SL_ECONFIG;
    }
    if (bad) {
        sl_err_set(err, SL_ECONFIG, "unknown %s %s in --tables", bad > 1 ? "tables" : "table",
                   unknown);
        hint_tables(cfg, err);
        return SL_ECONFIG;
    }
    return 0;
}

int config_filter_tables(struct config *cfg, const char *list, struct sl_err *err)
{
    size_t i, j, k, nd = 0;
    int rc = filter_check(cfg, list, err);

    if (rc)
        return rc;
    /* Compact in place: the arrays live in cfg's arena, so nothing is freed. */
    for (i = 0; i < cfg->ndatabases; i++) {
        struct config_database *d = &cfg->databases[i];
        size_t ns = 0;
        for (j = 0; j < d->nschemas; j++) {
            struct config_schema *s = &d->schemas[j];
            size_t nt = 0;
            for (k = 0; k < s->ntables; k++)
                if (list_selects(list, d, s, &s->tables[k]))
                    s->tables[nt++] = s->tables[k];
            s->ntables = nt;
            if (nt)
                d->schemas[ns++] = *s;
        }
        d->nschemas = ns;
        if (ns)
            cfg->databases[nd++] = *d;
    }
    cfg->ndatabases = nd;
    return 0;
}

/* ---- redacted dump ---------------------------------------------------------------- */

/* A YAML double-quoted scalar. */
static int dump_quoted(struct buf *b, const char *s)
{
    int rc = buf_append_byte(b, '"');
    for (; rc == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            rc = buf_appendf(b, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            rc = buf_appendf(b, "\\x%02x", ch);
        else
            rc = buf_append_byte(b, ch);
    }
    return rc ? rc : buf_append_byte(b, '"');
}

/* End a connection line with where its value came from. */
static int dump_note(struct buf *b, enum config_source src, const char *env)
{
    switch (src) {
    case CONFIG_SRC_ENV:
        return buf_appendf(b, "  # from %s\n", env);
    case CONFIG_SRC_DEFAULT:
        return buf_append_str(b, "  # default\n");
    case CONFIG_SRC_FILE:
        break;
    }
    return buf_append_byte(b, '\n');
}

/* "  key: "value"  # from MSSQL_X", or "  key: ~  # not set (MSSQL_X)". */
static int dump_conn_string(struct buf *b, const char *key, const char *value,
                            enum config_source src, const char *env)
{
    int rc = buf_appendf(b, "  %s: ", key);
    if (rc == 0 && !value)
        return buf_appendf(b, "~  # not set (%s)\n", env);
    if (rc == 0)
        rc = dump_quoted(b, value);
    return rc ? rc : dump_note(b, src, env);
}

static int dump_connection(const struct config_connection *c, struct buf *b)
{
    int rc = buf_append_str(b, "connection:\n");
    if (rc == 0)
        rc = dump_conn_string(b, "server", c->server, c->server_src, "MSSQL_SERVER");
    if (rc == 0)
        rc = buf_appendf(b, "  port: %d", c->port);
    if (rc == 0)
        rc = dump_note(b, c->port_src,
                       c->server_src == CONFIG_SRC_ENV ? "MSSQL_SERVER or MSSQL_PORT"
                                                       : "MSSQL_PORT");
    if (rc == 0)
        rc = dump_conn_string(b, "user", c->user, c->user_src, "MSSQL_USER");
    if (rc == 0) /* the one place the password would show: never its text */
        rc = dump_conn_string(b, "password", c->password ? "***" : NULL, c->password_src,
                              "MSSQL_PASSWORD");
    if (rc == 0)
        rc = dump_conn_string(b, "driver", c->driver, c->driver_src, "MSSQL_DRIVER");
    if (rc == 0)
        rc = dump_conn_string(b, "database", c->database, c->database_src, "MSSQL_DATABASE");
    if (rc == 0)
        rc = buf_appendf(b, "  encrypt: %s\n  trust_server_certificate: %s\n",
                         c->encrypt ? "true" : "false",
                         c->trust_server_certificate ? "true" : "false");
    return rc;
}

static int dump_storage(const struct config *cfg, struct buf *b)
{
    const struct config_storage *st = &cfg->storage;
    int rc = buf_append_str(b, "storage:\n  root: ");
    if (rc == 0)
        rc = dump_quoted(b, st->root);
    if (rc == 0)
        rc = buf_appendf(b, "\n  output_format: %s\n  parquet_compression: %s\n",
                         config_output_format_name(st->output_format),
                         config_compression_name(st->compression));
    if (rc == 0 && level_range[st->compression].lo <= level_range[st->compression].hi)
        rc = buf_appendf(b, "  parquet_compression_level: %d\n", st->compression_level);
    if (rc == 0)
        rc = buf_appendf(b, "  row_group_size: %lld\n  jsonl_path: ", (long long)st->row_group_size);
    if (rc == 0)
        rc = dump_quoted(b, st->jsonl_path);
    if (rc == 0)
        rc = buf_appendf(b,
                         "\n  jsonl_max_file_bytes: %llu\n  jsonl_max_file_rows: %llu\n"
                         "parallelism: %d\nwatch:\n  poll_interval: %lld\n"
                         "  max_poll_interval: %lld\n",
                         (unsigned long long)st->jsonl_max_file_bytes,
                         (unsigned long long)st->jsonl_max_file_rows, cfg->parallelism,
                         (long long)cfg->watch.poll_interval_ms,
                         (long long)cfg->watch.max_poll_interval_ms);
    return rc;
}

static int dump_table(const struct config_table *t, struct buf *b)
{
    int rc = buf_append_str(b, "          ");
    if (rc == 0)
        rc = dump_quoted(b, t->name);
    if (rc == 0)
        rc = buf_appendf(b,
                         ": {mode: %s, scd_type: %d, soft_delete: %s, capture: %s, cdc_mode: %s, "
                         "cdc_update_before: %s}\n",
                         config_mode_name(t->mode), t->scd_type, t->soft_delete ? "true" : "false",
                         config_capture_name(t->capture), config_cdc_mode_name(t->cdc_mode),
                         t->cdc_update_before ? "true" : "false");
    return rc;
}

static int dump_schema(const struct config_schema *s, struct buf *b)
{
    size_t k;
    int rc = buf_append_str(b, "      ");
    if (rc == 0)
        rc = dump_quoted(b, s->name);
    if (rc == 0)
        rc = buf_append_str(b, ":\n");
    if (rc == 0 && s->uc_schema) {
        rc = buf_append_str(b, "        uc_schema: ");
        if (rc == 0)
            rc = dump_quoted(b, s->uc_schema);
        if (rc == 0)
            rc = buf_append_byte(b, '\n');
    }
    if (rc == 0)
        rc = buf_append_str(b, "        tables:\n");
    for (k = 0; rc == 0 && k < s->ntables; k++)
        rc = dump_table(&s->tables[k], b);
    return rc;
}

int config_redacted_dump(const struct config *cfg, struct buf *out)
{
    size_t i, j;
    int rc = buf_append_str(out, "# effective configuration of ");

    if (rc == 0)
        rc = dump_quoted(out, cfg->path);
    if (rc == 0)
        rc = buf_append_str(out, "; the password is never shown\n");
    if (rc == 0)
        rc = dump_connection(&cfg->connection, out);
    if (rc == 0)
        rc = dump_storage(cfg, out);
    if (rc == 0)
        rc = buf_append_str(out, "databases:\n");
    for (i = 0; rc == 0 && i < cfg->ndatabases; i++) {
        const struct config_database *d = &cfg->databases[i];
        rc = buf_append_str(out, "  ");
        if (rc == 0)
            rc = dump_quoted(out, d->name);
        if (rc == 0)
            rc = buf_append_str(out, ":\n");
        if (rc == 0 && d->uc_catalog) {
            rc = buf_append_str(out, "    uc_catalog: ");
            if (rc == 0)
                rc = dump_quoted(out, d->uc_catalog);
            if (rc == 0)
                rc = buf_append_byte(out, '\n');
        }
        if (rc == 0)
            rc = buf_append_str(out, "    schemas:\n");
        for (j = 0; rc == 0 && j < d->nschemas; j++)
            rc = dump_schema(&d->schemas[j], out);
    }
    return rc;
}
