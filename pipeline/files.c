/* files.c - a source's files through a file connector, with the ledger deciding skip and resume. */
#include "pipeline/files.h"

#include "core/digest.h"
#include "pipeline/registry.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { STORED_BLOCK = 512 }; /* stored digests read at a time */

struct files {
    const struct og_connector *c;
    json_t *copts; /* new reference */
    const struct og_source_host *host;
    char *name;   /* the source's, for the log */
    char **paths; /* every matched file, resolved, in input order then name order */
    size_t npaths, next_path;
    bool load_prefix; /* partial_files: the records before a break load (else verify first) */
    /* the file being read */
    void *cstate;
    const char *path; /* borrowed from paths */
    char version[65];
    struct stat seen; /* the file as it was before it was hashed (zero: stat failed) */
    long long index;  /* records read from it */
    long long resume; /* records an earlier run committed */
    bool failed;      /* it was rejected as a whole: committed as done (and failed) next */
    char failed_state[96];
    /* records of a changed file loaded before from the same bytes are not converted again
     * (host->digests and host->seed given, and a connector that digests) */
    bool skipping;
    struct og_rdigest rd;
    struct og_skip skip;
    int stored_fd;     /* the file's stored digests by record index (a temporary file), or -1 */
    long long nstored; /* how many the warehouse holds */
    uint64_t digest;   /* of the record just read, 0: none */
    uint64_t stored[STORED_BLOCK]; /* stored digests of records stored_first.. */
    long long stored_first;
    size_t stored_n;
};

static void files_close(void *state)
{
    struct files *f = state;
    if (!f)
        return;
    if (f->cstate)
        f->c->close(f->cstate);
    for (size_t i = 0; i < f->npaths; i++)
        free(f->paths[i]);
    free(f->paths);
    if (f->stored_fd >= 0)
        close(f->stored_fd);
    json_decref(f->copts);
    free(f->name);
    free(f);
}

static int nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* Expands the inputs (globs) into f->paths; an input that matches nothing is counted. */
static int expand(struct files *f, const char *name, const json_t *inputs, struct og_error *err)
{
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        glob_t g;
        int gr = glob(json_string_value(in), 0, NULL, &g);
        if (gr == GLOB_NOMATCH) {
            if (f->host->counts)
                f->host->counts->unmatched_inputs++;
            og_warn(f->host->log, "run", "source=%s input \"%s\" matches no file", name,
                    json_string_value(in));
            continue;
        }
        if (gr != 0)
            return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not expand \"%s\"",
                                json_string_value(in));
        char **more = realloc(f->paths, (f->npaths + g.gl_pathc + 1) * sizeof(char *));
        if (!more) {
            globfree(&g);
            return nomem(err);
        }
        f->paths = more;
        for (size_t k = 0; k < g.gl_pathc; k++) {
            char *real = realpath(g.gl_pathv[k], NULL);
            if (!real && !(real = strdup(g.gl_pathv[k]))) {
                globfree(&g);
                return nomem(err);
            }
            f->paths[f->npaths++] = real;
        }
        globfree(&g);
    }
    return 0;
}

/* og_skip's question for the record at f->index with digest d: unchanged when an earlier run
 * committed it (before resume), or when the warehouse holds the same digest for this index. */
static bool record_unchanged(void *ctx, uint64_t d)
{
    struct files *f = ctx;
    f->digest = d;
    if (f->index < f->resume)
        return true;
    if (f->nstored == 0 || f->stored_fd < 0)
        return false;
    if (f->index < f->stored_first || f->index >= f->stored_first + (long long)f->stored_n) {
        ssize_t got = pread(f->stored_fd, f->stored, sizeof(f->stored), (off_t)f->index * 8);
        f->stored_first = f->index;
        f->stored_n = got > 0 ? (size_t)got / 8 : 0;
        if (f->stored_n == 0)
            return false;
    }
    return f->stored[f->index - f->stored_first] == d;
}

/* The digests the warehouse holds for the file about to be read, into a temporary file (memory
 * does not grow with the file). Without a temporary file the records are all converted (a
 * warning says so); a warehouse error is returned. */
