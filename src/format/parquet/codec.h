/*
 * codec: the one adapter for the compression libraries (zstd, snappy,
 * zlib, lz4, brotli); no other file includes their headers (STYLE 14).
 *
 * Codec ids are parquet.thrift CompressionCodec values. Compression keeps
 * a reusable context per column writer (zstd CCtx, zlib stream), so a page
 * costs no allocation beyond output growth. Formats on disk (spec §5):
 * snappy raw block, gzip member (windowBits 31), zstd frame, LZ4 block
 * (LZ4_RAW), raw brotli stream.
 */
#ifndef SL_PARQUET_CODEC_H
#define SL_PARQUET_CODEC_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct codec_ctx;

/* New compression context for codec at level (0 = default). NULL on ENOMEM
 * or for an unknown codec. */
struct codec_ctx *codec_ctx_new(int codec, int level);
void codec_ctx_destroy(struct codec_ctx *c);

/* Append the compressed form of src[0..n) to out. 0 or SL_E*. */
int codec_compress(struct codec_ctx *c, const uint8_t *src, size_t n, struct buf *out);

/*
 * Decompress src[0..n) into exactly dst_len bytes at dst. Returns 0, or
 * SL_ECORRUPT when the data is malformed or its size differs from dst_len,
 * SL_EUNSUPPORTED for codecs not handled (LZO, Hadoop LZ4).
 */
int codec_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len);

#endif
