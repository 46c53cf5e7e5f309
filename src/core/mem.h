/*
 * mem: the one allocation wrapper. Every heap allocation in sluice and
 * tdslite goes through sl_malloc/sl_calloc/sl_realloc/sl_free/sl_strdup so a
 * test build can make the Nth allocation fail (curl's torture mode) and prove
 * each failure path leaves a clean state.
 *
 * The failure counter is the one process-wide mutable in core: it exists only
 * for tests, is atomic, and is inert (0) unless a test arms it.
 */
#ifndef SL_CORE_MEM_H
#define SL_CORE_MEM_H

#include <stddef.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t count, size_t size);
void *sl_realloc(void *p, size_t n);
void sl_free(void *p);
char *sl_strdup(const char *s);
char *sl_strndup(const char *s, size_t n);

/*
 * Test hook: make the nth allocation from now fail (1 = the next one); 0
 * disarms. Returns how many allocations happened since the last arm call.
 */
unsigned long sl_mem_fail_after(unsigned long nth);

#endif
