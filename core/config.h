/* config.h - the run configuration (onegrid.json): warehouse, world, sources. Unknown keys are
 * errors. */
#ifndef OG_CONFIG_H
#define OG_CONFIG_H

#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct og_source_cfg {
    char *name;
    char *connector; /* NULL: the mapping's input.connector */
    char **inputs;   /* paths or globs, resolved against the config file's folder (files only) */
    size_t ninputs;
    char *mapping;   /* resolved path */
    json_t *options; /* new reference or NULL: connector options overriding the mapping's "input" */
    bool load_prefix;        /* partial_files "load_prefix": a file cut or broken part-way loads the
                                records before the break (default "reject_file": nothing of it) */
    long long max_rejects;   /* rejects of this source in a run above which it exits 3; < 0: none */
    double max_reject_ratio; /* rejects / records read of this source above which the run exits 3;
                                < 0: none */
};

struct og_config {
    char *path;      /* the config file, or NULL for a built-in config */
    char *dsn;       /* warehouse conninfo (og_config_set_dsn overrides); NULL = PG* variables */
    char *world_dir; /* world files for `world import` and `map` */
    char *crosswalk_dir;
    char *taxonomy; /* unified taxonomy CSV */
    char *links;    /* link rules file (mappings/links.json), resolved; NULL: nothing is linked */
    int batch_size; /* records per transaction (default 2000) */
    int loaders;    /* warehouse connections storing a source's batches in parallel (default 2) */
    double
        max_reject_ratio; /* rejects / records read above which the run exits 3; < 0 = no limit */
    struct og_source_cfg *sources;
    size_t nsources;
};

/* Reads path into *cfg (new; og_config_free). datadir supplies defaults for world_dir,
 * crosswalk_dir and taxonomy. Errors (OG_ECONFIG) name the file, the JSON path and what is
 * expected. */
int og_config_load(const char *path, const char *datadir, struct og_config *cfg,
                   struct og_error *err);
/* Builds a config from a JSON object already in memory (borrowed); relative paths resolve against
 * base. */
int og_config_from_json(const json_t *doc, const char *name, const char *base, const char *datadir,
                        struct og_config *cfg, struct og_error *err);
void og_config_free(struct og_config *cfg); /* NULL allowed */
/* Overrides the warehouse conninfo (the command line reads ONEGRID_DSN and passes it here); NULL or
 * "" leaves the config's own. 0 or OG_ENOMEM. */
int og_config_set_dsn(struct og_config *cfg, const char *dsn);
/* True when name is a source name: [a-z][a-z0-9_]*, at most 63 characters. */
bool og_config_name_ok(const char *name);
/* The source called name, or NULL. */
const struct og_source_cfg *og_config_source(const struct og_config *cfg, const char *name);

#endif
