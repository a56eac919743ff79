/* job.c - a batch run: check everything first (exit 2), then load each source (exit 1 on failure).
 */
#include "cli/job.h"
#include "cli/registry.h"

#include "transform/identity.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void og_job_result_free(struct og_job_result *res)
{
    if (!res)
        return;
    free(res->stats);
    memset(res, 0, sizeof(*res));
}

static char *counts_json(const struct og_job_result *res)
{
    json_t *o = json_object();
    json_t *srcs = json_object();
    for (size_t i = 0; i < res->nstats; i++) {
        const struct og_source_stats *s = &res->stats[i];
        json_t *reasons = json_object();
        for (int k = 0; k < s->nreasons; k++)
            json_object_set_new(reasons, s->reasons[k].reason, json_integer(s->reasons[k].n));
        json_object_set_new(
            srcs, s->name,
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "files", (json_int_t)s->files,
                      "files_skipped", (json_int_t)s->files_skipped, "files_resumed",
                      (json_int_t)s->files_resumed, "read", (json_int_t)s->read, "records",
                      (json_int_t)s->records, "rejected", (json_int_t)s->rejected, "notes",
                      (json_int_t)s->notes, "reasons", reasons));
    }
    json_object_set_new(o, "sources", srcs);
    json_object_set_new(o, "read", json_integer(res->read));
    json_object_set_new(o, "records", json_integer(res->records));
    json_object_set_new(o, "rejected", json_integer(res->rejected));
    json_object_set_new(o, "inserted", json_integer(res->load.inserted));
    json_object_set_new(o, "updated", json_integer(res->load.updated));
    json_object_set_new(o, "unchanged", json_integer(res->load.unchanged));
    json_object_set_new(o, "history", json_integer(res->load.history));
    json_object_set_new(o, "members", json_integer(res->load.members));
    json_object_set_new(o, "rejects_written", json_integer(res->load.rejects));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

static bool selected(const struct og_job_opts *o, const char *name)
{
    if (!o->nonly)
        return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (strcmp(o->only[i], name) == 0)
            return true;
    return false;
}

