/* io.h - whole-file reading and atomic whole-file writing for the generators. */
#ifndef OG_TOOLS_COMMON_IO_H
#define OG_TOOLS_COMMON_IO_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends the bytes of the file at path to out; out->data is non-NULL and NUL-terminated after a
 * success (an empty file gives ""). 0, OG_EIO (cannot open or read) or OG_ENOMEM, err filled. */
int og_tool_read_file(const char *path, struct og_buf *out, struct og_error *err);

/* true when the file at path can be opened for reading. */
bool og_tool_file_readable(const char *path);

/* Writes data[0..len) to path through "path.tmp" and a rename, so readers never see a half-written
 * file; the temporary file is removed on failure. 0 or OG_EIO, err filled. */
int og_tool_write_file(const char *path, const void *data, size_t len, struct og_error *err);

#endif
