/* infile.c - opening and reading a connector's input file. */
#include "connectors/infile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int og_infile_open(struct og_infile *f, const char *path, struct og_error *err)
{
    memset(f, 0, sizeof(*f));
    f->path = strdup(path);
    if (!f->path)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    f->fp = fopen(path, "rb");
    if (!f->fp) {
        og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\": %s", path,
                     strerror(errno));
        og_error_position(err, "%s", path);
        og_infile_close(f);
        return OG_EIO;
    }
    struct stat sb;
    if (fstat(fileno(f->fp), &sb) == 0 && S_ISREG(sb.st_mode))
        f->size = (long long)sb.st_size;
    return 0;
}

int og_infile_read(struct og_infile *f, void *buf, size_t n, size_t *got, long long line,
                   struct og_error *err)
{
    *got = fread(buf, 1, n, f->fp);
    if (*got < n && ferror(f->fp)) {
        og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not read \"%s\": %s", f->path,
                     strerror(errno));
        og_error_position(err, "%s:%lld", f->path, line);
        return OG_EIO;
    }
    return 0;
}

int og_infile_read_all(struct og_infile *f, struct og_buf *out, struct og_error *err)
{
    enum { BLOCK = 1 << 20 };
    for (;;) {
        if (og_buf_reserve(out, BLOCK) < 0)
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                "out of memory reading \"%s\"", f->path);
        size_t n;
        int rc = og_infile_read(f, out->data + out->len, BLOCK, &n, 1, err);
        out->len += n;
        out->data[out->len] = '\0';
        if (rc < 0) {
            og_error_position(err, "%s", f->path);
            return rc;
        }
        if (n < BLOCK)
            return 0;
    }
}

void og_infile_close(struct og_infile *f)
{
    if (f->fp)
        (void)fclose(f->fp);
    free(f->path);
    memset(f, 0, sizeof(*f));
}
