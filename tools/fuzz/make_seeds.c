/* make_seeds — writes valid inputs for the fuzz targets into DIR/<target>/,
 * made by this project's own writers where it has them, so that the seeds
 * follow the formats as they are now:
 *   h5              a small result file (provenance, /config, a series)
 *   idx             an IDX file, plain and gzip (if lib/data exists)
 *   digits_csv      three lines of the digits CSV
 *   mnist_json      an object with two 784-value images
 *   response_table  a measured-response CSV with a header and a comment
 *   cli             (hand-written, in tools/fuzz/corpus/cli)
 * Usage: make_seeds DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aimc/h5.h"
#ifdef AIMC_FUZZ_HAVE_DATA
#include "aimc/data.h"
#endif

static void fail(const char *what, const aimc_err *err)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, err != NULL ? err->msg : "");
    exit(1);
}

static FILE *open_seed(const char *dir, const char *target, const char *name, char *path,
                       size_t len)
{
    snprintf(path, len, "%s/%s", dir, target);
    mkdir(path, 0777);
    snprintf(path, len, "%s/%s/%s", dir, target, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fail(path, NULL);
    return f;
}

/* fuzz_h5 reads a selector byte, then the file: one seed per selector. */
static void h5_seed(const char *dir)
{
    char path[4096], name[32];
    aimc_err err = {0, ""};
    double loss[2 * 5] = {1, .5, .25, .125, .0625, 1, .6, .3, .2, .1}, step[5] = {0, 1, 2, 3, 4};
    snprintf(path, sizeof path, "%s/result.h5", dir);
    aimc_h5 *h = aimc_h5_create(path, 1, &err);
    if (h == NULL || aimc_h5_attr_string(h, "/", "program", "seed", &err)
        || aimc_h5_attr_double(h, "/config", "tau", 3.5, &err)
        || aimc_h5_attr_double(h, "/runs/x", "c_lin", 0.1, &err)
        || aimc_h5_write_series(h, "/runs/x", "loss", 2, 5, loss, step, &err)
        || aimc_h5_write_vector(h, "/checks/lhs", 5, step, &err) || aimc_h5_commit(h, &err))
        fail("h5 seed", &err);
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        fail(path, NULL);
    for (int which = 0; which < 5; which++) {
        snprintf(name, sizeof name, "result-%d.bin", which);
        FILE *out = open_seed(dir, "h5", name, path, sizeof path);
        int ch;
        fputc(which, out);
        rewind(in);
        while ((ch = fgetc(in)) != EOF)
            fputc(ch, out);
        fclose(out);
    }
    fclose(in);
    snprintf(path, sizeof path, "%s/result.h5", dir);
    remove(path);
}

static void text_seeds(const char *dir)
{
    char path[4096];
    FILE *f = open_seed(dir, "digits_csv", "digits.csv", path, sizeof path);
    for (int s = 0; s < 3; s++) {
        for (int k = 0; k < 64; k++)
            fprintf(f, "%d,", (k * 7 + s) % 17);
        fprintf(f, "%d\n", s);
    }
    fclose(f);
    f = open_seed(dir, "mnist_json", "digit.json", path, sizeof path);
    fprintf(f, "{\"data\": [");
    for (int k = 0; k < 2 * 784; k++)
        fprintf(f, "%s%.3f", k ? ", " : "", (k % 255) / 255.0);
    fprintf(f, "]}\n");
    fclose(f);
    f = open_seed(dir, "response_table", "table.csv", path, sizeof path);
    fprintf(f, "# a made-up device\nw, dw_plus, dw_minus\n");
    for (int k = 0; k <= 8; k++) {
        double w = -1 + k / 4.0;
        fprintf(f, "%.4f, %.5f, %.5f\n", w, 0.002 * (1 - 0.9 * w), 0.002 * (1 + 0.8 * w));
    }
    fclose(f);
}

#ifdef AIMC_FUZZ_HAVE_DATA
static void idx_seeds(const char *dir)
{
    char path[4096];
    unsigned char pix[3 * 4 * 4];
    aimc_idx idx = {3, {3, 4, 4, 0}, sizeof pix, pix};
    aimc_err err = {0, ""};
    for (size_t k = 0; k < sizeof pix; k++)
        pix[k] = (unsigned char)(k * 37);
    fclose(open_seed(dir, "idx", "plain.idx", path, sizeof path));
    if (aimc_idx_write(path, &idx, 0, &err))
        fail("idx seed", &err);
    fclose(open_seed(dir, "idx", "packed.idx.gz", path, sizeof path));
    if (aimc_idx_write(path, &idx, 1, &err))
        fail("idx seed", &err);
}
#endif

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    mkdir(argv[1], 0777);
    h5_seed(argv[1]);
    text_seeds(argv[1]);
#ifdef AIMC_FUZZ_HAVE_DATA
    idx_seeds(argv[1]);
#endif
    return 0;
}
