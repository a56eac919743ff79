/* log.h - leveled logging to stderr: key=value text on a terminal, JSON lines for schedulers. */
#ifndef OG_LOG_H
#define OG_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

enum og_log_level { OG_LOG_ERROR = 0, OG_LOG_WARN, OG_LOG_INFO, OG_LOG_DEBUG, OG_LOG_TRACE };

/* Created by main and passed down (borrowed) to whoever logs; no global logger. */
struct og_log {
    enum og_log_level level;
    bool json;          /* --log-format=json */
    FILE *out;          /* stderr */
    unsigned repeats;   /* rate limiting of identical consecutive messages */
    pthread_mutex_t mu; /* the loader thread logs too */
    char last[160];
};

/* Initialises log (its mutex too); og_log_fini releases the mutex. */
void og_log_init(struct og_log *log, enum og_log_level level, bool json, FILE *out);
void og_log_fini(struct og_log *log);
/* Parses "error", "warn", "info", "debug", "trace". 0 or -1. */
int og_log_level_parse(const char *s, enum og_log_level *out);
void og_log_write(struct og_log *log, enum og_log_level level, const char *component,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline bool og_log_enabled(const struct og_log *log, enum og_log_level level)
{
    return log && level <= log->level;
}

#define OG_LOG(log, lvl, comp, ...)                                                                \
    do {                                                                                           \
        if (og_log_enabled((log), (lvl)))                                                          \
            og_log_write((log), (lvl), (comp), __VA_ARGS__);                                       \
    } while (0)
#define og_error_log(log, comp, ...) OG_LOG((log), OG_LOG_ERROR, (comp), __VA_ARGS__)
#define og_warn(log, comp, ...) OG_LOG((log), OG_LOG_WARN, (comp), __VA_ARGS__)
#define og_info(log, comp, ...) OG_LOG((log), OG_LOG_INFO, (comp), __VA_ARGS__)
#define og_debug(log, comp, ...) OG_LOG((log), OG_LOG_DEBUG, (comp), __VA_ARGS__)

#endif
