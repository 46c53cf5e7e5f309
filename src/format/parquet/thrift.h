/*
 * thrift: the Thrift compact protocol, as much as Parquet's footer and page
 * headers need (spec/parquet-delta.md §2).
 *
 * Writer: appends to a caller's struct buf. Errors are sticky (tw->err), so
 * a whole structure is emitted with plain calls and checked once at the
 * end. Field ids must increase within a struct; a stack of "previous field
 * id" per nesting level makes the short field header form apply.
 *
 * Reader: walks an untrusted byte range. Every read is bounds-checked; the
 * first malformation sets tr->err (SL_ECORRUPT) and every later read
 * returns zero values, so decoders stay simple loops. Nesting deeper than
 * THRIFT_MAX_DEPTH is rejected, which bounds recursion in thrift_skip.
 */
#ifndef SL_PARQUET_THRIFT_H
#define SL_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define THRIFT_MAX_DEPTH 32

enum thrift_type {
    THRIFT_STOP = 0,
    THRIFT_TRUE = 1,
    THRIFT_FALSE = 2,
    THRIFT_I8 = 3,
    THRIFT_I16 = 4,
    THRIFT_I32 = 5,
    THRIFT_I64 = 6,
    THRIFT_DOUBLE = 7,
    THRIFT_BINARY = 8,
    THRIFT_LIST = 9,
    THRIFT_SET = 10,
    THRIFT_MAP = 11,
    THRIFT_STRUCT = 12,
    THRIFT_UUID = 13,
};

struct thrift_w {
    struct buf *out;          /* borrowed */
    int err;                  /* first failure, sticky */
    int depth;
    int16_t last[THRIFT_MAX_DEPTH];
};

/* Start writing into out; the outermost struct is implicit (depth 0). */
void thrift_w_init(struct thrift_w *tw, struct buf *out);

void thrift_w_i32(struct thrift_w *tw, int16_t id, int32_t v);
void thrift_w_i64(struct thrift_w *tw, int16_t id, int64_t v);
void thrift_w_i8(struct thrift_w *tw, int16_t id, int8_t v);
void thrift_w_bool(struct thrift_w *tw, int16_t id, bool v);
void thrift_w_binary(struct thrift_w *tw, int16_t id, const void *p, size_t n);
void thrift_w_string(struct thrift_w *tw, int16_t id, const char *s);
/* A struct-typed field; close with thrift_w_end. */
void thrift_w_struct(struct thrift_w *tw, int16_t id);
/* An empty marker struct field (e.g. StringType {}). */
void thrift_w_empty(struct thrift_w *tw, int16_t id);
/* A list field header of n elements of elem type. */
void thrift_w_list(struct thrift_w *tw, int16_t id, enum thrift_type elem, size_t n);
/* List elements. */
void thrift_w_elem_i32(struct thrift_w *tw, int32_t v);
void thrift_w_elem_binary(struct thrift_w *tw, const void *p, size_t n);
/* A struct list element; close with thrift_w_end. */
void thrift_w_elem_struct(struct thrift_w *tw);
/* Stop byte of the innermost open struct (or of the outermost one at depth 0). */
void thrift_w_end(struct thrift_w *tw);

struct thrift_r {
    const uint8_t *p, *end;   /* borrowed */
    int err;                  /* 0 or SL_ECORRUPT, sticky */
    int depth;
};

void thrift_r_init(struct thrift_r *tr, const uint8_t *p, size_t n);

/*
 * Next field header of the current struct. *last is the caller's previous
 * field id for this struct (start at 0). Returns false at the stop byte or
 * on error; otherwise sets *id and *type. For boolean fields the value is
 * the type: THRIFT_TRUE / THRIFT_FALSE.
 */
bool thrift_r_field(struct thrift_r *tr, int16_t *last, int16_t *id, uint8_t *type);
int32_t thrift_r_i32(struct thrift_r *tr);
int64_t thrift_r_i64(struct thrift_r *tr);
int8_t thrift_r_i8(struct thrift_r *tr);
/* A binary/string; *p points into the input (borrowed). */
void thrift_r_binary(struct thrift_r *tr, const uint8_t **p, size_t *n);
/* A list header; n is bounded by the bytes left (each element takes >= 1). */
void thrift_r_list(struct thrift_r *tr, uint8_t *elem, size_t *n);
/* Enter / leave a nested struct (depth check). */
void thrift_r_enter(struct thrift_r *tr);
void thrift_r_leave(struct thrift_r *tr);
/* Skip one value of the given type (recursively, depth-limited). */
void thrift_r_skip(struct thrift_r *tr, uint8_t type);

#endif
