/*
 * writer: the streaming Parquet writer. See parquet.h for the contract.
 *
 * Owns: the output file descriptor, one row group of buffered column
 * chunks, the footer metadata of row groups already on disk. Leaves to the
 * caller: temp names, rename, directory fsync, file rolling.
 *
 * Data flow per batch: the rows are cut into slices that fit the current
 * row group; each column encodes its slice in runs of at most SUB_ROWS
 * rows (a run never overshoots a page by more than one value): definition
 * levels are copied from the batch's validity bytes, values are converted
 * to their physical form in a scratch array and then either PLAIN-appended
 * or looked up in the column's dictionary. A full page is compressed and
 * appended, with its header, to the column's chunk buffer. When the row
 * group is full, every chunk (dictionary page first) goes to the file and
 * only its metadata stays.
 *
 * Dictionary policy: every non-boolean column starts a chunk with a
 * dictionary. The first page ends after DICT_TRIAL values; if more than
 * half of them were distinct it is rewritten as PLAIN and the chunk drops
 * the dictionary (unique keys, timestamps). Otherwise the dictionary stays
 * until its PLAIN page exceeds dictionary_max_bytes, after which the chunk
 * continues in PLAIN. Byte-array statistics in dictionary mode are taken
 * from the distinct values, once per value.
 *
 * Invariants: a column's page in progress is either all dictionary indices
 * or all PLAIN values (page_dict); once a chunk falls back to PLAIN it stays
 * PLAIN until the row group ends; the dictionary page, if any page used
 * it, is written first; `encodings` lists every encoding written.
 */
#include "parquet.h"

#include "codec.h"
#include "meta.h"
#include "rle.h"
#include "thrift.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#ifndef SL_VERSION
#define SL_VERSION "0.0.0"
#endif
#ifndef SL_BUILD
#define SL_BUILD "unknown"
#endif

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the PLAIN encoder copies host arrays and assumes a little-endian host"
#endif

#define SUB_ROWS 4096          /* rows encoded between page-size checks */
#define STAT_MAX 64            /* byte-array statistics longer than this are truncated */
#define PAGE_MAX_VALUES (1u << 24)
#define DICT_TRIAL 16384       /* values on the first dictionary page of a chunk */

/* How a column's batch array becomes its physical values. */
enum conv {
    CV_BOOL, CV_I8, CV_I16, CV_I32, CV_DEC32, CV_I64, CV_DEC64, CV_F32, CV_F64, CV_FLBA, CV_BYTES
};

struct dent {
    uint64_t key;    /* fixed-width value bits, or offset of the value in page */
    uint32_t len;    /* byte-array / FLBA length */
    uint32_t hash;
};

/* Dictionary of one column chunk: PLAIN page body plus an open-addressing index. */
struct dict {
    struct buf page;
    struct dent *ents;
    size_t n, cap;
    uint32_t *slots;   /* entry index + 1; 0 = empty */
    size_t nslots;     /* power of two, >= 2n */
};

struct stats {
    bool has;
    uint64_t nulls, nans;
    int64_t imin, imax;
    double dmin, dmax;
    __int128 qmin, qmax;
    struct buf smin, smax;   /* byte arrays: full values */
};

struct chunk_meta {
    uint64_t dict_off, data_off, total_comp, total_uncomp, num_values;
    bool has_dict;
    uint32_t encodings;
    uint64_t nulls, nans;
    bool has_minmax, min_exact, max_exact, has_nans;
    uint8_t min_len, max_len;
    uint8_t min[STAT_MAX + 8], max[STAT_MAX + 8];
};

struct rg_meta {
    uint64_t num_rows, file_offset, total_byte_size, total_comp;
    struct chunk_meta *cols;
};

struct col {
    const struct batch_field *f;
    int ptype, type_length, width;  /* width: physical bytes of a fixed value */
    int max_def;                    /* 0 REQUIRED, 1 OPTIONAL, +1 inside a group */
    int group;                      /* index into parquet_writer.groups, or -1 */
    enum conv conv;
    bool is_utf8;
    /* page in progress */
    struct buf defs, vals, idx;
    size_t page_n, page_nn;
    bool page_dict;
    /* chunk in progress */
    struct buf chunk;
    uint64_t chunk_uncomp, chunk_values;
    uint32_t encodings;
    bool dict_on, dict_used, dict_checked;
    struct dict d;
    struct stats st;
};

/* A struct column: children are schema fields [first, first + count). */
struct wgroup {
    char *name;
    size_t first, count;
    struct buf present;            /* per row of the slice being encoded: 1 = struct present */
};

struct parquet_writer {
    int fd;
    char *path;
    const struct batch_schema *schema;
    struct parquet_options opt;
    char *created_by;
    int failed;
    struct col *cols;
    struct codec_ctx *codec;
    struct buf body, comp, hdr;    /* page scratch */
    uint8_t *scratch;              /* SUB_ROWS * 16 bytes of converted values */
    uint64_t offset;               /* bytes written to the file */
    uint64_t rows;                 /* rows accepted */
    uint64_t rg_rows, rg_bytes;
    struct buf rgs;                /* struct rg_meta array */
    size_t nrgs;
    struct buf kv;                 /* char *pairs: key, value, key, value ... */
    struct wgroup *groups;
    size_t ngroups;
    size_t slice_r0;               /* first batch row of the slice being encoded */
};

/* ---- small helpers ---- */

static int decimal_bytes(int p)
{
    static const uint8_t w[39] = {0,  1,  1,  2,  2,  3,  3,  4,  4,  4,  5,  5,  6,
                                  6,  6,  7,  7,  8,  8,  9,  9,  9,  10, 10, 11, 11,
                                  11, 12, 12, 13, 13, 13, 14, 14, 15, 15, 16, 16, 16};
    return p >= 1 && p <= 38 ? w[p] : 0;
}

/* Big-endian two's complement of v in w bytes. */
static void put_be128(uint8_t *dst, __int128 v, int w)
{
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = w - 1; i >= 0; i--) {
        dst[i] = (uint8_t)u;
        u >>= 8;
    }
}

static uint32_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0x243F6A8885A308D3ULL ^ ((uint64_t)n * 0x9E3779B97F4A7C15ULL), v;
    while (n >= 8) {
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n) {
        v = 0;
        memcpy(&v, p, n);
        h = (h ^ v) * 0x94d049bb133111ebULL;
        h ^= h >> 29;
    }
    return hash64(h);
}

/* ---- dictionary ---- */

static void dict_reset(struct dict *d)
{
    buf_reset(&d->page);
    d->n = 0;
    if (d->slots)
        memset(d->slots, 0, d->nslots * sizeof *d->slots);
}

static void dict_free(struct dict *d)
{
    buf_free(&d->page);
    sl_free(d->ents);
    sl_free(d->slots);
    memset(d, 0, sizeof *d);
}

/* Make room for one more entry, growing the entry array and the index. */
static int dict_grow(struct dict *d)
{
    if (d->n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        struct dent *e = sl_realloc(d->ents, cap * sizeof *e);
        if (!e)
            return SL_ENOMEM;
        d->ents = e;
        d->cap = cap;
    }
    if (2 * (d->n + 1) > d->nslots) {
        size_t ns = d->nslots ? d->nslots * 2 : 2048;
        uint32_t *s = sl_calloc(ns, sizeof *s);
        if (!s)
            return SL_ENOMEM;
        for (size_t i = 0; i < d->n; i++) {
            size_t j = d->ents[i].hash & (ns - 1);
            while (s[j])
                j = (j + 1) & (ns - 1);
            s[j] = (uint32_t)(i + 1);
        }
        sl_free(d->slots);
        d->slots = s;
        d->nslots = ns;
    }
    return 0;
}

/* Index of fixed-width value k (width bytes), inserting it if new. */
static int dict_put_u64(struct dict *d, uint64_t k, int width, uint32_t *out)
{
    uint32_t h = hash64(k);
    size_t j, mask;
    int rc;
    if (d->nslots) {
        mask = d->nslots - 1;
        for (j = h & mask; d->slots[j]; j = (j + 1) & mask) {
            if (d->ents[d->slots[j] - 1].key == k) {
                *out = d->slots[j] - 1;
                return 0;
            }
        }
    }
    if ((rc = dict_grow(d)) != 0 || (rc = buf_append(&d->page, &k, (size_t)width)) != 0)
        return rc;
    mask = d->nslots - 1;
    for (j = h & mask; d->slots[j]; j = (j + 1) & mask)
        ;
    d->ents[d->n] = (struct dent){.key = k, .len = (uint32_t)width, .hash = h};
    d->slots[j] = (uint32_t)(++d->n);
    *out = (uint32_t)(d->n - 1);
    return 0;
}

