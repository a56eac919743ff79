/* cmd_demo.c - onegrid demo: a throwaway PostgreSQL, the Jinping world, the bundled feeds, a
 * summary. */
#include "cli/commands.h"
#include "cli/summary.h"

#include "core/world.h"
#include "loader/pg.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid demo [--dir DIR] [--keep] [OPTIONS]\n\n"
        "The embedded default, end to end: starts a throwaway PostgreSQL (with PostGIS) under DIR "
        "(as\n"
        "the postgres user when run as root), creates the warehouse, imports the Jinping world "
        "(Shantou\n"
        "440511: 12 streets, 170 communities, 685 unified grids, police beats, 2016-coded unit "
        "grids,\n"
        "fire grids, crosswalks), loads the bundled sample feeds (UM-1 Open311 cases, FR-1 fire\n"
        "inspections in GB18030, HL-2 household visits, PS-1 residents and rental houses in\n"
        "GB18030 XML) with onegrid.example.json; starts a\n"
        "development Kafka peer (ops/kafka-dev), produces the sample PS-2 police incidents and\n"
        "HL-1 health-code changes into it with kcat and reads them too; creates a second database\n"
        "\"hotline\" in the same cluster, the 12345 hotline's own (samples/ht/hotline_*.sql: "
        "table\n"
        "hotline.ticket) and pulls HT-1 from it with the pgsql source; then prints what was "
        "read,\n"
        "loaded and rejected (by reason), events per street, residents and rental houses per\n"
        "street, how records found their grid, the current health codes and the hotline tickets,\n"
        "and writes the district's report page (onegrid report) into DIR, printing its path.\n"
        "Each demo starts from an empty cluster; it is stopped at the end\n"
        "unless --keep.\n\n"
        "  --dir DIR   where the cluster lives (default ./.onegrid-demo, or /tmp/onegrid-demo when "
        "the\n"
        "              postgres user cannot reach the current folder)\n"
        "  --keep      leave the cluster running and print how to connect with psql\n\n%s",
        OG_COMMON_HELP);
}

/* Runs argv (no shell); captures the last line of stdout into out when given. Returns the exit
 * status. */
static int run_cmd(char *const argv[], char *out, size_t size, bool quiet)
{
    fflush(stdout);
    fflush(stderr);
    int fd[2];
    if (pipe(fd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], 1);
        if (quiet) {
            int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0)
                dup2(devnull, 2);
        }
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "onegrid demo: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    char buf[4096];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
        len += (size_t)n;
        if (len >= sizeof(buf) - 1)
            len = 0; /* keep reading; only the tail matters */
    }
    close(fd[0]);
    buf[len] = '\0';
    int st = 0;
    waitpid(pid, &st, 0);
    if (out) {
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        char *last = strrchr(buf, '\n');
        const char *src = last ? last + 1 : buf;
        size_t l = strlen(src) < size - 1 ? strlen(src) : size - 1;
        memcpy(out, src, l);
        out[l] = '\0';
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* True when every ancestor of path can be traversed by others (the postgres user). */
static bool reachable(const char *path)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s", path);
    for (;;) {
        struct stat sb;
        if (stat(p, &sb) == 0 && !(sb.st_mode & S_IXOTH))
            return false;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            return true;
        *slash = '\0';
    }
}