int og_job_run(struct og_cli *cli, const struct og_config *cfg, const struct og_job_opts *o,
               struct og_job_result *res)
{
    memset(res, 0, sizeof(*res));
    res->status = "failed";
    struct og_error err;
    og_error_clear(&err);
    int code = OG_EXIT_OK;
    struct og_mapping **maps = calloc(cfg->nsources + 1, sizeof(*maps));
    res->stats = calloc(cfg->nsources + 1, sizeof(*res->stats));
    struct og_pg *pg = NULL;
    struct og_reconciler *rec = NULL;
    struct og_world world;
    memset(&world, 0, sizeof(world));
    bool need_key = false;
    if (!maps || !res->stats) {
        og_error_log(&cli->log, "run", "out of memory");
        code = OG_EXIT_FAIL;
        goto out;
    }
    /* 1. everything that can be checked without data: exit 2 */
    for (size_t i = 0; i < o->nonly; i++)
        if (!og_config_source(cfg, o->only[i])) {
            og_error_log(&cli->log, "run", "no source named \"%s\" in %s", o->only[i],
                         cfg->path ? cfg->path : "the configuration");
            code = OG_EXIT_USAGE;
            goto out;
        }
    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct og_source_cfg *sc = &cfg->sources[i];
        if (!selected(o, sc->name))
            continue;
        if (og_mapping_load(sc->mapping, &maps[i], &err) < 0) {
            og_cli_report(cli, "mapping", &err);
            code = OG_EXIT_USAGE;
            goto out;
        }
        const char *cname = sc->connector ? sc->connector : og_mapping_connector(maps[i]);
        const struct og_connector *c = og_registry_connector(cname);
        if (!c) {
            og_error_log(&cli->log, "run",
                         "source %s: unknown connector \"%s\" (known: csv, json, ndjson)", sc->name,
                         cname ? cname : "(none)");
            code = OG_EXIT_USAGE;
            goto out;
        }
        if (og_registry_check_options(c, og_mapping_input_options(maps[i]), &err) < 0 ||
            og_registry_check_options(c, sc->options, &err) < 0) {
            og_error_prefix(&err, "source %s: ", sc->name);
            og_cli_report(cli, "run", &err);
            code = OG_EXIT_USAGE;
            goto out;
        }
        need_key = need_key || og_mapping_uses_identity(maps[i]);
    }
    struct og_id_key key;
    bool have_key = false;
    if (need_key) {
        if (og_id_key_load(&key, &err) < 0) {
            og_cli_report(cli, "run", &err);
            og_error_log(
                &cli->log, "run",
                "the mappings read identity numbers, which are stored only as keyed hashes: "
                "set ONEGRID_ID_KEY_FILE to a 0600 file holding at least 16 bytes");
            code = OG_EXIT_USAGE;
            goto out;
        }
        have_key = true;
    }
    /* 2. the warehouse and the world */
    if (og_pg_connect(cfg->dsn, &pg, &err) < 0) {
        og_cli_report(cli, "loader", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    int version = 0;
    if (og_pg_schema_version(pg, &version, &err) < 0 || version == 0) {
        if (version == 0 && !err.code)
            og_error_log(&cli->log, "run",
                         "the warehouse has no onegrid schema\n  hint: run `onegrid init` first");
        else
            og_cli_report(cli, "loader", &err);
        code = version == 0 && !err.code ? OG_EXIT_USAGE : OG_EXIT_FAIL;
        goto out;
    }
    if (og_pg_world_fetch(pg, &world, &err) < 0) {
        og_cli_report(cli, "loader", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    if (world.ngrids == 0)
        og_warn(&cli->log, "run",
                "the warehouse has no unified grids: records can only be placed by community "
                "(run `onegrid world import`)");
    if (og_reconciler_create(&world, cfg->taxonomy, have_key ? &key : NULL, &rec, &err) < 0) {
        og_cli_report(cli, "reconcile", &err);
        code = og_cli_exit_for(&err);
        goto out;
    }
    og_world_free(&world);
    struct og_pipeline p = {pg,         0,           rec,       &cli->log,         cfg->batch_size,
                            o->dry_run, o->progress, cli->stop, {0, 0, 0, 0, 0, 0}};
    if (!o->dry_run && og_pg_run_begin(pg, o->command, OG_VERSION, &res->run_id, &err) < 0) {
        og_cli_report(cli, "loader", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    p.run_id = res->run_id;
    og_info(&cli->log, "run", "run %lld started%s", res->run_id,
            o->dry_run ? " (dry run: nothing is written)" : "");
    /* 3. the sources */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    for (size_t i = 0; i < cfg->nsources && rc == 0; i++) {
        const struct og_source_cfg *sc = &cfg->sources[i];
        if (!selected(o, sc->name))
            continue;
        struct og_source_stats *st = &res->stats[res->nstats++];
        st->name = sc->name;
        rc = og_pipeline_source(&p, sc, maps[i], st, &err);
        og_info(&cli->log, "run",
                "source=%s files=%lld skipped=%lld read=%lld records=%lld rejected=%lld", sc->name,
                st->files, st->files_skipped, st->read, st->records, st->rejected);
        res->read += st->read;
        res->records += st->records;
        res->rejected += st->rejected;
    }
    res->load = p.load;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    og_info(&cli->log, "run",
            "run %lld: %lld records read in %.2f s (%.0f records/s), peak memory %.1f MiB",
            res->run_id, res->read, secs, secs > 0 ? (double)res->read / secs : 0,
            (double)ru.ru_maxrss / 1024.0);
    if (rc < 0) {
        og_cli_report(cli, "run", &err);
        code = og_cli_exit_for(&err);
        res->status = "failed";
    }
    else if (cfg->max_reject_ratio >= 0 && res->read > 0 &&
             (double)res->rejected / (double)res->read > cfg->max_reject_ratio) {
        og_error_log(&cli->log, "run",
                     "%lld of %lld records rejected (%.1f%%), over max_reject_ratio %.1f%%",
                     res->rejected, res->read, 100.0 * (double)res->rejected / (double)res->read,
                     100.0 * cfg->max_reject_ratio);
        code = OG_EXIT_REJECTS;
        res->status = "rejects_exceeded";
    }
    else
        res->status = "succeeded";
    if (!o->dry_run) {
        char *counts = counts_json(res);
        struct og_error e2;
        og_error_clear(&e2);
        if (!og_pg_alive(pg))
            og_pg_reconnect(pg, &e2);
        if (og_pg_run_finish(pg, res->run_id, res->status, counts, rc < 0 ? err.message : NULL,
                             &e2) < 0) {
            og_cli_report(cli, "loader", &e2);
            if (code == OG_EXIT_OK)
                code = OG_EXIT_FAIL;
        }
        free(counts);
    }
out:
    og_world_free(&world);
    og_reconciler_destroy(rec);
    og_pg_close(pg);
    for (size_t i = 0; maps && i < cfg->nsources; i++)
        og_mapping_destroy(maps[i]);
    free(maps);
    return code;
}

void og_job_print(FILE *out, const struct og_job_result *res)
{
    fprintf(out, "run %lld %s\n", res->run_id, res->status);
    fprintf(out, "%-16s %6s %7s %9s %9s %9s  %s\n", "source", "files", "skipped", "read", "loaded",
            "rejected", "rejects by reason");
    for (size_t i = 0; i < res->nstats; i++) {
        const struct og_source_stats *s = &res->stats[i];
        fprintf(out, "%-16s %6lld %7lld %9lld %9lld %9lld  ", s->name, s->files, s->files_skipped,
                s->read, s->records, s->rejected);
        for (int k = 0; k < s->nreasons; k++)
            fprintf(out, "%s%s=%lld", k ? ", " : "", s->reasons[k].reason, s->reasons[k].n);
        fputc('\n', out);
    }
    fprintf(out,
            "warehouse: %lld inserted, %lld updated, %lld unchanged, %lld history rows, %lld visit "
            "members, "
            "%lld reject rows\n",
            res->load.inserted, res->load.updated, res->load.unchanged, res->load.history,
            res->load.members, res->load.rejects);
}