/*
 * Index of byte string p[0..n), inserting it if new. prefix: store the
 * PLAIN 4-byte length (BYTE_ARRAY) or not (FLBA). *added tells the caller
 * a new value was stored (to validate UTF-8 once per distinct value).
 */
static int dict_put_bytes(struct dict *d, const uint8_t *p, size_t n, bool prefix, uint32_t *out,
                          bool *added)
{
    uint32_t h = hash_bytes(p, n);
    size_t j, mask;
    int rc;
    *added = false;
    if (d->nslots) {
        mask = d->nslots - 1;
        for (j = h & mask; d->slots[j]; j = (j + 1) & mask) {
            const struct dent *e = &d->ents[d->slots[j] - 1];
            if (e->hash == h && e->len == n && memcmp(d->page.data + e->key, p, n) == 0) {
                *out = d->slots[j] - 1;
                return 0;
            }
        }
    }
    if ((rc = dict_grow(d)) != 0)
        return rc;
    if (prefix && (rc = buf_append_u32le(&d->page, (uint32_t)n)) != 0)
        return rc;
    if ((rc = buf_append(&d->page, p, n)) != 0)
        return rc;
    mask = d->nslots - 1;
    for (j = h & mask; d->slots[j]; j = (j + 1) & mask)
        ;
    d->ents[d->n] =
        (struct dent){.key = d->page.len - n, .len = (uint32_t)n, .hash = h};
    d->slots[j] = (uint32_t)(++d->n);
    *out = (uint32_t)(d->n - 1);
    *added = true;
    return 0;
}

/* ---- statistics ---- */

static void stats_reset(struct stats *s)
{
    s->has = false;
    s->nulls = s->nans = 0;
    buf_reset(&s->smin);
    buf_reset(&s->smax);
}

static inline void stat_int(struct stats *s, int64_t v)
{
    if (!s->has) {
        s->imin = s->imax = v;
        s->has = true;
    } else if (v < s->imin) {
        s->imin = v;
    } else if (v > s->imax) {
        s->imax = v;
    }
}

static inline void stat_dbl(struct stats *s, double v)
{
    if (isnan(v)) {
        s->nans++;
        return;
    }
    if (!s->has) {
        s->dmin = s->dmax = v;
        s->has = true;
    } else if (v < s->dmin) {
        s->dmin = v;
    } else if (v > s->dmax) {
        s->dmax = v;
    }
}

static inline void stat_dec(struct stats *s, __int128 v)
{
    if (!s->has) {
        s->qmin = s->qmax = v;
        s->has = true;
    } else if (v < s->qmin) {
        s->qmin = v;
    } else if (v > s->qmax) {
        s->qmax = v;
    }
}

/* Unsigned byte-wise order, shorter prefix first. */
static int bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int stat_bytes(struct stats *s, const uint8_t *p, size_t n)
{
    int rc = 0;
    if (!s->has) {
        s->has = true;
        buf_reset(&s->smin);
        buf_reset(&s->smax);
        if ((rc = buf_append(&s->smin, p, n)) == 0)
            rc = buf_append(&s->smax, p, n);
        if (rc)
            s->has = false;
        return rc;
    }
    if (bytes_cmp(p, n, s->smin.data, s->smin.len) < 0) {
        buf_reset(&s->smin);
        rc = buf_append(&s->smin, p, n);
    } else if (bytes_cmp(p, n, s->smax.data, s->smax.len) > 0) {
        buf_reset(&s->smax);
        rc = buf_append(&s->smax, p, n);
    }
    return rc;
}

/* Fold the dictionary's distinct values into the byte-array statistics. */
static int stats_from_dict(struct col *c)
{
    int rc = 0;
    if (c->conv != CV_BYTES)
        return 0;
    for (size_t i = 0; i < c->d.n && !rc; i++)
        rc = stat_bytes(&c->st, c->d.page.data + c->d.ents[i].key, c->d.ents[i].len);
    return rc;
}