/* 32 random bytes from the kernel as 64 hex characters into hex. 0, or -1 with errno set. */
static int random_hex(char hex[65])
{
    unsigned char rnd[32];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got < sizeof(rnd)) {
        ssize_t n = read(fd, rnd + got, sizeof(rnd) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    explicit_bzero(rnd, sizeof(rnd));
    return 0;
}

/* The demo's identity-hashing key: $ONEGRID_ID_KEY(_FILE) when set, else DIR/id.key, made with 32
 * random bytes when absent. A key file readable by others (or not the user's) is never reused: it
 * is replaced (the demo warehouse starts empty, so nothing hashed with the old key is kept), and
 * the log says so. Nothing predictable is ever written: without /dev/urandom the demo stops. */
static int demo_key(const char *dir, struct og_cli *cli)
{
    if ((getenv("ONEGRID_ID_KEY") && *getenv("ONEGRID_ID_KEY")) || getenv("ONEGRID_ID_KEY_FILE"))
        return 0;
    char path[4300];
    snprintf(path, sizeof(path), "%s/id.key", dir);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            og_error_log(&cli->log, "demo", "cannot use the demo key \"%s\": not a regular file",
                         path);
            return -1;
        }
        if ((sb.st_mode & 077) == 0 && sb.st_uid == geteuid()) {
            og_info(&cli->log, "demo", "identity numbers are hashed with the demo key in %s", path);
            return setenv("ONEGRID_ID_KEY_FILE", path, 1);
        }
        og_warn(&cli->log, "demo",
                "the demo key %s was readable by others or not yours (mode %04o, owner %u): "
                "replaced with a new key",
                path, (unsigned)(sb.st_mode & 07777), (unsigned)sb.st_uid);
        if (unlink(path) < 0) {
            og_error_log(&cli->log, "demo", "could not remove \"%s\": %s", path, strerror(errno));
            return -1;
        }
    }
    char hex[65];
    if (random_hex(hex) < 0) {
        og_error_log(&cli->log, "demo", "could not read /dev/urandom for the demo key: %s",
                     strerror(errno));
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, hex, 64) != 64) {
        og_error_log(&cli->log, "demo", "could not write the demo key \"%s\": %s", path,
                     strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        explicit_bzero(hex, sizeof(hex));
        return -1;
    }
    close(fd);
    explicit_bzero(hex, sizeof(hex));
    og_info(&cli->log, "demo", "identity numbers are hashed with a new demo key in %s (mode 0600)",
            path);
    return setenv("ONEGRID_ID_KEY_FILE", path, 1);
}

/* The development Kafka peer with the sample PS-2 and HL-1 messages in it: its bootstrap list into
 * boot. 0, or -1 (logged) when it cannot be had: the demo goes on without the Kafka sources. */
static int demo_kafka(struct og_cli *cli, const char *dir, char *boot, size_t size)
{
    char ctl[4300], kdir[4200], bin[4200];
    snprintf(ctl, sizeof(ctl), "%s/ops/kafka-dev/kafka-dev-ctl", cli->datadir);
    snprintf(kdir, sizeof(kdir), "%s/kafka", dir);
    ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 20);
    if (n > 0) { /* og-kafka-dev is built beside onegrid */
        bin[n] = '\0';
        char *slash = strrchr(bin, '/');
        if (slash) {
            snprintf(slash + 1, sizeof(bin) - (size_t)(slash + 1 - bin), "og-kafka-dev");
            if (access(bin, X_OK) == 0)
                setenv("KAFKA_DEV_BIN", bin, 1);
        }
    }
    char *stop_argv[] = {"bash", ctl, "stop", kdir, NULL};
    run_cmd(stop_argv, NULL, 0, true);
    char *start_argv[] = {"bash", ctl,       "start",          kdir,      "--brokers",
                          "1",    "--topic", "ps.incidents:4", "--topic", "hl.healthcode:4",
                          NULL};
    og_info(&cli->log, "demo", "starting a development Kafka peer in %s", kdir);
    if (run_cmd(start_argv, boot, size, false) != 0 || !strchr(boot, ':')) {
        og_warn(&cli->log, "demo",
                "could not start the Kafka peer (%s): the Kafka sources are left out (build it "
                "with make, install kcat with ops/install-deps)",
                ctl);
        return -1;
    }
    static const char *const feeds[][2] = {
        {"ps.incidents", "samples/ps/ps_incidents_20200203.kcat"},
        {"hl.healthcode", "samples/hl/hl_healthcode_20200203.kcat"}};
    for (size_t i = 0; i < 2; i++) {
        char file[4300];
        snprintf(file, sizeof(file), "%s/%s", cli->datadir, feeds[i][1]);
        char *kcat[] = {"kcat", "-P", "-b", boot, "-t", (char *)feeds[i][0],
                        "-K",   "\t", "-l", file, NULL};
        if (run_cmd(kcat, NULL, 0, false) != 0) {
            og_warn(&cli->log, "demo",
                    "kcat could not produce %s into %s: the Kafka sources are left out", file,
                    feeds[i][0]);
            run_cmd(stop_argv, NULL, 0, true);
            return -1;
        }
    }
    og_info(&cli->log, "demo", "kcat produced the sample PS-2 and HL-1 messages into %s", boot);
    return 0;
}

