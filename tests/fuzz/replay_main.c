/*
 * replay_main: runs fuzz inputs through LLVMFuzzerTestOneInput without
 * libFuzzer, so saved crash inputs and the seed corpus are replayed by
 * ordinary builds (and under -DSL_ASAN=ON in CI).
 *
 * Usage: fuzz_parquet_replay FILE|DIR...   (directories: every regular file
 * in them, not recursive). Exits 0 when every input was processed; a bug
 * shows up as a crash or a sanitizer report.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
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
out:
    free(buf);
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    int bad = 0;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file %s\n", argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= replay_file(argv[i]);
            n++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad |= replay_file(path);
                n++;
            }
        }
        if (d)
            closedir(d);
    }
    printf("replayed %zu inputs\n", n);
    return bad;
}
