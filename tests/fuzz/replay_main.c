/*
 * replay_main: runs fuzz inputs through LLVMFuzzerTestOneInput without
 * libFuzzer, so saved crash inputs and the seed corpus are replayed by
 * ordinary builds (and under -DSL_ASAN=ON in CI).
 *
 * Usage: fuzz_parquet_replay [--mutate N] FILE|DIR...   (directories: every
 * regular file in them, not recursive). With --mutate N each input is also
 * replayed N times in deterministically damaged forms (truncations, byte
 * flips biased toward the footer, overwritten footer length): a cheap
 * stand-in for fuzzing in builds without libFuzzer. Exits 0 when every
 * input was processed; a bug shows up as a crash or a sanitizer report.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Replay damaged copies of buf: mutation i is a pure function of i. */
static void replay_mutations(const uint8_t *buf, size_t len, unsigned long mutations)
{
    uint8_t *m = malloc(len ? len : 1);
    if (!m || len == 0) {
        free(m);
        return;
    }
    for (unsigned long i = 0; i < mutations; i++) {
        uint64_t x = mix64(i * 0x1000193u + len);
        size_t n = len;
        memcpy(m, buf, len);
        switch (i % 4) {
        case 0: /* truncate */
            n = (size_t)(x % len);
            break;
        case 1: /* flip a few bytes anywhere */
            for (int k = 0; k < 4; k++) {
                x = mix64(x);
                m[x % len] ^= (uint8_t)(1u << (x >> 60 & 7));
            }
            break;
        case 2: /* flip bytes in the last 512 bytes (footer) */
            for (int k = 0; k < 3; k++) {
                x = mix64(x);
                size_t span = len < 512 ? len : 512;
                m[len - 1 - (size_t)(x % span)] = (uint8_t)(x >> 32);
            }
            break;
        default: /* bogus footer length */
            if (len >= 8) {
                uint32_t fl = (uint32_t)(x >> 32) % (uint32_t)(len * 2 + 1);
                memcpy(m + len - 8, &fl, 4);
            }
            break;
        }
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact)
            break;
        memcpy(exact, m, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    free(m);
}

static int replay_file(const char *path, unsigned long mutations)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                rc = 1;
                goto out;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: read error on %s\n", path);
        rc = 1;
        goto out;
    }
    /* an exact-size copy so ASan sees reads one past the end */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        rc = 1;
        goto out;
    }
    memcpy(exact, buf, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    replay_mutations(buf, len, mutations);
out:
    free(buf);
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    int bad = 0;
    size_t n = 0;
    unsigned long mutations = 0;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--mutate") == 0) {
        mutations = strtoul(argv[2], NULL, 10);
        first = 3;
    }
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file %s\n", argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= replay_file(argv[i], mutations);
            n++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad |= replay_file(path, mutations);
                n++;
            }
        }
        if (d)
            closedir(d);
    }
    printf("replayed %zu inputs (%lu mutations each)\n", n, mutations);
    return bad;
}