/* Length of the longest prefix of s[0..n) that ends on a UTF-8 boundary and is <= max. */
static size_t utf8_cut(const uint8_t *s, size_t n, size_t max)
{
    size_t k = n < max ? n : max;
    while (k > 0 && k < n && (s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

static size_t put_utf8(uint8_t *t, uint32_t cp)
{
    if (cp < 0x80) {
        t[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        t[0] = (uint8_t)(0xC0 | cp >> 6);
        t[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        t[0] = (uint8_t)(0xE0 | cp >> 12);
        t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    t[0] = (uint8_t)(0xF0 | cp >> 18);
    t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    t[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * An upper bound for every value starting with max[0..n) that fits in
 * STAT_MAX (+4) bytes: the prefix with its last unit incremented. UTF-8
 * strings increment the last code point (skipping surrogates, dropping
 * U+10FFFF and retrying), binaries the last byte below 0xFF. Returns the
 * length, or 0 when no bound exists (then max is omitted).
 */
static size_t truncate_max(const uint8_t *s, size_t n, bool utf8, uint8_t *out)
{
    if (!utf8) {
        size_t k = n < STAT_MAX ? n : STAT_MAX;
        while (k > 0 && s[k - 1] == 0xFF)
            k--;
        if (k == 0)
            return 0;
        memcpy(out, s, k);
        out[k - 1]++;
        return k;
    }
    for (size_t k = utf8_cut(s, n, STAT_MAX); k > 0;) {
        size_t start = k - 1, i;
        int32_t cp;
        while (start > 0 && (s[start] & 0xC0) == 0x80)
            start--;
        i = start;
        cp = utf8_decode(s, k, &i);
        if (cp >= 0 && cp < 0x10FFFF) {
            uint32_t next = (uint32_t)cp + 1;
            if (next == 0xD800)
                next = 0xE000;
            memcpy(out, s, start);
            return start + put_utf8(out + start, next);
        }
        k = start;
    }
    return 0;
}

/* Turn the running statistics into the chunk's metadata. */
static void stats_finish(const struct col *c, struct chunk_meta *m)
{
    const struct stats *s = &c->st;
    m->nulls = s->nulls;
    m->nans = s->nans;
    m->has_nans = c->ptype == PT_FLOAT || c->ptype == PT_DOUBLE;
    m->has_minmax = s->has;
    m->min_exact = m->max_exact = true;
    if (!s->has)
        return;
    switch (c->ptype) {
    case PT_BOOLEAN:
        m->min[0] = (uint8_t)s->imin;
        m->max[0] = (uint8_t)s->imax;
        m->min_len = m->max_len = 1;
        break;
    case PT_INT32: {
        int32_t lo = (int32_t)s->imin, hi = (int32_t)s->imax;
        memcpy(m->min, &lo, 4);
        memcpy(m->max, &hi, 4);
        m->min_len = m->max_len = 4;
        break;
    }
    case PT_INT64:
        memcpy(m->min, &s->imin, 8);
        memcpy(m->max, &s->imax, 8);
        m->min_len = m->max_len = 8;
        break;
    case PT_FLOAT: {
        /* Spec §6.4: a zero minimum is written as -0, a zero maximum as +0. */
        float lo = s->dmin == 0 ? -0.0f : (float)s->dmin, hi = s->dmax == 0 ? 0.0f : (float)s->dmax;
        memcpy(m->min, &lo, 4);
        memcpy(m->max, &hi, 4);
        m->min_len = m->max_len = 4;
        break;
    }
    case PT_DOUBLE: {
        double lo = s->dmin == 0 ? -0.0 : s->dmin, hi = s->dmax == 0 ? 0.0 : s->dmax;
        memcpy(m->min, &lo, 8);
        memcpy(m->max, &hi, 8);
        m->min_len = m->max_len = 8;
        break;
    }
    case PT_FLBA:
        put_be128(m->min, s->qmin, c->type_length);
        put_be128(m->max, s->qmax, c->type_length);
        m->min_len = m->max_len = (uint8_t)c->type_length;
        break;
    default: /* BYTE_ARRAY */
        if (s->smin.len <= STAT_MAX) {
            memcpy(m->min, s->smin.data, s->smin.len);
            m->min_len = (uint8_t)s->smin.len;
        } else {
            m->min_len = (uint8_t)(c->is_utf8 ? utf8_cut(s->smin.data, s->smin.len, STAT_MAX)
                                              : STAT_MAX);
            memcpy(m->min, s->smin.data, m->min_len);
            m->min_exact = false;
        }
        if (s->smax.len <= STAT_MAX) {
            memcpy(m->max, s->smax.data, s->smax.len);
            m->max_len = (uint8_t)s->smax.len;
        } else {
            m->max_len = (uint8_t)truncate_max(s->smax.data, s->smax.len, c->is_utf8, m->max);
            m->max_exact = false;
            if (m->max_len == 0)
                m->has_minmax = false; /* no finite upper bound: omit both */
        }
        break;
    }
}

/* ---- pages ---- */

static void page_header(struct buf *hdr, int type, size_t unc, size_t comp, size_t nvals,
                        int enc, int *err)
{
    struct thrift_w tw;
    buf_reset(hdr);
    thrift_w_init(&tw, hdr);
    thrift_w_i32(&tw, 1, type);
    thrift_w_i32(&tw, 2, (int32_t)unc);
    thrift_w_i32(&tw, 3, (int32_t)comp);
    if (type == PAGE_DICTIONARY) {
        thrift_w_struct(&tw, 7);
        thrift_w_i32(&tw, 1, (int32_t)nvals);
        thrift_w_i32(&tw, 2, ENC_PLAIN);
        thrift_w_end(&tw);
    } else {
        thrift_w_struct(&tw, 5);
        thrift_w_i32(&tw, 1, (int32_t)nvals);
        thrift_w_i32(&tw, 2, enc);
        thrift_w_i32(&tw, 3, ENC_RLE);
        thrift_w_i32(&tw, 4, ENC_RLE);
        thrift_w_end(&tw);
    }
    thrift_w_end(&tw);
    *err = tw.err;
}

/* Compress src into w->comp (or borrow src for UNCOMPRESSED); out and outn receive the page body. */
static int compress_body(struct parquet_writer *w, const uint8_t *src, size_t n,
                         const uint8_t **out, size_t *outn)
{
    int rc;
    if (n > INT32_MAX)
        return SL_ELIMIT;
    if (w->opt.codec == PARQUET_UNCOMPRESSED) {
        *out = src;
        *outn = n;
        return 0;
    }
    buf_reset(&w->comp);
    if ((rc = codec_compress(w->codec, src, n, &w->comp)) != 0)
        return rc;
    if (w->comp.len > INT32_MAX)
        return SL_ELIMIT;
    *out = w->comp.data ? w->comp.data : (const uint8_t *)"";
    *outn = w->comp.len;
    return 0;
}

/*
 * The first dictionary page of a chunk decides whether the dictionary pays:
 * when more than half of its values are distinct, the page is rewritten as
 * PLAIN from the dictionary and the chunk continues without one.
 */
static int maybe_drop_dict(struct col *c)
{
    int rc = 0;
    const uint32_t *ix = (const uint32_t *)c->idx.data;
    c->dict_checked = true;
    if (c->d.n * 2 <= c->page_nn)
        return 0;
    buf_reset(&c->vals);
    for (size_t i = 0; i < c->page_nn && !rc; i++) {
        const struct dent *e = &c->d.ents[ix[i]];
        if (c->conv == CV_BYTES) {
            rc = buf_append_u32le(&c->vals, e->len);
            if (!rc)
                rc = buf_append(&c->vals, c->d.page.data + e->key, e->len);
        } else {
            rc = buf_append(&c->vals, c->d.page.data + (size_t)ix[i] * (size_t)c->width,
                            (size_t)c->width);
        }
    }
    if (!rc)
        rc = stats_from_dict(c);
    if (rc)
        return rc;
    dict_reset(&c->d);
    buf_reset(&c->idx);
    c->dict_on = c->page_dict = false;
    return 0;
}

static int bitpack_bools(struct buf *out, const uint8_t *v, size_t n)
{
    size_t nb = (n + 7) / 8;
    int rc = buf_reserve(out, nb);
    uint8_t *dst;
    if (rc)
        return rc;
    dst = out->data + out->len;
    memset(dst, 0, nb);
    for (size_t i = 0; i < n; i++)
        dst[i >> 3] |= (uint8_t)((v[i] & 1) << (i & 7));
    out->len += nb;
    return 0;
}

/* Encode, compress and append the page in progress to the chunk. */
static int flush_page(struct parquet_writer *w, struct col *c)
{
    const uint8_t *src, *payload;
    size_t srcn, paylen;
    int rc;

    if (c->page_n == 0)
        return 0;
    /* An all-NULL page with an empty dictionary is written PLAIN, so no
     * empty dictionary page (an empty codec block) reaches readers. */
    if (c->page_dict && c->d.n == 0)
        c->page_dict = false;
    if (c->page_dict && !c->dict_checked && (rc = maybe_drop_dict(c)) != 0)
        return rc;
    buf_reset(&w->body);
    if (c->max_def > 0) {
        size_t at = w->body.len;
        uint32_t len;
        if ((rc = buf_append_u32le(&w->body, 0)) != 0 ||
            (rc = rle_encode_u8(&w->body, c->defs.data, c->page_n,
                                rle_bit_width((uint32_t)c->max_def))) != 0)
            return rc;
        len = (uint32_t)(w->body.len - at - 4);
        memcpy(w->body.data + at, &len, 4);
    }
    if (c->page_dict) {
        int bw = rle_bit_width(c->d.n ? (uint32_t)(c->d.n - 1) : 0);
        if (bw == 0)
            bw = 1;
        if ((rc = buf_append_byte(&w->body, (uint8_t)bw)) != 0 ||
            (rc = rle_encode_u32(&w->body, (const uint32_t *)c->idx.data, c->page_nn, bw)) != 0)
            return rc;
    } else if (c->conv == CV_BOOL) {
        if ((rc = bitpack_bools(&w->body, c->vals.data, c->page_nn)) != 0)
            return rc;
    } else if (c->max_def > 0) {
        if ((rc = buf_append(&w->body, c->vals.data, c->vals.len)) != 0)
            return rc;
    }
    /* A REQUIRED PLAIN page is its values: compress them without a copy. */
    if (c->max_def == 0 && !c->page_dict && c->conv != CV_BOOL) {
        src = c->vals.data ? c->vals.data : (const uint8_t *)"";
        srcn = c->vals.len;
    } else {
        src = w->body.data;
        srcn = w->body.len;
    }
    if ((rc = compress_body(w, src, srcn, &payload, &paylen)) != 0)
        return rc;
    page_header(&w->hdr, PAGE_DATA, srcn, paylen, c->page_n,
                c->page_dict ? ENC_RLE_DICTIONARY : ENC_PLAIN, &rc);
    if (rc || (rc = buf_append(&c->chunk, w->hdr.data, w->hdr.len)) != 0 ||
        (rc = buf_append(&c->chunk, payload, paylen)) != 0)
        return rc;
    c->chunk_uncomp += w->hdr.len + srcn;
    c->chunk_values += c->page_n;
    w->rg_bytes += w->hdr.len + paylen;
    c->encodings |= 1u << ENC_RLE;
    if (c->page_dict) {
        c->encodings |= 1u << ENC_RLE_DICTIONARY;
        c->dict_used = true;
    } else {
        c->encodings |= 1u << ENC_PLAIN;
    }
    buf_reset(&c->defs);
    buf_reset(&c->vals);
    buf_reset(&c->idx);
    c->page_n = c->page_nn = 0;
    c->page_dict = c->dict_on;
    return 0;
}

/* ---- encoding a run of rows ---- */

static int bad_utf8(const struct col *c, struct sl_err *err)
{
    return sl_err_set(err, SL_ECONVERT, "column \"%s\" holds a value that is not valid UTF-8",
                      c->f->name);
}

/* Append n uint32 dictionary indices for the fixed values in keys. */
#define DEFINE_DICT_FIXED(NAME, T, U)                                               \
    static int NAME(struct col *c, const T *v, size_t n)                            \
    {                                                                               \
        uint32_t *ix;                                                               \
        int rc = buf_reserve(&c->idx, n * 4);                                       \
        if (rc)                                                                     \
            return rc;                                                              \
        ix = (uint32_t *)(c->idx.data + c->idx.len);                                \
        for (size_t i = 0; i < n; i++) {                                            \
            U k;                                                                    \
            memcpy(&k, &v[i], sizeof k);                                            \
            if ((rc = dict_put_u64(&c->d, (uint64_t)k, (int)sizeof k, &ix[i])) != 0) \
                return rc;                                                          \
        }                                                                           \
        c->idx.len += n * 4;                                                        \
        return 0;                                                                   \
    }

DEFINE_DICT_FIXED(dict_fixed32, int32_t, uint32_t)
DEFINE_DICT_FIXED(dict_fixed64, int64_t, uint64_t)

/* Encode n converted fixed-width values at w->scratch (already in stats). */
static int put_fixed(struct parquet_writer *w, struct col *c, size_t n)
{
    if (c->conv == CV_BOOL || !c->page_dict)
        return buf_append(&c->vals, w->scratch, n * (size_t)c->width);
    if (c->conv == CV_FLBA) {
        uint32_t *ix;
        bool added;
        int rc = buf_reserve(&c->idx, n * 4);
        if (rc)
            return rc;
        ix = (uint32_t *)(c->idx.data + c->idx.len);
        for (size_t i = 0; i < n; i++) {
            rc = dict_put_bytes(&c->d, w->scratch + i * (size_t)c->width, (size_t)c->width,
                                false, &ix[i], &added);
            if (rc)
                return rc;
        }
        c->idx.len += n * 4;
        return 0;
    }
    if (c->width == 4)
        return dict_fixed32(c, (const int32_t *)w->scratch, n);
    return dict_fixed64(c, (const int64_t *)w->scratch, n);
}

/* Gather the non-null values of rows [r, r+n) as physical values into w->scratch. */
#define GATHER(T, DST, EXPR)                                                        \
    do {                                                                            \
        const T *src_ = (const T *)col->values + r;                                 \
        for (size_t i_ = 0; i_ < n; i_++) {                                         \
            if (valid && !valid[i_])                                                \
                continue;                                                           \
            T x = src_[i_];                                                         \
            DST[k++] = (EXPR);                                                      \
        }                                                                           \
    } while (0)

static size_t gather(struct parquet_writer *w, struct col *c, const struct batch_column *col,
                     size_t r, size_t n)
{
    const uint8_t *valid = col->valid ? col->valid + r : NULL;
    struct stats *s = &c->st;
    size_t k = 0;
    int32_t *i32 = (int32_t *)w->scratch;
    int64_t *i64 = (int64_t *)w->scratch;
    uint8_t *u8 = w->scratch;
    float *f32 = (float *)w->scratch;
    double *f64 = (double *)w->scratch;

    switch (c->conv) {
    case CV_BOOL:
        GATHER(uint8_t, u8, (uint8_t)(x != 0));
        for (size_t i = 0; i < k; i++)
            stat_int(s, u8[i]);
        break;
    case CV_I8:
        GATHER(int8_t, i32, x);
        goto i32_stats;
    case CV_I16:
        GATHER(int16_t, i32, x);
        goto i32_stats;
    case CV_I32:
        GATHER(int32_t, i32, x);
        goto i32_stats;
    case CV_DEC32:
        GATHER(__int128, i32, (int32_t)x);
    i32_stats:
        if (k) {
            int32_t lo = i32[0], hi = i32[0];
            for (size_t i = 1; i < k; i++) {
                lo = i32[i] < lo ? i32[i] : lo;
                hi = i32[i] > hi ? i32[i] : hi;
            }
            stat_int(s, lo);
            stat_int(s, hi);
        }
        break;
    case CV_I64:
        GATHER(int64_t, i64, x);
        goto i64_stats;
    case CV_DEC64:
        GATHER(__int128, i64, (int64_t)x);
    i64_stats:
        if (k) {
            int64_t lo = i64[0], hi = i64[0];
            for (size_t i = 1; i < k; i++) {
                lo = i64[i] < lo ? i64[i] : lo;
                hi = i64[i] > hi ? i64[i] : hi;
            }
            stat_int(s, lo);
            stat_int(s, hi);
        }
        break;
    case CV_F32:
        GATHER(float, f32, x);
        for (size_t i = 0; i < k; i++)
            stat_dbl(s, f32[i]);
        break;
    case CV_F64:
        GATHER(double, f64, x);
        for (size_t i = 0; i < k; i++)
            stat_dbl(s, f64[i]);
        break;
    case CV_FLBA: {
        const __int128 *src = (const __int128 *)col->values + r;
        for (size_t i = 0; i < n; i++) {
            if (valid && !valid[i])
                continue;
            stat_dec(s, src[i]);
            put_be128(u8 + k * (size_t)c->width, src[i], c->width);
            k++;
        }
        break;
    }
    case CV_BYTES:
        break;
    }
    return k;
}

static int put_bytes_run(struct col *c, const struct batch_column *col, size_t r, size_t n,
                         struct sl_err *err)
{
    const uint8_t *valid = col->valid ? col->valid + r : NULL;
    const uint8_t *data = col->data ? col->data : (const uint8_t *)"";
    int rc = 0;
    bool added;
    for (size_t i = 0; i < n && !rc; i++) {
        const uint8_t *p;
        size_t len;
        if (valid && !valid[i])
            continue;
        p = data + col->offsets[r + i];
        len = (size_t)(col->offsets[r + i + 1] - col->offsets[r + i]);
        if (c->page_dict) {
            uint32_t ix;
            rc = dict_put_bytes(&c->d, p, len, true, &ix, &added);
            if (!rc && added && c->is_utf8 && !utf8_valid(p, len))
                return bad_utf8(c, err);
            if (!rc)
                rc = buf_append(&c->idx, &ix, 4);
        } else {
            if (c->is_utf8 && !utf8_valid(p, len))
                return bad_utf8(c, err);
            if ((rc = stat_bytes(&c->st, p, len)) == 0 &&
                (rc = buf_append_u32le(&c->vals, (uint32_t)len)) == 0)
                rc = buf_append(&c->vals, p, len);
        }
    }
    return rc ? sl_err_set(err, rc, "cannot encode column \"%s\"", c->f->name) : 0;
}

/* Rows of [r, end) to encode before the next page-size check. */
static size_t run_rows(const struct parquet_writer *w, const struct col *c,
                       const struct batch_column *col, size_t r, size_t end)
{
    size_t n = end - r, page = w->opt.page_bytes, used = c->vals.len, left;
    if (n > SUB_ROWS)
        n = SUB_ROWS;
    if (c->page_dict)
        return n;
    left = used < page ? page - used : 0;
    if (c->conv == CV_BOOL) {
        left = left * 8 / 1 + 1;
    } else if (c->conv == CV_BYTES) {
        size_t k = 0, acc = 0;
        while (k < n && acc < left) {
            acc += 4 + (size_t)(col->offsets[r + k + 1] - col->offsets[r + k]);
            k++;
        }
        return k ? k : 1;
    } else {
        left = left / (size_t)c->width + 1;
    }
    return n < left ? n : left;
}

static bool page_full(const struct parquet_writer *w, const struct col *c)
{
    size_t est;
    if (c->page_n >= PAGE_MAX_VALUES)
        return true;
    if (c->page_dict)
        est = c->page_nn * (size_t)rle_bit_width((uint32_t)c->d.n) / 8;
    else if (c->conv == CV_BOOL)
        est = c->page_nn / 8;
    else
        est = c->vals.len;
    return est >= w->opt.page_bytes;
}

/*
 * Definition levels of rows [r, r+n) of a struct child: 0 when the struct
 * is NULL, 1 when it is present and the child NULL, max_def when the child
 * has a value. *nn gets the number of values.
 */
static int group_levels(struct parquet_writer *w, struct col *c, const struct batch_column *col,
                        size_t r, size_t n, size_t *nn)
{
    const uint8_t *present = w->groups[c->group].present.data + (r - w->slice_r0);
    uint8_t *d;
    size_t k = 0;
    int rc = buf_reserve(&c->defs, n);
    if (rc)
        return rc;
    d = c->defs.data + c->defs.len;
    for (size_t i = 0; i < n; i++) {
        bool has = !col->valid || col->valid[r + i];
        d[i] = (uint8_t)(has ? c->max_def : present[i] ? 1 : 0);
        k += has;
    }
    c->defs.len += n;
    *nn = k;
    return 0;
}

/* Encode rows [r, end) of column c from batch b. */
static int encode_slice(struct parquet_writer *w, struct col *c, const struct batch *b,
                        size_t idx, size_t r, size_t end, struct sl_err *err)
{
    const struct batch_column *col = &b->cols[idx];
    int rc;
    while (r < end) {
        size_t n = run_rows(w, c, col, r, end), nn = n;
        if (c->group >= 0) {
            if ((rc = group_levels(w, c, col, r, n, &nn)) != 0)
                goto fail;
        } else if (c->f->nullable) {
            if (col->valid) {
                if ((rc = buf_append(&c->defs, col->valid + r, n)) != 0)
                    goto fail;
                nn = 0;
                for (size_t i = 0; i < n; i++)
                    nn += col->valid[r + i] != 0;
            } else {
                if ((rc = buf_reserve(&c->defs, n)) != 0)
                    goto fail;
                memset(c->defs.data + c->defs.len, 1, n);
                c->defs.len += n;
            }
        }
        if (c->conv == CV_BYTES) {
            if ((rc = put_bytes_run(c, col, r, n, err)) != 0)
                return rc;
        } else {
            size_t k = gather(w, c, col, r, n);
            if ((rc = put_fixed(w, c, k)) != 0)
                goto fail;
        }
        c->page_n += n;
        c->page_nn += nn;
        c->st.nulls += n - nn;
        r += n;
        if (c->page_dict && !c->dict_checked && c->page_nn >= DICT_TRIAL) {
            /* End the trial page early: a mostly-unique column should not
             * pay for hashing a whole page before dropping the dictionary. */
            if ((rc = flush_page(w, c)) != 0)
                goto fail;
        } else if (c->dict_on && c->d.page.len > w->opt.dictionary_max_bytes) {
            /* Dictionary over budget: this page ends it; PLAIN from here on. */
            c->dict_on = false;
            if ((rc = flush_page(w, c)) != 0)
                goto fail;
        } else if (page_full(w, c) && (rc = flush_page(w, c)) != 0) {
            goto fail;
        }
    }
    return 0;
fail:
    return sl_err_set(err, rc, "cannot encode column \"%s\"", c->f->name);
}

/* ---- file output ---- */

static int write_all(struct parquet_writer *w, const void *p, size_t n, struct sl_err *err)
{
    const uint8_t *q = p;
    while (n > 0) {
        ssize_t k = w->opt.io && w->opt.io->write ? w->opt.io->write(w->opt.io->arg, w->fd, q, n)
                                                  : write(w->fd, q, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot write \"%s\"",
                                w->path);
        }
        if (k == 0) /* a regular file never accepts 0 of n > 0 bytes */
            return sl_err_errno(err, SL_EIO, EIO, "cannot write \"%s\"", w->path);
        q += k;
        n -= (size_t)k;
        w->offset += (uint64_t)k;
    }
    return 0;
}

static void col_reset_chunk(struct parquet_writer *w, struct col *c)
{
    buf_reset(&c->chunk);
    dict_reset(&c->d);
    stats_reset(&c->st);
    c->chunk_uncomp = c->chunk_values = 0;
    c->encodings = 0;
    c->dict_on = w->opt.dictionary && c->conv != CV_BOOL;
    c->page_dict = c->dict_on;
    c->dict_used = c->dict_checked = false;
}

/* Write one column chunk (dictionary page first) and fill its metadata. */
static int write_chunk(struct parquet_writer *w, struct col *c, struct chunk_meta *m,
                       struct sl_err *err)
{
    const uint8_t *payload;
    size_t paylen;
    int rc;
    uint64_t start = w->offset;

    if ((rc = flush_page(w, c)) != 0)
        return sl_err_set(err, rc, "cannot encode column \"%s\"", c->f->name);
    if (c->dict_used && (rc = stats_from_dict(c)) != 0)
        return sl_err_set(err, rc, "cannot encode column \"%s\"", c->f->name);
    m->total_uncomp = c->chunk_uncomp;
    if (c->dict_used) {
        if ((rc = compress_body(w, c->d.page.data ? c->d.page.data : (const uint8_t *)"",
                                c->d.page.len, &payload, &paylen)) != 0)
            return sl_err_set(err, rc, "cannot compress the dictionary of column \"%s\"",
                              c->f->name);
        page_header(&w->hdr, PAGE_DICTIONARY, c->d.page.len, paylen, c->d.n, ENC_PLAIN, &rc);
        if (rc)
            return sl_err_set(err, rc, "cannot encode column \"%s\"", c->f->name);
        m->has_dict = true;
        m->dict_off = start;
        m->total_uncomp += w->hdr.len + c->d.page.len;
        c->encodings |= 1u << ENC_PLAIN;
        if ((rc = write_all(w, w->hdr.data, w->hdr.len, err)) != 0 ||
            (rc = write_all(w, payload, paylen, err)) != 0)
            return rc;
    }
    m->data_off = w->offset;
    if ((rc = write_all(w, c->chunk.data, c->chunk.len, err)) != 0)
        return rc;
    m->total_comp = w->offset - start;
    m->num_values = c->chunk_values;
    m->encodings = c->encodings;
    stats_finish(c, m);
    col_reset_chunk(w, c);
    return 0;
}

static int flush_row_group(struct parquet_writer *w, struct sl_err *err)
{
    struct rg_meta rg = {0};
    size_t ncols = w->schema->nfields;
    int rc;

    if (w->rg_rows == 0)
        return 0;
    rg.cols = sl_calloc(ncols, sizeof *rg.cols);
    if (!rg.cols)
        return sl_err_set(err, SL_ENOMEM, "out of memory writing \"%s\"", w->path);
    rg.num_rows = w->rg_rows;
    rg.file_offset = w->offset;
    for (size_t i = 0; i < ncols; i++) {
        if ((rc = write_chunk(w, &w->cols[i], &rg.cols[i], err)) != 0)
            goto fail;
        rg.total_byte_size += rg.cols[i].total_uncomp;
    }
    rg.total_comp = w->offset - rg.file_offset;
    if ((rc = buf_append(&w->rgs, &rg, sizeof rg)) != 0) {
        sl_err_set(err, rc, "out of memory writing \"%s\"", w->path);
        goto fail;
    }
    w->nrgs++;
    w->rg_rows = 0;
    w->rg_bytes = 0;
    return 0;
fail:
    sl_free(rg.cols);
    return rc;
}

/* Bytes the current row group holds in memory, pages in progress included. */
static uint64_t rg_buffered(const struct parquet_writer *w)
{
    uint64_t n = w->rg_bytes;
    for (size_t i = 0; i < w->schema->nfields; i++) {
        const struct col *c = &w->cols[i];
        n += c->vals.len + c->idx.len / 4 + c->defs.len / 8 + c->d.page.len;
    }
    return n;
}

/* ---- footer ---- */

/* Columns directly under the root: flat columns plus one per struct. */
static size_t top_level_columns(const struct parquet_writer *w)
{
    size_t n = w->schema->nfields;
    for (size_t g = 0; g < w->ngroups; g++)
        n -= w->groups[g].count - 1;
    return n;
}

/* The SchemaElement of a struct: an OPTIONAL group without a type. */
static void group_element(struct thrift_w *tw, const struct wgroup *g)
{
    thrift_w_elem_struct(tw);
    thrift_w_i32(tw, 3, REP_OPTIONAL);
    thrift_w_string(tw, 4, g->name);
    thrift_w_i32(tw, 5, (int32_t)g->count);
    thrift_w_end(tw);
}

static void schema_element(struct thrift_w *tw, const struct col *c)
{
    const struct batch_field *f = c->f;
    thrift_w_elem_struct(tw);
    thrift_w_i32(tw, 1, c->ptype);
    if (c->ptype == PT_FLBA)
        thrift_w_i32(tw, 2, c->type_length);
    thrift_w_i32(tw, 3, f->nullable ? REP_OPTIONAL : REP_REQUIRED);
    thrift_w_string(tw, 4, f->name);
    switch (f->type) {
    case BATCH_INT8:
    case BATCH_INT16:
        thrift_w_i32(tw, 6, f->type == BATCH_INT8 ? CT_INT_8 : CT_INT_16);
        thrift_w_struct(tw, 10);
        thrift_w_struct(tw, LT_INTEGER);
        thrift_w_i8(tw, 1, f->type == BATCH_INT8 ? 8 : 16);
        thrift_w_bool(tw, 2, true);
        thrift_w_end(tw);
        thrift_w_end(tw);
        break;
    case BATCH_DECIMAL:
        thrift_w_i32(tw, 6, CT_DECIMAL);
        thrift_w_i32(tw, 7, f->scale);
        thrift_w_i32(tw, 8, f->precision);
        thrift_w_struct(tw, 10);
        thrift_w_struct(tw, LT_DECIMAL);
        thrift_w_i32(tw, 1, f->scale);
        thrift_w_i32(tw, 2, f->precision);
        thrift_w_end(tw);
        thrift_w_end(tw);
        break;
    case BATCH_DATE:
        thrift_w_i32(tw, 6, CT_DATE);
        thrift_w_struct(tw, 10);
        thrift_w_empty(tw, LT_DATE);
        thrift_w_end(tw);
        break;
    case BATCH_TIMESTAMP:
        thrift_w_i32(tw, 6, CT_TIMESTAMP_MICROS);
        thrift_w_struct(tw, 10);
        thrift_w_struct(tw, LT_TIMESTAMP);
        thrift_w_bool(tw, 1, f->utc_adjusted);
        thrift_w_struct(tw, 2);
        thrift_w_empty(tw, TU_MICROS);
        thrift_w_end(tw);
        thrift_w_end(tw);
        thrift_w_end(tw);
        break;
    case BATCH_STRING:
    case BATCH_JSON:
        thrift_w_i32(tw, 6, f->type == BATCH_STRING ? CT_UTF8 : CT_JSON);
        thrift_w_struct(tw, 10);
        thrift_w_empty(tw, f->type == BATCH_STRING ? LT_STRING : LT_JSON);
        thrift_w_end(tw);
        break;
    default:
        break;
    }
    thrift_w_end(tw);
}

static void column_meta(struct thrift_w *tw, const struct parquet_writer *w, const struct col *c,
                        const struct chunk_meta *m)
{
    int codec = (int)w->opt.codec;
    int nenc = 0;
    /* Legacy min/max only where their signed order equals TYPE_ORDER (§6.3). */
    bool legacy = c->ptype == PT_INT32 || c->ptype == PT_INT64 || c->ptype == PT_BOOLEAN;

    thrift_w_elem_struct(tw);               /* ColumnChunk */
    thrift_w_i64(tw, 2, 0);                 /* file_offset: deprecated, required */
    thrift_w_struct(tw, 3);                 /* ColumnMetaData */
    thrift_w_i32(tw, 1, c->ptype);
    for (int e = 0; e < 32; e++)
        nenc += (m->encodings >> e) & 1;
    thrift_w_list(tw, 2, THRIFT_I32, (size_t)nenc);
    for (int e = 0; e < 32; e++)
        if ((m->encodings >> e) & 1)
            thrift_w_elem_i32(tw, e);
    if (c->group >= 0) {                    /* path_in_schema: struct, then child */
        const char *g = w->groups[c->group].name;
        thrift_w_list(tw, 3, THRIFT_BINARY, 2);
        thrift_w_elem_binary(tw, g, strlen(g));
    } else {
        thrift_w_list(tw, 3, THRIFT_BINARY, 1);
    }
    thrift_w_elem_binary(tw, c->f->name, strlen(c->f->name));
    thrift_w_i32(tw, 4, codec);
    thrift_w_i64(tw, 5, (int64_t)m->num_values);
    thrift_w_i64(tw, 6, (int64_t)m->total_uncomp);
    thrift_w_i64(tw, 7, (int64_t)m->total_comp);
    thrift_w_i64(tw, 9, (int64_t)m->data_off);
    if (m->has_dict)
        thrift_w_i64(tw, 11, (int64_t)m->dict_off);
    thrift_w_struct(tw, 12);                /* Statistics */
    if (legacy && m->has_minmax) {
        thrift_w_binary(tw, 1, m->max, m->max_len);
        thrift_w_binary(tw, 2, m->min, m->min_len);
    }
    thrift_w_i64(tw, 3, (int64_t)m->nulls);
    if (m->has_minmax) {
        thrift_w_binary(tw, 5, m->max, m->max_len);
        thrift_w_binary(tw, 6, m->min, m->min_len);
        thrift_w_bool(tw, 7, m->max_exact);
        thrift_w_bool(tw, 8, m->min_exact);
    }
    if (m->has_nans)
        thrift_w_i64(tw, 9, (int64_t)m->nans);
    thrift_w_end(tw);                       /* Statistics */
    thrift_w_end(tw);                       /* ColumnMetaData */
    thrift_w_end(tw);                       /* ColumnChunk */
}

static int write_footer(struct parquet_writer *w, struct sl_err *err)
{
    struct buf out;
    struct thrift_w tw;
    const struct rg_meta *rgs = (const struct rg_meta *)w->rgs.data;
    size_t ncols = w->schema->nfields, nkv = w->kv.len / (2 * sizeof(char *));
    char **kv = (char **)w->kv.data;
    uint64_t num_rows = 0;
    uint32_t len;
    int rc;

    buf_init(&out, 0);
    thrift_w_init(&tw, &out);
    thrift_w_i32(&tw, 1, 1);
    thrift_w_list(&tw, 2, THRIFT_STRUCT, ncols + 1 + w->ngroups);
    thrift_w_elem_struct(&tw);
    thrift_w_string(&tw, 4, "schema");
    thrift_w_i32(&tw, 5, (int32_t)top_level_columns(w));
    thrift_w_end(&tw);
    for (size_t i = 0; i < ncols; i++) {
        const struct col *c = &w->cols[i];
        if (c->group >= 0 && w->groups[c->group].first == i)
            group_element(&tw, &w->groups[c->group]);
        schema_element(&tw, c);
    }
    for (size_t g = 0; g < w->nrgs; g++)
        num_rows += rgs[g].num_rows;
    thrift_w_i64(&tw, 3, (int64_t)num_rows);
    thrift_w_list(&tw, 4, THRIFT_STRUCT, w->nrgs);
    for (size_t g = 0; g < w->nrgs; g++) {
        thrift_w_elem_struct(&tw);
        thrift_w_list(&tw, 1, THRIFT_STRUCT, ncols);
        for (size_t i = 0; i < ncols; i++)
            column_meta(&tw, w, &w->cols[i], &rgs[g].cols[i]);
        thrift_w_i64(&tw, 2, (int64_t)rgs[g].total_byte_size);
        thrift_w_i64(&tw, 3, (int64_t)rgs[g].num_rows);
        thrift_w_i64(&tw, 5, (int64_t)rgs[g].file_offset);
        thrift_w_i64(&tw, 6, (int64_t)rgs[g].total_comp);
        thrift_w_end(&tw);
    }
    if (nkv) {
        thrift_w_list(&tw, 5, THRIFT_STRUCT, nkv);
        for (size_t i = 0; i < nkv; i++) {
            thrift_w_elem_struct(&tw);
            thrift_w_string(&tw, 1, kv[2 * i]);
            thrift_w_string(&tw, 2, kv[2 * i + 1]);
            thrift_w_end(&tw);
        }
    }
    thrift_w_string(&tw, 6, w->created_by);
    thrift_w_list(&tw, 7, THRIFT_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++) {
        thrift_w_elem_struct(&tw);
        thrift_w_empty(&tw, 1);             /* TYPE_ORDER */
        thrift_w_end(&tw);
    }
    thrift_w_end(&tw);
    rc = tw.err;
    if (!rc && out.len > UINT32_MAX)
        rc = SL_ELIMIT;
    if (rc) {
        sl_err_set(err, rc, "cannot encode the footer of \"%s\"", w->path);
        goto out;
    }
    len = (uint32_t)out.len;
    if ((rc = buf_append_u32le(&out, len)) != 0 || (rc = buf_append(&out, "PAR1", 4)) != 0) {
        sl_err_set(err, rc, "cannot encode the footer of \"%s\"", w->path);
        goto out;
    }
    rc = write_all(w, out.data, out.len, err);
out:
    buf_free(&out);
    return rc;
}

/* ---- public API ---- */

void parquet_options_init(struct parquet_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->codec = PARQUET_ZSTD;
    opt->row_group_rows = 500000;
    opt->row_group_bytes = (size_t)128 << 20;
    opt->page_bytes = (size_t)1 << 20;
    opt->dictionary = true;
    opt->dictionary_max_bytes = (size_t)1 << 20;
}

static const struct {
    const char *name;
    enum parquet_codec codec;
} codec_names[] = {
    {"none", PARQUET_UNCOMPRESSED}, {"uncompressed", PARQUET_UNCOMPRESSED},
    {"snappy", PARQUET_SNAPPY},     {"gzip", PARQUET_GZIP},
    {"zstd", PARQUET_ZSTD},         {"lz4_raw", PARQUET_LZ4_RAW},
    {"lz4", PARQUET_LZ4_RAW},       {"brotli", PARQUET_BROTLI},
};

int parquet_codec_from_name(const char *name, enum parquet_codec *out)
{
    for (size_t i = 0; name && i < sizeof codec_names / sizeof codec_names[0]; i++) {
        if (strcasecmp(name, codec_names[i].name) == 0) {
            *out = codec_names[i].codec;
            return 0;
        }
    }
    return SL_EINVAL;
}

const char *parquet_codec_name(enum parquet_codec c)
{
    switch (c) {
    case PARQUET_UNCOMPRESSED:
        return "none";
    case PARQUET_SNAPPY:
        return "snappy";
    case PARQUET_GZIP:
        return "gzip";
    case PARQUET_BROTLI:
        return "brotli";
    case PARQUET_ZSTD:
        return "zstd";
    case PARQUET_LZ4_RAW:
        return "lz4_raw";
    }
    return "unknown";
}

static void col_free(struct col *c)
{
    buf_free(&c->defs);
    buf_free(&c->vals);
    buf_free(&c->idx);
    buf_free(&c->chunk);
    buf_free(&c->st.smin);
    buf_free(&c->st.smax);
    dict_free(&c->d);
}

static void writer_free(struct parquet_writer *w)
{
    struct rg_meta *rgs = (struct rg_meta *)w->rgs.data;
    char **kv = (char **)w->kv.data;
    if (w->cols)
        for (size_t i = 0; i < w->schema->nfields; i++)
            col_free(&w->cols[i]);
    for (size_t g = 0; g < w->nrgs; g++)
        sl_free(rgs[g].cols);
    for (size_t i = 0; i < w->kv.len / sizeof(char *); i++)
        sl_free(kv[i]);
    for (size_t g = 0; g < w->ngroups; g++) {
        sl_free(w->groups[g].name);
        buf_free(&w->groups[g].present);
    }
    sl_free(w->groups);
    buf_free(&w->rgs);
    buf_free(&w->kv);
    buf_free(&w->body);
    buf_free(&w->comp);
    buf_free(&w->hdr);
    codec_ctx_destroy(w->codec);
    sl_free(w->scratch);
    sl_free(w->cols);
    sl_free(w->created_by);
    sl_free(w->path);
    sl_free(w);
}

/* Map one field to its physical layout (spec §7.2); SL_EINVAL if impossible. */
static int col_setup(struct col *c, const struct batch_field *f)
{
    c->f = f;
    switch (f->type) {
    case BATCH_BOOL:
        c->ptype = PT_BOOLEAN, c->conv = CV_BOOL, c->width = 1;
        break;
    case BATCH_INT8:
        c->ptype = PT_INT32, c->conv = CV_I8, c->width = 4;
        break;
    case BATCH_INT16:
        c->ptype = PT_INT32, c->conv = CV_I16, c->width = 4;
        break;
    case BATCH_INT32:
    case BATCH_DATE:
        c->ptype = PT_INT32, c->conv = CV_I32, c->width = 4;
        break;
    case BATCH_INT64:
    case BATCH_TIMESTAMP:
        c->ptype = PT_INT64, c->conv = CV_I64, c->width = 8;
        break;
    case BATCH_FLOAT:
        c->ptype = PT_FLOAT, c->conv = CV_F32, c->width = 4;
        break;
    case BATCH_DOUBLE:
        c->ptype = PT_DOUBLE, c->conv = CV_F64, c->width = 8;
        break;
    case BATCH_DECIMAL:
        if (f->precision < 1 || f->precision > 38 || f->scale > f->precision)
            return SL_EINVAL;
        if (f->precision <= 9)
            c->ptype = PT_INT32, c->conv = CV_DEC32, c->width = 4;
        else if (f->precision <= 18)
            c->ptype = PT_INT64, c->conv = CV_DEC64, c->width = 8;
        else
            c->ptype = PT_FLBA, c->conv = CV_FLBA, c->width = c->type_length =
                                                       decimal_bytes(f->precision);
        break;
    case BATCH_STRING:
    case BATCH_JSON:
    case BATCH_BINARY:
        c->ptype = PT_BYTE_ARRAY, c->conv = CV_BYTES, c->width = 0;
        c->is_utf8 = f->type != BATCH_BINARY;
        break;
    default:
        return SL_EINVAL;
    }
    return 0;
}

/* Copy and check the struct columns; mark their children. */
static int setup_groups(struct parquet_writer *w, const struct parquet_group *gs, size_t n,
                        struct sl_err *err)
{
    size_t nf = w->schema->nfields;
    if (n == 0)
        return 0;
    w->groups = sl_calloc(n, sizeof *w->groups);
    if (!w->groups)
        return sl_err_set(err, SL_ENOMEM, "out of memory opening \"%s\"", w->path);
    for (size_t g = 0; g < n; g++) {
        struct wgroup *wg = &w->groups[g];
        buf_init(&wg->present, 0);
        w->ngroups = g + 1;
        if (!gs[g].name || !gs[g].name[0] || gs[g].count == 0 || gs[g].first >= nf ||
            gs[g].count > nf - gs[g].first)
            return sl_err_set(err, SL_EINVAL, "struct column \"%s\" of \"%s\" has no children "
                              "or children outside the schema",
                              gs[g].name ? gs[g].name : "?", w->path);
        if (!(wg->name = sl_strdup(gs[g].name)))
            return sl_err_set(err, SL_ENOMEM, "out of memory opening \"%s\"", w->path);
        wg->first = gs[g].first;
        wg->count = gs[g].count;
        for (size_t i = wg->first; i < wg->first + wg->count; i++) {
            struct col *c = &w->cols[i];
            if (c->group >= 0)
                return sl_err_set(err, SL_EINVAL, "column \"%s\" of \"%s\" is in two struct "
                                  "columns", c->f->name, w->path);
            c->group = (int)g;
            c->max_def += 1;
        }
    }
    return 0;
}

/* For each struct column, which rows of [r, r+n) have at least one child value. */
static int group_presence(struct parquet_writer *w, const struct batch *b, size_t r, size_t n)
{
    w->slice_r0 = r;
    for (size_t g = 0; g < w->ngroups; g++) {
        struct wgroup *wg = &w->groups[g];
        uint8_t *p;
        int rc;
        buf_reset(&wg->present);
        if ((rc = buf_reserve(&wg->present, n)) != 0)
            return rc;
        p = wg->present.data;
        memset(p, 0, n);
        for (size_t i = wg->first; i < wg->first + wg->count; i++) {
            const uint8_t *v = b->cols[i].valid;
            if (!v) {
                memset(p, 1, n); /* a REQUIRED child: the struct is always there */
                break;
            }
            for (size_t k = 0; k < n; k++)
                p[k] |= v[r + k];
        }
    }
    return 0;
}

static int writer_setup(struct parquet_writer *w, const struct parquet_options *opt,
                        struct sl_err *err)
{
    const char *cb;
    size_t n = w->schema->nfields;
    if (opt)
        w->opt = *opt;
    else
        parquet_options_init(&w->opt);
    if (!w->opt.row_group_rows)
        w->opt.row_group_rows = 500000;
    if (!w->opt.row_group_bytes)
        w->opt.row_group_bytes = (size_t)128 << 20;
    if (!w->opt.page_bytes)
        w->opt.page_bytes = (size_t)1 << 20;
    if (!w->opt.dictionary_max_bytes)
        w->opt.dictionary_max_bytes = (size_t)1 << 20;
    cb = w->opt.created_by ? w->opt.created_by : "sluice version " SL_VERSION " (build " SL_BUILD ")";
    w->created_by = sl_strdup(cb);
    w->opt.created_by = NULL;
    w->opt.groups = NULL;
    w->cols = sl_calloc(n, sizeof *w->cols);
    w->scratch = sl_malloc(SUB_ROWS * 16);
    w->codec = codec_ctx_new((int)w->opt.codec, w->opt.level);
    if (!w->created_by || !w->cols || !w->scratch)
        return sl_err_set(err, SL_ENOMEM, "out of memory opening \"%s\"", w->path);
    if (!w->codec)
        return sl_err_set(err, strcmp(parquet_codec_name(w->opt.codec), "unknown") ? SL_ENOMEM
                                                                                  : SL_EINVAL,
                          "cannot set up codec %d for \"%s\"", (int)w->opt.codec, w->path);
    for (size_t i = 0; i < n; i++) {
        const struct batch_field *f = &w->schema->fields[i];
        if (!f->name || col_setup(&w->cols[i], f) != 0)
            return sl_err_set(err, SL_EINVAL, "column \"%s\" cannot be written to Parquet",
                              f->name ? f->name : "?");
        w->cols[i].max_def = f->nullable ? 1 : 0;
        w->cols[i].group = -1;
        buf_init(&w->cols[i].defs, 0);
        buf_init(&w->cols[i].vals, 0);
        buf_init(&w->cols[i].idx, 0);
        buf_init(&w->cols[i].chunk, 0);
        buf_init(&w->cols[i].st.smin, 0);
        buf_init(&w->cols[i].st.smax, 0);
        buf_init(&w->cols[i].d.page, 0);
        col_reset_chunk(w, &w->cols[i]);
    }
    return opt ? setup_groups(w, opt->groups, opt->ngroups, err) : 0;
}

int parquet_writer_open(const char *path, const struct batch_schema *schema,
                        const struct parquet_options *opt, struct parquet_writer **out,
                        struct sl_err *err)
{
    struct parquet_writer *w;
    int rc;

    *out = NULL;
    if (!path || !schema || schema->nfields == 0)
        return sl_err_set(err, SL_EINVAL, "cannot write \"%s\": empty schema", path ? path : "?");
    w = sl_calloc(1, sizeof *w);
    if (!w)
        return sl_err_set(err, SL_ENOMEM, "out of memory opening \"%s\"", path);
    w->fd = -1;
    w->schema = schema;
    buf_init(&w->body, 0);
    buf_init(&w->comp, 0);
    buf_init(&w->hdr, 0);
    buf_init(&w->rgs, 0);
    buf_init(&w->kv, 0);
    w->path = sl_strdup(path);
    if (!w->path) {
        rc = sl_err_set(err, SL_ENOMEM, "out of memory opening \"%s\"", path);
        goto fail;
    }
    if ((rc = writer_setup(w, opt, err)) != 0)
        goto fail;
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        rc = sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot create \"%s\"", path);
        goto fail;
    }
    if ((rc = write_all(w, "PAR1", 4, err)) != 0)
        goto fail;
    *out = w;
    return 0;
fail:
    if (w->fd >= 0) {
        close(w->fd);
        unlink(path);
    }
    writer_free(w);
    return rc;
}

static char *find_kv(struct parquet_writer *w, const char *key, size_t *at)
{
    char **kv = (char **)w->kv.data;
    for (size_t i = 0; i + 1 < w->kv.len / sizeof(char *); i += 2) {
        if (strcmp(kv[i], key) == 0) {
            *at = i;
            return kv[i];
        }
    }
    return NULL;
}

int parquet_writer_add_kv(struct parquet_writer *w, const char *key, const char *value)
{
    char *k, *v;
    size_t at;
    if (!key || !value)
        return SL_EINVAL;
    v = sl_strdup(value);
    if (!v)
        return SL_ENOMEM;
    if (find_kv(w, key, &at)) {
        char **kv = (char **)w->kv.data;
        sl_free(kv[at + 1]);
        kv[at + 1] = v;
        return 0;
    }
    k = sl_strdup(key);
    if (!k || buf_reserve(&w->kv, 2 * sizeof(char *)) != 0) {
        sl_free(k);
        sl_free(v);
        return SL_ENOMEM;
    }
    buf_append(&w->kv, &k, sizeof k);
    buf_append(&w->kv, &v, sizeof v);
    return 0;
}

static int check_batch(const struct parquet_writer *w, const struct batch *b, struct sl_err *err)
{
    if (b->schema == w->schema)
        return 0;
    if (b->schema->nfields != w->schema->nfields)
        return sl_err_set(err, SL_EINVAL, "batch has %zu columns, \"%s\" has %zu",
                          b->schema->nfields, w->path, w->schema->nfields);
    for (size_t i = 0; i < b->schema->nfields; i++) {
        const struct batch_field *a = &b->schema->fields[i], *f = &w->schema->fields[i];
        if (a->type != f->type || a->nullable != f->nullable || a->precision != f->precision)
            return sl_err_set(err, SL_EINVAL, "batch column %zu does not match column \"%s\"",
                              i, f->name);
    }
    return 0;
}

int parquet_writer_write(struct parquet_writer *w, const struct batch *b, struct sl_err *err)
{
    size_t r = 0;
    int rc;

    if (w->failed)
        return sl_err_set(err, SL_ESTATE, "writer for \"%s\" failed earlier", w->path);
    if ((rc = check_batch(w, b, err)) != 0)
        return rc;
    while (r < b->nrows) {
        size_t n = b->nrows - r, room = w->opt.row_group_rows - w->rg_rows;
        if (n > room)
            n = room;
        if (n > 65536)
            n = 65536; /* check the row group's byte budget at least this often */
        if (w->ngroups && (rc = group_presence(w, b, r, n)) != 0) {
            rc = sl_err_set(err, rc, "out of memory writing \"%s\"", w->path);
            goto fail;
        }
        for (size_t i = 0; i < w->schema->nfields; i++) {
            if ((rc = encode_slice(w, &w->cols[i], b, i, r, r + n, err)) != 0)
                goto fail;
        }
        w->rg_rows += n;
        w->rows += n;
        r += n;
        if ((w->rg_rows >= w->opt.row_group_rows || rg_buffered(w) >= w->opt.row_group_bytes) &&
            (rc = flush_row_group(w, err)) != 0)
            goto fail;
    }
    return 0;
fail:
    w->failed = rc;
    return rc;
}

uint64_t parquet_writer_rows(const struct parquet_writer *w)
{
    return w->rows;
}

uint64_t parquet_writer_bytes(const struct parquet_writer *w)
{
    return w->offset;
}

/* fsync through the test hook, retried on EINTR; -1 with errno on failure. */
static int writer_fsync(struct parquet_writer *w)
{
    int r;
    do {
        r = w->opt.io && w->opt.io->fsync ? w->opt.io->fsync(w->opt.io->arg, w->fd) : fsync(w->fd);
    } while (r < 0 && errno == EINTR);
    return r;
}

int parquet_writer_close(struct parquet_writer *w, uint64_t *size, struct sl_err *err)
{
    int rc = w->failed;
    if (rc)
        sl_err_set(err, SL_ESTATE, "writer for \"%s\" failed earlier", w->path);
    if (!rc)
        rc = flush_row_group(w, err);
    if (!rc)
        rc = write_footer(w, err);
    if (!rc && writer_fsync(w) != 0)
        rc = sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot fsync \"%s\"", w->path);
    if (close(w->fd) != 0 && !rc)
        rc = sl_err_errno(err, sl_err_from_errno(errno), errno, "cannot close \"%s\"", w->path);
    w->fd = -1;
    if (rc)
        unlink(w->path);
    else if (size)
        *size = w->offset;
    writer_free(w);
    return rc;
}

void parquet_writer_abort(struct parquet_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    unlink(w->path);
    writer_free(w);
}
