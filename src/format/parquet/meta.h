/*
 * meta: parquet.thrift enum values and field ids shared by the writer and
 * the reader (spec/parquet-delta.md §3). Constants only.
 */
#ifndef SL_PARQUET_META_H
#define SL_PARQUET_META_H

/* Type */
enum { PT_BOOLEAN = 0, PT_INT32 = 1, PT_INT64 = 2, PT_INT96 = 3, PT_FLOAT = 4, PT_DOUBLE = 5,
       PT_BYTE_ARRAY = 6, PT_FLBA = 7 };

/* ConvertedType */
enum { CT_UTF8 = 0, CT_DECIMAL = 5, CT_DATE = 6, CT_TIMESTAMP_MILLIS = 9,
       CT_TIMESTAMP_MICROS = 10, CT_UINT_8 = 11, CT_UINT_16 = 12, CT_UINT_32 = 13,
       CT_UINT_64 = 14, CT_INT_8 = 15, CT_INT_16 = 16, CT_INT_32 = 17, CT_INT_64 = 18,
       CT_JSON = 19, CT_BSON = 20 };

/* FieldRepetitionType */
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1, REP_REPEATED = 2 };

/* Encoding */
enum { ENC_PLAIN = 0, ENC_PLAIN_DICTIONARY = 2, ENC_RLE = 3, ENC_BIT_PACKED = 4,
       ENC_RLE_DICTIONARY = 8 };

/* PageType */
enum { PAGE_DATA = 0, PAGE_INDEX = 1, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3 };

/* LogicalType union members */
enum { LT_STRING = 1, LT_ENUM = 4, LT_DECIMAL = 5, LT_DATE = 6, LT_TIME = 7, LT_TIMESTAMP = 8,
       LT_INTEGER = 10, LT_JSON = 12, LT_BSON = 13, LT_UUID = 14 };

/* TimeUnit union members */
enum { TU_MILLIS = 1, TU_MICROS = 2, TU_NANOS = 3 };

#endif