/* Appends " keyword='value'" (libpq's quoting: a backslash before ' and \) to out[size]. 0, or
 * -1 when it does not fit. */
static int conninfo_add(char *out, size_t size, const char *kw, const char *val)
{
    size_t len = strlen(out);
    int n = snprintf(out + len, size - len, "%s%s='", len ? " " : "", kw);
    if (n < 0 || (size_t)n >= size - len)
        return -1;
    len += (size_t)n;
    for (const char *p = val; *p; p++) {
        if (len + 4 > size) /* this byte, its escape, the closing quote, the NUL */
            return -1;
        if (*p == '\'' || *p == '\\')
            out[len++] = '\\';
        out[len++] = *p;
    }
    out[len++] = '\'';
    out[len] = '\0';
    return 0;
}

/* The warehouse's conninfo dsn with dbname replaced by db, into out[size]. 0, or -1 when dsn is
 * not a conninfo or out is too small. */
static int conninfo_for_db(const char *dsn, const char *db, char *out, size_t size)
{
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    if (!opts || size == 0) {
        PQconninfoFree(opts);
        return -1;
    }
    out[0] = '\0';
    int rc = 0;
    for (PQconninfoOption *opt = opts; opt->keyword && rc == 0; opt++)
        if (opt->val && *opt->val && strcmp(opt->keyword, "dbname") != 0)
            rc = conninfo_add(out, size, opt->keyword, opt->val);
    PQconninfoFree(opts);
    return rc == 0 ? conninfo_add(out, size, "dbname", db) : -1;
}

/* The hotline's own database (HT-1): a second database "hotline" in the demo cluster at dsn, with
 * the bundled samples/ht/hotline_*.sql loaded into it by psql; its conninfo into out[size]. 0, or
 * -1 (logged): the demo goes on without the pgsql source. */
static int demo_hotline(struct og_cli *cli, const char *dsn, char *out, size_t size)
{
    char psql[4200], pattern[4300];
    const char *pgbin = getenv("PGBIN");
    snprintf(psql, sizeof(psql), "%s/psql", pgbin && *pgbin ? pgbin : "/usr/lib/postgresql/15/bin");
    if (access(psql, X_OK) != 0)
        snprintf(psql, sizeof(psql), "psql"); /* from PATH */
    snprintf(pattern, sizeof(pattern), "%s/samples/ht/hotline_*.sql", cli->datadir);
    glob_t gl;
    memset(&gl, 0, sizeof(gl));
    if (glob(pattern, 0, NULL, &gl) != 0 || gl.gl_pathc == 0) {
        og_warn(&cli->log, "demo", "no HT-1 sample (%s): the source ht_tickets is left out",
                pattern);
        globfree(&gl);
        return -1;
    }
    char *create[] = {psql,
                      "-X",
                      "-q",
                      "-v",
                      "ON_ERROR_STOP=1",
                      "-d",
                      (char *)dsn,
                      "-c",
                      "CREATE DATABASE hotline",
                      NULL};
    int rc = conninfo_for_db(dsn, "hotline", out, size) == 0 ? run_cmd(create, NULL, 0, false) : -1;
    for (size_t i = 0; rc == 0 && i < gl.gl_pathc; i++) {
        char *load[] = {psql, "-X", "-q", "-v",           "ON_ERROR_STOP=1",
                        "-d", out,  "-f", gl.gl_pathv[i], NULL};
        rc = run_cmd(load, NULL, 0, false);
        if (rc != 0)
            og_warn(&cli->log, "demo", "psql could not load %s into the database hotline",
                    gl.gl_pathv[i]);
    }
    if (rc != 0) {
        og_warn(&cli->log, "demo",
                "could not create the hotline's database with %s: the source ht_tickets is left "
                "out (install PostgreSQL 15 with ops/install-deps, or set PGBIN)",
                psql);
        globfree(&gl);
        return -1;
    }
    og_info(&cli->log, "demo", "the hotline's database holds %zu HT-1 sample file(s): %s",
            (size_t)gl.gl_pathc, out);
    globfree(&gl);
    return 0;
}

