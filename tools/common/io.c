/* io.c - reading a file into a buffer, and writing one atomically (temporary file + rename). */
#include "tools/common/io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int og_tool_read_file(const char *path, struct og_buf *out, struct og_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\": %s", path,
                            strerror(errno));
    }
    char chunk[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (og_buf_append(out, chunk, n) < 0) {
            rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not read \"%s\"", path);
    }
    fclose(f);
    if (rc == 0 && out->data == NULL && og_buf_puts(out, "") < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    return rc;
}

bool og_tool_file_readable(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return false;
    }
    fclose(f);
    return true;
}

int og_tool_write_file(const char *path, const void *data, size_t len, struct og_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not create \"%s\": %s",
                            tmp, strerror(errno));
    }
    bool ok = fwrite(data ? data : "", 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        (void)remove(tmp);
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not write \"%s\": %s",
                            path, strerror(e));
    }
    return 0;
}