static int load_stored(struct files *f, struct og_error *err)
{
    const struct og_source_host *h = f->host;
    f->nstored = 0;
    f->stored_n = 0;
    if (f->stored_fd < 0) {
        const char *dir = getenv("TMPDIR");
        char tmpl[4096];
        snprintf(tmpl, sizeof(tmpl), "%s/onegrid-digests-XXXXXX", dir && *dir ? dir : "/tmp");
        f->stored_fd = mkstemp(tmpl);
        if (f->stored_fd < 0) {
            og_warn(h->log, "run",
                    "source=%s file=%s: no temporary file for the digests of the records loaded "
                    "before (%s: %s): every record is converted again",
                    f->name, f->path, dir && *dir ? dir : "/tmp", strerror(errno));
            return 0;
        }
        unlink(tmpl);
    }
    int rc = ftruncate(f->stored_fd, 0) == 0
                 ? h->digests(h->ctx, f->path, f->stored_fd, &f->nstored, err)
                 : og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "%s", strerror(errno));
    if (rc == OG_EIO) { /* the temporary file failed (the disk is full, say), not the warehouse */
        og_warn(h->log, "run",
                "source=%s file=%s: the digests of the records loaded before could not be kept "
                "(%s): every record is converted again",
                f->name, f->path, err->message);
        og_error_clear(err);
        f->nstored = 0;
        return 0;
    }
    return rc;
}

static int files_open(const char *name, const json_t *options, const struct og_source_host *host,
                      bool follow, void **state, struct og_error *err)
{
    (void)follow; /* files are read to their end either way */
    *state = NULL;
    const char *cname = json_string_value(json_object_get(options, "connector"));
    const json_t *inputs = json_object_get(options, "inputs");
    struct files *f = calloc(1, sizeof(*f));
    if (!f)
        return nomem(err);
    f->host = host;
    f->stored_fd = -1;
    f->name = strdup(name);
    f->c = og_registry_connector(cname);
    f->copts = json_incref(json_object_get(options, "connector_options"));
    f->load_prefix = json_is_true(json_object_get(options, "load_prefix"));
    int rc = 0;
    if (!f->name)
        rc = nomem(err);
    else if (!f->c || !json_is_array(inputs))
        rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                          "the files of source %s need a file connector and inputs", name);
    if (rc == 0)
        rc = expand(f, name, inputs, err);
    if (rc == 0 && host->digests && host->seed && f->c->set_skip) {
        f->skipping = true;
        f->skip = (struct og_skip){
            .digest = &f->rd, .seed = host->seed, .unchanged = record_unchanged, .ctx = f};
    }
    if (rc < 0) {
        files_close(f);
        return rc;
    }
    *state = f;
    return 0;
}

/* An error that is the file's, not the run's: its content cannot be read as a whole (cut, broken,
 * in another encoding, a header that is not one) or the file cannot be read at all. Memory,
 * interruption and configuration errors stop the run. */
static bool whole_file_error(const struct og_error *e)
{
    if (e->code == OG_ENOMEM || e->code == OG_EINTR || e->code == OG_EDB)
        return false;
    if (e->code == OG_ECONFIG)
        return e->reason != OG_R_BAD_CONFIG && e->reason != OG_R_BAD_MAPPING;
    return e->code == OG_EPARSE || e->code == OG_EIO || e->klass == OG_CLASS_REJECT;
}

/* Whether a file's stored state says it was rejected as a whole, and why (into reason). */
static bool stored_failure(const char *state, char *reason, size_t size)
{
    json_t *j = state ? json_loads(state, 0, NULL) : NULL;
    const char *why = json_string_value(json_object_get(j, "failed"));
    snprintf(reason, size, "%s", why ? why : "");
    json_decref(j);
    return why != NULL;
}

/* Opens the next file that is not loaded yet. 1 when one is open, 0 when none is left, or an
 * error (the file's own when whole_file_error says so; broke->line and offset: where it broke). */
