/*
 * civil: proleptic Gregorian calendar arithmetic on day counts since
 * 1970-01-01 (the batch and Parquet DATE epoch), exact for any year the
 * int64 range holds (Howard Hinnant's era-of-400-years algorithms).
 * The one place sluice, its tests and tdslite turn dates into day numbers.
 */
#ifndef SL_CORE_CIVIL_H
#define SL_CORE_CIVIL_H

#include <stdint.h>

/* Days from 0001-01-01 to 1970-01-01: shifts to SQL Server's date epoch. */
#define CIVIL_DAYS_0001_TO_1970 719162

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; not validated). */
int64_t civil_days_from(int64_t y, unsigned m, unsigned d);

/* y-m-d of a day count since 1970-01-01. */
void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
