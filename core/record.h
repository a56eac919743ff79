/* record.h - a raw record as a source hands it on: a JSON value and where it came from. */
#ifndef OG_RECORD_H
#define OG_RECORD_H

#include <jansson.h>

/* Where a record came from. Strings are borrowed from the reader (valid until it is closed). */
struct og_pos {
    const char *source;  /* configured source name ("um_cases") */
    const char *input;   /* file path, topic name, or table */
    long long line;      /* 1-based line where the record starts (0 = not line based) */
    long long offset;    /* byte offset where the record starts, or Kafka offset */
    long long index;     /* 0-based record number within the input */
    int partition;       /* Kafka partition, -1 otherwise */
    const char *version; /* the input's version: a file's content hash; NULL or "" otherwise */
};

/* "file:line" (or "file@offset") into buf; returns buf. */
const char *og_pos_format(const struct og_pos *pos, char *buf, size_t size);

#endif