/* Points the sources of cfg at what the demo started: the Kafka sources (no inputs) at boot, the
 * pgsql sources (an option "conninfo") at hotline, whose secrets the demo cluster does not need.
 * A source whose peer is NULL is left out: only then lists the sources the run reads. */
static int demo_sources(struct og_config *cfg, const char *boot, const char *hotline,
                        struct og_job_opts *o, char **only)
{
    bool all = true;
    for (size_t i = 0; i < cfg->nsources; i++) {
        struct og_source_cfg *sc = &cfg->sources[i];
        bool pgsql = sc->options && json_object_get(sc->options, "conninfo");
        if (sc->ninputs > 0) {
            only[o->nonly++] = sc->name;
            continue;
        }
        if (!(pgsql ? hotline : boot)) {
            all = false;
            continue;
        }
        only[o->nonly++] = sc->name;
        if (pgsql) {
            json_object_del(sc->options, "secrets");
            if (json_object_set_new(sc->options, "conninfo", json_string(hotline)) < 0)
                return OG_ENOMEM;
            continue;
        }
        if (!sc->options)
            sc->options = json_object();
        json_t *k = json_object_get(sc->options, "kafka");
        if (!k) {
            k = json_object();
            json_object_set_new(sc->options, "kafka", k);
        }
        if (!k || json_object_set_new(k, "bootstrap.servers", json_string(boot)) < 0)
            return OG_ENOMEM;
    }
    o->only = all ? NULL : only;
    if (all)
        o->nonly = 0;
    return 0;
}

