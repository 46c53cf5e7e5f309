/*
 * doc: the neutral document tree the two syntax adapters hand to config.c.
 *
 * yaml.c (libfyaml) and json.c (through core/json.h, the jansson adapter)
 * each turn a file's text into this tree, so config.c validates one shape
 * and never sees a third-party type. Every node carries
 * the 1-based line it starts on; error messages quote it.
 *
 * Scalars keep their text exactly as written (after the syntax's own
 * unescaping): `password: 0123` stays "0123", and config.c decides what a
 * key's text means. Nulls (YAML ~, null, an empty value; JSON null) are a
 * kind of their own so that "not given" and "" stay distinct.
 *
 * All nodes and strings live in the arena passed to the adapter; the tree
 * is borrowed until that arena is reset or freed. Header only: the adapters
 * fill the structs directly.
 */
#ifndef SL_CONFIG_DOC_H
#define SL_CONFIG_DOC_H

#include <stddef.h>

struct arena;
struct sl_err;

enum doc_kind { DOC_NULL = 0, DOC_SCALAR, DOC_MAP, DOC_SEQ };

struct doc_node;

struct doc_pair {
    const char *key;
    int line; /* line of the key */
    struct doc_node *value;
};

struct doc_node {
    enum doc_kind kind;
    int line;
    const char *text;       /* DOC_SCALAR: NUL-terminated */
    struct doc_pair *pairs; /* DOC_MAP, in document order */
    size_t npairs;
    struct doc_node **items; /* DOC_SEQ */
    size_t nitems;
};

/*
 * Parse text[0..len) as one YAML (resp. JSON) document. name is the file
 * name used in messages. On success *root is the tree (borrowed from a) and
 * 0 is returned; on a syntax error SL_ECONFIG with "invalid YAML: ...
 * (name line L, column C)" and no quotation of the input (it may hold a
 * password); SL_ENOMEM. The _doc_ infix keeps json_doc_parse apart from
 * core/json.h's json_ names.
 */
int yaml_doc_parse(const char *text, size_t len, const char *name, struct arena *a,
                   struct doc_node **root, struct sl_err *err);
int json_doc_parse(const char *text, size_t len, const char *name, struct arena *a,
                   struct doc_node **root, struct sl_err *err);

#endif
