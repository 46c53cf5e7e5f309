/*
 * codec: compression adapter. See codec.h.
 */
#include "codec.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <limits.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

enum { C_NONE = 0, C_SNAPPY = 1, C_GZIP = 2, C_BROTLI = 4, C_ZSTD = 6, C_LZ4_RAW = 7 };

struct codec_ctx {
    int codec;
    int level;
    ZSTD_CCtx *zstd;
    z_stream z;
    int z_ready;
};

/* zlib allocates through our wrapper so failure injection reaches it. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return sl_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    sl_free(p);
}

struct codec_ctx *codec_ctx_new(int codec, int level)
{
    struct codec_ctx *c;
    if (codec != C_NONE && codec != C_SNAPPY && codec != C_GZIP && codec != C_BROTLI &&
        codec != C_ZSTD && codec != C_LZ4_RAW)
        return NULL;
    c = sl_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->codec = codec;
    c->level = level;
    if (codec == C_ZSTD) {
        /* zstd's custom allocator is experimental API, so its context
         * memory bypasses sl_malloc; failure injection cannot reach it. */
        c->zstd = ZSTD_createCCtx();
        if (!c->zstd)
            goto fail;
        if (ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel,
                                                 level ? level : 3)))
            goto fail;
    } else if (codec == C_GZIP) {
        c->z.zalloc = z_alloc;
        c->z.zfree = z_free;
        if (deflateInit2(&c->z, level ? level : 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            goto fail;
        c->z_ready = 1;
    }
    return c;
fail:
    codec_ctx_destroy(c);
    return NULL;
}

void codec_ctx_destroy(struct codec_ctx *c)
{
    if (!c)
        return;
    ZSTD_freeCCtx(c->zstd);
    if (c->z_ready)
        deflateEnd(&c->z);
    sl_free(c);
}

static int gzip_compress(struct codec_ctx *c, const uint8_t *src, size_t n, struct buf *out)
{
    size_t bound;
    int rc, zrc;
    /* Reset first: deflateBound on a finished stream omits the gzip header. */
    if (deflateReset(&c->z) != Z_OK)
        return SL_EIO;
    bound = deflateBound(&c->z, (uLong)n);
    if (n > UINT_MAX || bound > UINT_MAX)
        return SL_ELIMIT;
    if ((rc = buf_reserve(out, bound)) != 0)
        return rc;
    c->z.next_in = (Bytef *)(uintptr_t)src;
    c->z.avail_in = (uInt)n;
    c->z.next_out = out->data + out->len;
    c->z.avail_out = (uInt)bound;
    zrc = deflate(&c->z, Z_FINISH);
    if (zrc != Z_STREAM_END)
        return zrc == Z_MEM_ERROR ? SL_ENOMEM : SL_EIO;
    out->len += bound - c->z.avail_out;
    return 0;
}

int codec_compress(struct codec_ctx *c, const uint8_t *src, size_t n, struct buf *out)
{
    size_t bound, got;
    int rc;
    switch (c->codec) {
    case C_NONE:
        return buf_append(out, src, n);
    case C_SNAPPY:
        bound = snappy_max_compressed_length(n);
        if ((rc = buf_reserve(out, bound)) != 0)
            return rc;
        got = bound;
        if (snappy_compress((const char *)src, n, (char *)out->data + out->len, &got) != SNAPPY_OK)
            return SL_EIO;
        out->len += got;
        return 0;
    case C_GZIP:
        return gzip_compress(c, src, n, out);
    case C_ZSTD:
        bound = ZSTD_compressBound(n);
        if ((rc = buf_reserve(out, bound)) != 0)
            return rc;
        got = ZSTD_compress2(c->zstd, out->data + out->len, bound, src, n);
        if (ZSTD_isError(got))
            return SL_EIO;
        out->len += got;
        return 0;
    case C_LZ4_RAW: {
        int b, r;
        if (n > (size_t)LZ4_MAX_INPUT_SIZE)
            return SL_ELIMIT;
        b = LZ4_compressBound((int)n);
        if ((rc = buf_reserve(out, (size_t)b)) != 0)
            return rc;
        r = LZ4_compress_default((const char *)src, (char *)out->data + out->len, (int)n, b);
        if (r <= 0 && n > 0)
            return SL_EIO;
        out->len += (size_t)r;
        return 0;
    }
    case C_BROTLI:
        bound = BrotliEncoderMaxCompressedSize(n);
        if (bound == 0)
            bound = n + 1024;
        if ((rc = buf_reserve(out, bound)) != 0)
            return rc;
        got = bound;
        if (!BrotliEncoderCompress(c->level ? c->level : 5, BROTLI_DEFAULT_WINDOW,
                                   BROTLI_MODE_GENERIC, n, src, &got, out->data + out->len))
            return SL_EIO;
        out->len += got;
        return 0;
    }
    return SL_EINVAL;
}

static int gunzip(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    z_stream z = {0};
    int zrc, rc = SL_ECORRUPT;
    if (n > UINT_MAX || dst_len > UINT_MAX)
        return SL_ECORRUPT;
    z.zalloc = z_alloc;
    z.zfree = z_free;
    /* 47 = 15 + 32: accept gzip and zlib headers alike. */
    if ((zrc = inflateInit2(&z, 47)) != Z_OK)
        return zrc == Z_MEM_ERROR ? SL_ENOMEM : SL_ECORRUPT;
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)dst_len;
    zrc = inflate(&z, Z_FINISH);
    if (zrc == Z_STREAM_END && z.avail_out == 0)
        rc = 0;
    else if (zrc == Z_MEM_ERROR)
        rc = SL_ENOMEM;
    inflateEnd(&z);
    return rc;
}

int codec_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    size_t got;
    switch (codec) {
    case C_NONE:
        return SL_EINVAL; /* callers use the page bytes directly */
    case C_SNAPPY:
        if (snappy_uncompressed_length((const char *)src, n, &got) != SNAPPY_OK || got != dst_len)
            return SL_ECORRUPT;
        if (snappy_uncompress((const char *)src, n, (char *)dst, &got) != SNAPPY_OK ||
            got != dst_len)
            return SL_ECORRUPT;
        return 0;
    case C_GZIP:
        return gunzip(src, n, dst, dst_len);
    case C_ZSTD:
        got = ZSTD_decompress(dst, dst_len, src, n);
        if (ZSTD_isError(got))
            return SL_ECORRUPT;
        return got == dst_len ? 0 : SL_ECORRUPT;
    case C_LZ4_RAW: {
        int r;
        if (n > INT_MAX || dst_len > INT_MAX)
            return SL_ECORRUPT;
        r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dst_len);
        return r >= 0 && (size_t)r == dst_len ? 0 : SL_ECORRUPT;
    }
    case C_BROTLI:
        got = dst_len;
        if (BrotliDecoderDecompress(n, src, &got, dst) != BROTLI_DECODER_RESULT_SUCCESS ||
            got != dst_len)
            return SL_ECORRUPT;
        return 0;
    default:
        return SL_EUNSUPPORTED;
    }
}
