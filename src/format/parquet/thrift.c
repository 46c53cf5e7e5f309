/*
 * thrift: compact protocol writer and hardened reader. See thrift.h.
 */
#include "thrift.h"

#include "core/buf.h"
#include "core/err.h"

static void put_varint(struct thrift_w *tw, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    if (!tw->err)
        tw->err = buf_append(tw->out, t, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void put_byte(struct thrift_w *tw, uint8_t c)
{
    if (!tw->err)
        tw->err = buf_append_byte(tw->out, c);
}

static void field_header(struct thrift_w *tw, int16_t id, enum thrift_type t)
{
    int16_t delta = (int16_t)(id - tw->last[tw->depth]);
    if (delta > 0 && delta <= 15) {
        put_byte(tw, (uint8_t)(delta << 4 | t));
    } else {
        put_byte(tw, (uint8_t)t);
        put_varint(tw, zigzag(id));
    }
    tw->last[tw->depth] = id;
}

void thrift_w_init(struct thrift_w *tw, struct buf *out)
{
    tw->out = out;
    tw->err = 0;
    tw->depth = 0;
    tw->last[0] = 0;
}

void thrift_w_i32(struct thrift_w *tw, int16_t id, int32_t v)
{
    field_header(tw, id, THRIFT_I32);
    put_varint(tw, zigzag(v));
}

void thrift_w_i64(struct thrift_w *tw, int16_t id, int64_t v)
{
    field_header(tw, id, THRIFT_I64);
    put_varint(tw, zigzag(v));
}

void thrift_w_i8(struct thrift_w *tw, int16_t id, int8_t v)
{
    field_header(tw, id, THRIFT_I8);
    put_byte(tw, (uint8_t)v);
}

void thrift_w_bool(struct thrift_w *tw, int16_t id, bool v)
{
    field_header(tw, id, v ? THRIFT_TRUE : THRIFT_FALSE);
}

void thrift_w_binary(struct thrift_w *tw, int16_t id, const void *p, size_t n)
{
    field_header(tw, id, THRIFT_BINARY);
    thrift_w_elem_binary(tw, p, n);
}

void thrift_w_string(struct thrift_w *tw, int16_t id, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    thrift_w_binary(tw, id, s, n);
}

static void push(struct thrift_w *tw)
{
    if (tw->depth + 1 >= THRIFT_MAX_DEPTH) {
        tw->err = SL_ELIMIT;
        return;
    }
    tw->last[++tw->depth] = 0;
}

void thrift_w_struct(struct thrift_w *tw, int16_t id)
{
    field_header(tw, id, THRIFT_STRUCT);
    push(tw);
}

void thrift_w_empty(struct thrift_w *tw, int16_t id)
{
    field_header(tw, id, THRIFT_STRUCT);
    put_byte(tw, 0);
}

void thrift_w_list(struct thrift_w *tw, int16_t id, enum thrift_type elem, size_t n)
{
    field_header(tw, id, THRIFT_LIST);
    if (n < 15) {
        put_byte(tw, (uint8_t)(n << 4 | elem));
    } else {
        put_byte(tw, (uint8_t)(0xF0 | elem));
        put_varint(tw, n);
    }
}

void thrift_w_elem_i32(struct thrift_w *tw, int32_t v)
{
    put_varint(tw, zigzag(v));
}

void thrift_w_elem_binary(struct thrift_w *tw, const void *p, size_t n)
{
    put_varint(tw, n);
    if (!tw->err)
        tw->err = buf_append(tw->out, p, n);
}

void thrift_w_elem_struct(struct thrift_w *tw)
{
    push(tw);
}

void thrift_w_end(struct thrift_w *tw)
{
    put_byte(tw, 0);
    if (tw->depth > 0)
        tw->depth--;
}

/* ---- reader ---- */

void thrift_r_init(struct thrift_r *tr, const uint8_t *p, size_t n)
{
    tr->p = p;
    tr->end = p + n;
    tr->err = 0;
    tr->depth = 0;
}

static void fail(struct thrift_r *tr)
{
    tr->err = SL_ECORRUPT;
    tr->p = tr->end;
}

static uint8_t get_byte(struct thrift_r *tr)
{
    if (tr->err || tr->p >= tr->end) {
        fail(tr);
        return 0;
    }
    return *tr->p++;
}

static uint64_t get_varint(struct thrift_r *tr)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t c = get_byte(tr);
        if (tr->err)
            return 0;
        v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80))
            return v;
    }
    fail(tr);
    return 0;
}