/* Prints the summary tables; the hotline tickets when ht (the demo pulled HT-1). */
static int report(struct og_pg *pg, bool ht, struct og_error *err)
{
    printf("\nEvents per street (all departments)\n");
    int rc = og_pg_print_query(
        pg,
        "SELECT coalesce(e.street_code, '-') AS street, coalesce(d.name, '(no street)') AS name, "
        "count(*) FILTER (WHERE e.department = 'UM') AS um_cases, "
        "count(*) FILTER (WHERE e.department = 'FR') AS fire_hazards, "
        "count(*) FILTER (WHERE e.department = 'PS') AS police, "
        "count(*) FILTER (WHERE e.department = 'HT') AS hotline, count(*) AS events, "
        "count(*) FILTER (WHERE e.status NOT IN ('closed', 'resolved', 'void')) AS open "
        "FROM onegrid.event e LEFT JOIN onegrid.division d ON d.code = e.street_code "
        "GROUP BY 1, 2 ORDER BY 1",
        0, NULL, false, stdout, err);
    if (rc < 0)
        return rc;
    printf("\nResidents and rental houses per street (PS-1: the latest update of each, whatever "
           "order the files came in)\n");
    rc = og_pg_print_query(
        pg,
        "WITH p AS (SELECT coalesce(left(community_code, 9), '-') AS street, count(*) FILTER "
        "(WHERE active) AS "
        "residents, count(*) FILTER (WHERE active AND person_type = 'floating') AS floating, "
        "count(*) FILTER (WHERE NOT active) AS deregistered FROM onegrid.person GROUP BY 1), "
        "h AS (SELECT coalesce(left(community_code, 9), '-') AS street, count(*) AS rental_houses, "
        "sum(tenants) AS tenants FROM onegrid.housing GROUP BY 1) "
        "SELECT street, coalesce(d.name, '(not placed)') AS name, "
        "coalesce(residents, 0) AS residents, coalesce(floating, 0) AS floating, "
        "coalesce(deregistered, 0) AS deregistered, coalesce(rental_houses, 0) AS rental_houses, "
        "coalesce(tenants, 0) AS tenants "
        "FROM p FULL JOIN h USING (street) LEFT JOIN onegrid.division d ON d.code = street "
        "ORDER BY 1",
        0, NULL, false, stdout, err);
    if (rc < 0)
        return rc;
    printf("\nHow records found their unified grid\n");
    rc = og_pg_print_query(
        pg,
        "SELECT source, grid_method, count(*) AS records, "
        "round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY source), 1) AS percent FROM "
        "(SELECT source, grid_method FROM onegrid.event UNION ALL SELECT source, grid_method FROM "
        "onegrid.visit UNION ALL SELECT 'ps_population (residents)', grid_method FROM "
        "onegrid.person UNION ALL SELECT 'ps_population (houses)', grid_method FROM "
        "onegrid.housing) x "
        "GROUP BY 1, 2 ORDER BY 1, 3 DESC",
        0, NULL, false, stdout, err);
    if (rc < 0)
        return rc;
    printf("\nCurrent health codes (HL-1: the latest change per person, whatever order they came "
           "in)\n");
    rc = og_pg_print_query(
        pg,
        "SELECT color, count(*) AS people, count(*) FILTER (WHERE person_key IN "
        "(SELECT person_key FROM onegrid.visit_member)) AS also_visited "
        "FROM onegrid.health_code GROUP BY 1 ORDER BY array_position(ARRAY['green', 'yellow', "
        "'red'], color)",
        0, NULL, false, stdout, err);
    if (rc < 0)
        return rc;
    printf("\nLinks across departments (mappings/links.json: the same hazard reported by several "
           "departments)\n");
    rc = og_pg_print_query(pg,
                           "SELECT rule, count(*) AS links, count(DISTINCT link_id) AS clusters, "
                           "round(avg(distance_m)) AS avg_distance_m, "
                           "justify_hours(date_trunc('minute', avg(time_gap))) AS avg_time_gap "
                           "FROM onegrid.event_link GROUP BY rule ORDER BY rule",
                           0, NULL, false, stdout, err);
    if (rc < 0)
        return rc;
    printf("\nScreening visits\n");
    rc = og_pg_print_query(
        pg,
        "SELECT count(DISTINCT v.visit_id) AS visits, count(m.*) AS people_seen, "
        "count(*) FILTER (WHERE m.id_valid = false) AS invalid_ids, "
        "count(*) FILTER (WHERE m.temperature >= 37.3) AS fever, "
        "count(*) FILTER (WHERE m.health_code IN ('red', 'yellow')) AS red_or_yellow "
        "FROM onegrid.visit v LEFT JOIN onegrid.visit_member m USING (visit_id)",
        0, NULL, false, stdout, err);
    if (rc < 0 || !ht)
        return rc < 0 ? rc : 0;
    printf("\n12345 hotline tickets (HT-1, pulled from the hotline's own database by the watermark "
           "(updated_at, ticket_no))\n");
    rc = og_pg_print_query(
        pg,
        "SELECT count(*) AS tickets, count(*) FILTER (WHERE status = 'reported') AS reported, "
        "count(*) FILTER (WHERE status = 'dispatched') AS dispatched, "
        "count(*) FILTER (WHERE status = 'in_progress') AS in_progress, "
        "count(*) FILTER (WHERE status = 'resolved') AS resolved, "
        "count(*) FILTER (WHERE status = 'closed') AS closed, "
        "count(*) FILTER (WHERE grid_method = 'point') AS by_point, "
        "count(*) FILTER (WHERE grid_method = 'community') AS by_community, "
        "count(*) FILTER (WHERE grid_method = 'none') AS not_placed, "
        "count(*) FILTER (WHERE category_code = '9999') AS unmapped_category "
        "FROM onegrid.event WHERE department = 'HT'",
        0, NULL, false, stdout, err);
    return rc < 0 ? rc : 0;
}

