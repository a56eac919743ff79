/* infile.h - a connector's input file: opened once, read in blocks, errors naming the file. */
#ifndef OG_INFILE_H
#define OG_INFILE_H

#include "core/buf.h"
#include "core/error.h"

#include <stddef.h>
#include <stdio.h>

struct og_infile {
    FILE *fp;
    char *path;     /* owned copy, handed out as pos->input */
    long long size; /* bytes in the file, 0 when unknown (not a regular file) */
};

/* Opens path for reading into *f (new; og_infile_close). OG_EIO naming the file (position = path)
 * or OG_ENOMEM. */
int og_infile_open(struct og_infile *f, const char *path, struct og_error *err);
/* Reads up to n bytes into buf; *got is how many (0 at the end of the file). 0, or OG_EIO naming
 * the file, with position "path:line" (line = where the reader stands, for the message). */
int og_infile_read(struct og_infile *f, void *buf, size_t n, size_t *got, long long line,
                   struct og_error *err);
/* Reads the rest of the file into out (NUL-terminated). 0, OG_EIO or OG_ENOMEM. */
int og_infile_read_all(struct og_infile *f, struct og_buf *out, struct og_error *err);
/* Closes and frees; f may be zeroed or already closed. */
void og_infile_close(struct og_infile *f);

#endif
