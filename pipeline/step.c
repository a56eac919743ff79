/* step.c - resolving a source's connector and options, and the record step. */
#include "pipeline/step.h"

#include "pipeline/registry.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

int og_feed_resolve(const struct og_mapping *m, const char *connector, const json_t *source_options,
                    struct og_feed *out, struct og_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *name = connector ? connector : og_mapping_connector(m);
    const struct og_connector *c = og_registry_connector(name);
    const struct og_source_ops *src = c ? NULL : og_registry_source(name);
    if (!c && !src) {
        char known[200];
        if (name)
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                         "unknown connector \"%s\"", name);
        else
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG, "no connector given");
        og_error_detail(err, "known connectors: %s", og_registry_names(known, sizeof(known)));
        og_error_hint(err, "set \"connector\" in the source, or \"input\": {\"connector\": ...} in "
                           "the mapping");
        return OG_ECONFIG;
    }
    char owner[64];
    snprintf(owner, sizeof(owner), "connector %s", name);
    const struct og_option_doc *table = c ? c->options : src->options;
    if (og_options_check(owner, table, og_mapping_input_options(m), err) < 0 ||
        og_options_check(owner, table, source_options, err) < 0)
        return OG_ECONFIG;
    json_t *options = json_deep_copy(og_mapping_input_options(m));
    if (!options || (source_options && json_object_update(options, (json_t *)source_options))) {
        json_decref(options);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    if (src && src->check && src->check(options, err) < 0) {
        json_decref(options);
        return OG_ECONFIG;
    }
    out->name = c ? c->name : src->name;
    out->connector = c;
    out->source = src;
    out->options = options;
    return 0;
}

void og_feed_release(struct og_feed *f)
{
    if (!f)
        return;
    json_decref(f->options);
    memset(f, 0, sizeof(*f));
}

static int nomem(struct og_error *err)
{
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

/* The result of og_batch_reject as a step result. */
static int rejected(int rc, const struct og_error *why, struct og_error *err)
{
    if (rc == OG_EINVAL)
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_NONE,
                            "a record was rejected without a reason code: %s", why->message);
    return rc < 0 ? nomem(err) : OG_STEP_REJECTED;
}

int og_step_record(const struct og_step *s, const json_t *doc, const struct og_pos *pos,
                   struct og_batch *b, struct og_unified **out, int *notes, struct og_error *err)
{
    *out = NULL;
    struct og_error why;
    og_error_clear(&why);
    struct og_mapped mapped;
    struct og_unified *u = og_batch_add(b);
    if (!u)
        return nomem(err);
    enum og_stage stage = OG_STAGE_MAP;
    int r = og_mapping_apply(s->mapping, doc, b->arena, &mapped, &why);
    if (r == 0) {
        stage = OG_STAGE_RECONCILE;
        r = og_reconcile(s->rec, s->mapping, s->source, &mapped, pos, b->arena, u, &why);
    }
    if (r == 0) {
        char pbuf[512];
        u->position = og_arena_strdup(b->arena, og_pos_format(pos, pbuf, sizeof(pbuf)));
        if (!u->position)
            return nomem(err);
        *notes += mapped.notes;
        *out = u;
        return OG_STEP_LOADED;
    }
    og_batch_drop_last(b);
    if (r == OG_ENOMEM)
        return nomem(err);
    if (r != OG_EREJECT) {
        *err = why;
        return r;
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    int rc = og_batch_reject(b, pos, stage, &why, text);
    free(text);
    return rejected(rc, &why, err);
}

int og_step_unreadable(struct og_batch *b, const struct og_pos *pos, const struct og_error *why,
                       const char *raw, struct og_error *err)
{
    return rejected(og_batch_reject(b, pos, OG_STAGE_READ, why, raw), why, err);
}

int og_step_take(const struct og_step *s, int rc, const struct og_read *r, struct og_batch *b,
                 struct og_unified **out, int *notes, struct og_error *err)
{
    *out = NULL;
    if (rc == OG_EREJECT)
        return og_step_unreadable(b, &r->pos, &r->why, r->raw, err);
    return og_step_record(s, r->doc, &r->pos, b, out, notes, err);
}