struct args {
    char dir[4096];
    bool keep;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    if (opt == 'd')
        snprintf(a->dir, sizeof(a->dir), "%s", arg);
    else if (opt == 'k')
        a->keep = true;
    else
        return OG_EXIT_USAGE;
    return 0;
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'}, {"keep", no_argument, NULL, 'k'}, {0, 0, 0, 0}};
    struct args a = {"", false};
    int code = og_cli_parse(cli, help, argc, argv, NULL, opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    const char *dir = a.dir;
    bool keep = a.keep;
    char cwd[3000];
    if (!getcwd(cwd, sizeof(cwd)))
        snprintf(cwd, sizeof(cwd), ".");
    if (!dir[0]) {
        if (geteuid() != 0 || reachable(cwd))
            snprintf(a.dir, sizeof(a.dir), "%s/.onegrid-demo", cwd);
        else
            snprintf(a.dir, sizeof(a.dir), "/tmp/onegrid-demo");
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        og_error_log(&cli->log, "demo", "could not create %s: %s", dir, strerror(errno));
        return OG_EXIT_FAIL;
    }
    if (demo_key(dir, cli) < 0)
        return OG_EXIT_FAIL;
    char pgdir[4200], script[4300], dsn[1024];
    snprintf(pgdir, sizeof(pgdir), "%s/pg", dir);
    snprintf(script, sizeof(script), "%s/ops/pg-local", cli->datadir);
    char *stop_argv[] = {"bash", script, "stop", pgdir, NULL};
    char *rm_argv[] = {"rm", "-rf", pgdir, NULL};
    char *start_argv[] = {"bash", script, "start", pgdir, NULL};
    run_cmd(stop_argv, NULL, 0, true);
    run_cmd(rm_argv, NULL, 0, true);
    og_info(&cli->log, "demo", "starting a throwaway PostgreSQL in %s", pgdir);
    struct og_error err;
    og_error_clear(&err);
    if (run_cmd(start_argv, dsn, sizeof(dsn), false) != 0 || !strstr(dsn, "port=")) {
        og_error_set(&err, OG_EIO, OG_CLASS_FATAL, OG_R_CONNECT,
                     "could not start PostgreSQL with %s", script);
        og_error_detail(&err, "its log: %s/log/postgres.log", pgdir);
        og_error_hint(&err, "install the dependencies with ops/install-deps (as root)");
        og_cli_report(cli, "demo", &err);
        return OG_EXIT_FAIL;
    }
    struct og_pg *pg = NULL;
    char boot[1024] = "", hotline[2048] = "", page[4400] = "";
    bool kafka = false, ht = false;
    struct og_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct og_world w;
    memset(&w, 0, sizeof(w));
    struct og_job_result res;
    memset(&res, 0, sizeof(res));
    int applied, version;
    long long counts[5], skipped;
    char cfgpath[4300];
    snprintf(cfgpath, sizeof(cfgpath), "%s/onegrid.example.json", cli->datadir);
    if (og_pg_connect(dsn, &pg, &err) < 0 || og_pg_migrate(pg, &applied, &version, &err) < 0) {
        og_cli_report(cli, "demo", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    printf("warehouse: schema version %d in %s\n", version, dsn);
    if (og_config_load(cfgpath, cli->datadir, &cfg, &err) < 0 || og_config_set_dsn(&cfg, dsn) < 0) {
        og_cli_report(cli, "demo", &err);
        code = OG_EXIT_USAGE;
        goto out;
    }
    if (og_world_read_dir(cfg.world_dir, cfg.crosswalk_dir, &w, &err) < 0 ||
        og_pg_world_import(pg, &w, counts, &skipped, &err) < 0) {
        og_cli_report(cli, "demo", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    printf("world: %lld divisions, %lld aliases (2016 edition), %lld unified grids, %lld "
           "department grids, %lld "
           "crosswalk rows\n\n",
           counts[0], counts[1], counts[2], counts[3], counts[4]);
    kafka = demo_kafka(cli, dir, boot, sizeof(boot)) == 0;
    ht = demo_hotline(cli, dsn, hotline, sizeof(hotline)) == 0;
    struct og_job_opts o = {.progress = isatty(2) != 0 && !cli->log.json, .command = "demo"};
    char *only[64];
    if (cfg.nsources > 64 ||
        demo_sources(&cfg, kafka ? boot : NULL, ht ? hotline : NULL, &o, only) < 0) {
        og_error_set(&err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        og_cli_report(cli, "demo", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    enum og_job_status status = og_cli_run_job(cli, "demo", &cfg, &o, &res);
    code = og_cli_exit_job(status);
    /* the tables of a run that loaded nothing would only be empty */
    if ((status == OG_JOB_SUCCEEDED || status == OG_JOB_REJECTS_EXCEEDED) &&
        report(pg, ht, &err) < 0) {
        og_cli_report(cli, "demo", &err);
        code = OG_EXIT_FAIL;
    }
    /* the page to look at: the district's grids by open hazards (onegrid report) */
    if (status == OG_JOB_SUCCEEDED || status == OG_JOB_REJECTS_EXCEEDED) {
        struct og_overview_request rq = {NULL, NULL, 10};
        if (og_cli_write_overview(cli, pg, dir, &rq, OG_MEASURE_OPEN_HAZARDS, page, sizeof(page)) !=
            OG_EXIT_OK) {
            page[0] = '\0';
            code = OG_EXIT_FAIL;
        }
    }
out:
    og_job_result_free(&res);
    og_world_free(&w);
    og_config_free(&cfg);
    og_pg_close(pg);
    char kctl[4300], kdir[4200];
    snprintf(kctl, sizeof(kctl), "%s/ops/kafka-dev/kafka-dev-ctl", cli->datadir);
    snprintf(kdir, sizeof(kdir), "%s/kafka", dir);
    char *kstop_argv[] = {"bash", kctl, "stop", kdir, NULL};
    if (keep) {
        printf("\nThe demo warehouse keeps running. Explore it with:\n  psql \"%s\"\n"
               "Stop it with:\n  bash %s stop %s\n",
               dsn, script, pgdir);
        if (kafka)
            printf("The Kafka peer keeps running at %s; stop it with:\n  bash %s stop %s\n", boot,
                   kctl, kdir);
        if (ht)
            printf("The hotline's own database (HT-1, table hotline.ticket):\n  psql \"%s\"\n",
                   hotline);
    }
    else {
        run_cmd(kstop_argv, NULL, 0, true);
        run_cmd(stop_argv, NULL, 0, true);
        printf(
            "\n(the demo PostgreSQL in %s was stopped; `onegrid demo --keep` leaves it running)\n",
            pgdir);
    }
    if (page[0])
        printf("\nThe district's grids by open hazards, with department grids and the last runs "
               "(open it in a browser; `onegrid report --help` for other measures and streets):\n"
               "  %s\n",
               page);
    return code;
}

const struct og_command og_cmd_demo = {
    "demo",
    "the embedded default: throwaway PostgreSQL, Jinping world, sample "
    "feeds, summary",
    run, help};
