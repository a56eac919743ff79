/* log.c - leveled logging: text or JSON lines, rate-limited repeats. */
#include "core/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *level_names[] = {"error", "warn", "info", "debug", "trace"};

void og_log_init(struct og_log *log, enum og_log_level level, bool json, FILE *out)
{
    memset(log, 0, sizeof(*log));
    log->level = level;
    log->json = json;
    log->out = out ? out : stderr;
    pthread_mutex_init(&log->mu, NULL);
}

void og_log_fini(struct og_log *log)
{
    pthread_mutex_destroy(&log->mu);
}

int og_log_level_parse(const char *s, enum og_log_level *out)
{
    for (int i = 0; i <= OG_LOG_TRACE; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum og_log_level)i;
            return 0;
        }
    }
    return -1;
}

void og_log_write(struct og_log *log, enum og_log_level level, const char *component,
                  const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&log->mu);
    if (strncmp(log->last, msg, sizeof(log->last) - 1) == 0) {
        if (++log->repeats > 5) {
            if (log->repeats == 6)
                fprintf(log->out, "[%s] (repeated messages suppressed)\n", component);
            pthread_mutex_unlock(&log->mu);
            return;
        }
    }
    else {
        log->repeats = 0;
        size_t n = strlen(msg);
        if (n >= sizeof(log->last))
            n = sizeof(log->last) - 1;
        memcpy(log->last, msg, n);
        log->last[n] = '\0';
    }

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (log->json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level_names[level],
                              "component", component, "msg", msg);
        if (o) {
            char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
            if (s) {
                fprintf(log->out, "%s\n", s);
                free(s);
            }
            json_decref(o);
        }
    }
    else {
        fprintf(log->out, "%s %-5s [%s] %s\n", ts, level_names[level], component, msg);
    }
    fflush(log->out);
    pthread_mutex_unlock(&log->mu);
}