static int64_t unzigzag(uint64_t z)
{
    return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

bool thrift_r_field(struct thrift_r *tr, int16_t *last, int16_t *id, uint8_t *type)
{
    uint8_t h = get_byte(tr);
    int64_t fid;
    if (tr->err || h == 0)
        return false;
    *type = h & 0x0F;
    if (h >> 4) {
        fid = *last + (h >> 4);
    } else {
        fid = unzigzag(get_varint(tr));
    }
    if (tr->err || fid < INT16_MIN || fid > INT16_MAX || *type == 0 || *type > THRIFT_UUID) {
        fail(tr);
        return false;
    }
    *id = (int16_t)fid;
    *last = (int16_t)fid;
    return true;
}

int32_t thrift_r_i32(struct thrift_r *tr)
{
    int64_t v = unzigzag(get_varint(tr));
    if (v < INT32_MIN || v > INT32_MAX) {
        fail(tr);
        return 0;
    }
    return (int32_t)v;
}

int64_t thrift_r_i64(struct thrift_r *tr)
{
    return unzigzag(get_varint(tr));
}

int8_t thrift_r_i8(struct thrift_r *tr)
{
    return (int8_t)get_byte(tr);
}

void thrift_r_binary(struct thrift_r *tr, const uint8_t **p, size_t *n)
{
    uint64_t len = get_varint(tr);
    *p = NULL;
    *n = 0;
    if (tr->err)
        return;
    if (len > (uint64_t)(tr->end - tr->p)) {
        fail(tr);
        return;
    }
    *p = tr->p;
    *n = (size_t)len;
    tr->p += len;
}

void thrift_r_list(struct thrift_r *tr, uint8_t *elem, size_t *n)
{
    uint8_t h = get_byte(tr);
    uint64_t size = h >> 4;
    *elem = h & 0x0F;
    *n = 0;
    if (size == 15)
        size = get_varint(tr);
    if (tr->err)
        return;
    if (size > (uint64_t)(tr->end - tr->p)) {
        fail(tr);
        return;
    }
    *n = (size_t)size;
}

void thrift_r_enter(struct thrift_r *tr)
{
    if (++tr->depth > THRIFT_MAX_DEPTH)
        fail(tr);
}

void thrift_r_leave(struct thrift_r *tr)
{
    if (tr->depth > 0)
        tr->depth--;
}

static void skip_bytes(struct thrift_r *tr, size_t n)
{
    if (tr->err)
        return;
    if (n > (size_t)(tr->end - tr->p)) {
        fail(tr);
        return;
    }
    tr->p += n;
}

void thrift_r_skip(struct thrift_r *tr, uint8_t type)
{
    const uint8_t *p;
    size_t n;
    uint8_t elem, t;
    int16_t last = 0, id;

    if (tr->err)
        return;
    switch (type) {
    case THRIFT_TRUE:
    case THRIFT_FALSE:
        return; /* value is in the field header */
    case THRIFT_I8:
        skip_bytes(tr, 1);
        return;
    case THRIFT_I16:
    case THRIFT_I32:
    case THRIFT_I64:
        (void)get_varint(tr);
        return;
    case THRIFT_DOUBLE:
        skip_bytes(tr, 8);
        return;
    case THRIFT_UUID:
        skip_bytes(tr, 16);
        return;
    case THRIFT_BINARY:
        thrift_r_binary(tr, &p, &n);
        return;
    case THRIFT_LIST:
    case THRIFT_SET:
        thrift_r_list(tr, &elem, &n);
        thrift_r_enter(tr);
        for (size_t i = 0; i < n && !tr->err; i++) {
            if (elem == THRIFT_TRUE || elem == THRIFT_FALSE)
                skip_bytes(tr, 1); /* list booleans are one byte each */
            else
                thrift_r_skip(tr, elem);
        }
        thrift_r_leave(tr);
        return;
    case THRIFT_MAP: {
        uint64_t size = get_varint(tr);
        uint8_t kv = size ? get_byte(tr) : 0;
        if (size > (uint64_t)(tr->end - tr->p)) {
            fail(tr);
            return;
        }
        thrift_r_enter(tr);
        for (uint64_t i = 0; i < size && !tr->err; i++) {
            thrift_r_skip(tr, kv >> 4);
            thrift_r_skip(tr, kv & 0x0F);
        }
        thrift_r_leave(tr);
        return;
    }
    case THRIFT_STRUCT:
        thrift_r_enter(tr);
        while (thrift_r_field(tr, &last, &id, &t))
            thrift_r_skip(tr, t);
        thrift_r_leave(tr);
        return;
    default:
        fail(tr);
        return;
    }
}
