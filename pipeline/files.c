/* files.c - a source's files through a file connector, with the ledger deciding skip and resume. */
#include "pipeline/files.h"

#include "core/digest.h"
#include "pipeline/registry.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

struct files {
    const struct og_connector *c;
    json_t *copts; /* new reference */
    const struct og_source_host *host;
    char *name;   /* the source's, for the log */
    char **paths; /* every matched file, resolved, in input order then name order */
    size_t npaths, next_path;
    /* the file being read */
    void *cstate;
    const char *path; /* borrowed from paths */
    char version[65];
    long long index;  /* records read from it */
    long long resume; /* records an earlier run committed */
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
    f->name = strdup(name);
    f->c = og_registry_connector(cname);
    f->copts = json_incref(json_object_get(options, "connector_options"));
    int rc = 0;
    if (!f->name)
        rc = nomem(err);
    else if (!f->c || !json_is_array(inputs))
        rc = og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                          "the files of source %s need a file connector and inputs", name);
    if (rc == 0)
        rc = expand(f, name, inputs, err);
    if (rc < 0) {
        files_close(f);
        return rc;
    }
    *state = f;
    return 0;
}

/* Opens the next file that is not loaded yet. 1 when one is open, 0 when none is left. */
static int open_next(struct files *f, struct og_error *err)
{
    const struct og_source_host *h = f->host;
    while (f->next_path < f->npaths) {
        f->path = f->paths[f->next_path++];
        int rc = og_file_sha256(f->path, f->version, err);
        if (rc < 0)
            return rc;
        f->resume = 0;
        if (h->lookup) {
            struct og_stored st;
            if ((rc = h->lookup(h->ctx, "file", f->path, f->version, &st, err)) < 0)
                return rc;
            free(st.state);
            if (st.found && st.done) {
                if (h->counts)
                    h->counts->files_skipped++;
                og_info(h->log, "run", "source=%s file=%s unchanged since it was loaded: skipped",
                        f->name, f->path);
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
        if ((rc = f->c->open(f->path, f->copts, &f->cstate, err)) < 0) {
            f->cstate = NULL;
            og_error_prefix(err, "source %s: ", f->name);
            return rc;
        }
        return 1;
    }
    return 0;
}

static int files_next(void *state, struct og_read *r, struct og_error *err)
{
    struct files *f = state;
    for (;;) {
        if (!f->cstate) {
            int rc = open_next(f, err);
            if (rc <= 0)
                return rc; /* OG_READ_END or an error */
        }
        int rc = f->c->next(f->cstate, &r->doc, &r->pos, &r->raw, &r->why);
        r->kind = "file";
        r->key = f->path;
        r->version = f->version;
        if (rc == 0) { /* the end of this file: committed as done */
            f->c->close(f->cstate);
            f->cstate = NULL;
            r->next = f->index;
            return OG_READ_INPUT_DONE;
        }
        if (rc < 0 && rc != OG_EREJECT) {
            *err = r->why;
            og_error_prefix(err, "source %s: ", f->name);
            return rc;
        }
        r->pos.input = f->path;
        r->pos.version = f->version;
        r->pos.index = f->index++;
        r->next = f->index;
        if (f->index > f->resume) /* records up to resume were committed by an earlier run */
            return rc == OG_EREJECT ? OG_EREJECT : OG_READ_RECORD;
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
                         const json_t *connector_options)
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
    json_object_set_new(o, "connector_options",
                        connector_options ? json_incref((json_t *)connector_options)
                                          : json_object());
    return o;
}