static int open_next(struct files *f, struct og_pos *broke, struct og_error *err)
{
    const struct og_source_host *h = f->host;
    while (f->next_path < f->npaths) {
        f->path = f->paths[f->next_path++];
        f->index = f->resume = 0;
        if (stat(f->path, &f->seen) != 0)
            memset(&f->seen, 0, sizeof(f->seen));
        int rc = og_file_sha256(f->path, f->version, err);
        if (rc < 0) {
            f->version[0] = '\0'; /* unreadable: no content to name it by */
            return rc;
        }
        if (h->lookup) {
            struct og_stored st;
            if ((rc = h->lookup(h->ctx, "file", f->path, f->version, &st, err)) < 0)
                return rc;
            char reason[64];
            bool failed = stored_failure(st.state, reason, sizeof(reason));
            free(st.state);
            if (st.found && st.done) {
                if (h->counts)
                    h->counts->files_skipped++;
                if (failed && h->counts)
                    h->counts->files_known_failed++;
                if (failed)
                    og_warn(h->log, "run",
                            "source=%s file=%s was rejected as a whole (%s) by an earlier run and "
                            "has not changed: not read again (a corrected file is)",
                            f->name, f->path, reason);
                else
                    og_info(h->log, "run",
                            "source=%s file=%s unchanged since it was loaded: skipped", f->name,
                            f->path);
                continue;
            }
            if (st.found && st.position > 0) {
                if (h->counts)
                    h->counts->files_resumed++;
                og_info(
                    h->log, "run",
                    "source=%s file=%s resumes after record %lld (an earlier run stopped there)",
                    f->name, f->path, st.position);
                f->resume = st.position;
            }
        }
        if (h->counts)
            h->counts->files++;
        f->index = 0;
        f->failed = false;
        if (f->skipping && (rc = load_stored(f, err)) < 0)
            return rc;
        if ((rc = f->c->open(f->path, f->copts, &f->cstate, err)) == 0 && f->c->verify &&
            !f->load_prefix && f->resume == 0)
            rc = f->c->verify(f->cstate, broke, err);
        if (rc == 0 && f->skipping)
            f->c->set_skip(f->cstate, &f->skip);
        if (rc < 0) {
            if (f->cstate)
                f->c->close(f->cstate);
            f->cstate = NULL;
            if (!whole_file_error(err))
                og_error_prefix(err, "source %s: ", f->name);
        }
        return rc < 0 ? rc : 1;
    }
    return 0;
}

/* A file rejected as a whole (why): one reject at the record after the last one read; the file is
 * committed as done and failed by the next call, so that it is not read again until it changes. */
static int reject_file(struct files *f, struct og_read *r, const struct og_error *why)
{
    const struct og_source_host *h = f->host;
    r->why = *why;
    r->why.klass = OG_CLASS_REJECT;
    if (!r->why.position[0])
        og_error_position(&r->why, "%s", f->path);
    r->why.code = OG_EREJECT;
    long long line = r->pos.line, offset = r->pos.offset; /* where the reader says it broke */
    memset(&r->pos, 0, sizeof(r->pos));
    r->pos.line = line;
    r->pos.offset = offset;
    r->pos.input = f->path;
    r->pos.version = f->version;
    r->pos.index = f->index;
    r->pos.partition = -1;
    r->kind = "file";
    r->key = f->path;
    r->version = f->version;
    r->next = f->index;
    f->failed = true;
    snprintf(f->failed_state, sizeof(f->failed_state), "{\"failed\": \"%s\", \"records\": %lld}",
             og_reason_name(why->reason), f->index);
    if (h->counts && h->counts->files_failed++ == 0)
        snprintf(h->counts->failed_file, sizeof(h->counts->failed_file), "%s", f->path);
    og_warn(h->log, "run", "source=%s file=%s rejected as a whole (%s): %s%s", f->name, f->path,
            og_reason_name(why->reason), why->message,
            f->index == 0    ? "; nothing of it is loaded"
            : f->load_prefix ? "; the records before the break load (partial_files load_prefix)"
                             : "");
    return OG_EREJECT;
}

/* Whether the file is still the one hashed when it was opened: same inode, size and modification
 * time. A file cut, rewritten or appended to while it was read is not the content its hash names.
 * Only regular files are judged (true for anything else, or when the first stat failed). */
static bool unchanged(const struct files *f)
{
    struct stat st;
    if (!S_ISREG(f->seen.st_mode))
        return true;
    return stat(f->path, &st) == 0 && st.st_ino == f->seen.st_ino &&
           st.st_size == f->seen.st_size && st.st_mtim.tv_sec == f->seen.st_mtim.tv_sec &&
           st.st_mtim.tv_nsec == f->seen.st_mtim.tv_nsec;
}

