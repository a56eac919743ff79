/* fuzz_input.h - the fuzz targets' shared helper: fuzz bytes as a file a connector can open. */
#ifndef OG_FUZZ_INPUT_H
#define OG_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data into a new memfd and its /proc path into path; returns the fd (close it), or -1. */
static inline int fuzz_memfd(const char *name, const uint8_t *data, size_t size, char path[64])
{
    int fd = memfd_create(name, 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