/* The file changed while it was read: a run error (retriable), so that the batch in hand is not
 * committed and the file is neither committed as done nor rejected as a whole under the hash of
 * content it no longer has; the next run resumes or rereads it by its hash then. */
static int changed_while_read(struct files *f, struct og_error *err)
{
    og_error_set(err, OG_EIO, OG_CLASS_RETRY, OG_R_IO,
                 "source %s: \"%s\" changed while it was read", f->name, f->path);
    og_error_detail(err, "its size or modification time is not what it was when its content hash "
                         "was taken; what was read after the last committed batch is not kept");
    og_error_hint(err,
                  "run again once the file is complete: the same content resumes after the last "
                  "committed record, other content is read again");
    return OG_EIO;
}

static int files_next(void *state, struct og_read *r, struct og_error *err)
{
    struct files *f = state;
    for (;;) {
        if (f->failed) { /* committed as done, with why it failed */
            f->failed = false;
            r->kind = "file";
            r->key = f->path;
            r->version = f->version;
            r->next = f->index;
            r->state = f->failed_state;
            return OG_READ_INPUT_DONE;
        }
        if (!f->cstate) {
            int rc = open_next(f, &r->pos, err);
            if (rc < 0 && whole_file_error(err))
                return reject_file(f, r, err);
            if (rc <= 0)
                return rc; /* OG_READ_END or an error */
        }
        f->digest = 0;
        int rc = f->c->next(f->cstate, &r->doc, &r->pos, &r->raw, &r->why);
        r->digest = f->digest;
        r->kind = "file";
        r->key = f->path;
        r->version = f->version;
        if (rc == 0) { /* the end of this file: committed as done */
            f->c->close(f->cstate);
            f->cstate = NULL;
            if (!unchanged(f))
                return changed_while_read(f, err);
            r->next = f->index;
            return OG_READ_INPUT_DONE;
        }
        if (rc < 0 && rc != OG_EREJECT) {
            f->c->close(f->cstate);
            f->cstate = NULL;
            if (whole_file_error(&r->why) && !unchanged(f)) { /* cut while read, not broken */
                json_decref(r->doc);
                r->doc = NULL;
                return changed_while_read(f, err);
            }
            if (whole_file_error(&r->why)) { /* r->pos and r->raw may say where it broke */
                struct og_error why = r->why;
                json_decref(r->doc);
                r->doc = NULL;
                return reject_file(f, r, &why);
            }
            *err = r->why;
            og_error_prefix(err, "source %s: ", f->name);
            return rc;
        }
        r->pos.input = f->path;
        r->pos.version = f->version;
        r->pos.index = f->index++;
        r->next = f->index;
        if (f->index > f->resume) /* records up to resume were committed by an earlier run */
            return rc == OG_EREJECT          ? OG_EREJECT
                   : rc == OG_CONN_UNCHANGED ? OG_READ_UNCHANGED
                                             : OG_READ_RECORD;
        og_read_release(r);
        og_error_clear(&r->why);
    }
}

static void files_progress(void *state, const char **label, long long *done, long long *total)
{
    struct files *f = state;
    *label = f->path ? f->path : "";
    *done = *total = 0;
    if (f->cstate && f->c->progress)
        f->c->progress(f->cstate, done, total);
}

const struct og_source_ops og_files_source = {
    .name = "files",
    .summary = "the files a source's inputs match, read by a file connector",
    .options = NULL,
    .check = NULL,
    .open = files_open,
    .next = files_next,
    .wait = NULL,
    .progress = files_progress,
    .close = files_close,
};

json_t *og_files_options(const char *const *inputs, size_t ninputs, const char *connector,
                         const json_t *connector_options, bool load_prefix)
{
    json_t *o = json_object(), *in = json_array();
    if (!o || !in) {
        json_decref(o);
        json_decref(in);
        return NULL;
    }
    for (size_t i = 0; i < ninputs; i++)
        json_array_append_new(in, json_string(inputs[i]));
    json_object_set_new(o, "inputs", in);
    json_object_set_new(o, "connector", json_string(connector));
    json_object_set_new(o, "load_prefix", json_boolean(load_prefix));
    json_object_set_new(o, "connector_options",
                        connector_options ? json_incref((json_t *)connector_options)
                                          : json_object());
    return o;
}
