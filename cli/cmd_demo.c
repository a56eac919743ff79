/* cmd_demo.c - onegrid demo: a throwaway PostgreSQL, the Jinping world, the bundled feeds, a
 * summary. */
#include "cli/commands.h"
#include "cli/job.h"

#include "core/world.h"
#include "loader/pg.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
        "inspections in GB18030, HL-2 household visits) with onegrid.example.json, and prints what "
        "was\n"
        "read, loaded and rejected (by reason), events per street and how records found their "
        "grid.\n"
        "Each demo starts from an empty cluster; it is stopped at the end unless --keep.\n\n"
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

static int make_key(const char *dir, struct og_cli *cli)
{
    if ((getenv("ONEGRID_ID_KEY") && *getenv("ONEGRID_ID_KEY")) || getenv("ONEGRID_ID_KEY_FILE"))
        return 0;
    char path[4300];
    snprintf(path, sizeof(path), "%s/id.key", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        unsigned char rnd[32];
        int ur = open("/dev/urandom", O_RDONLY);
        ssize_t got = ur >= 0 ? read(ur, rnd, sizeof(rnd)) : -1;
        if (ur >= 0)
            close(ur);
        char hex[65];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", got == 32 ? rnd[i] : (unsigned char)(i * 37 + 11));
        if (write(fd, hex, 64) != 64 || got != 32) {
            close(fd);
            og_error_log(&cli->log, "demo", "could not write the demo identity key %s", path);
            return -1;
        }
        close(fd);
    }
    else if (errno != EEXIST) {
        og_error_log(&cli->log, "demo", "could not create %s: %s", path, strerror(errno));
        return -1;
    }
    setenv("ONEGRID_ID_KEY_FILE", path, 1);
    og_info(&cli->log, "demo", "identity numbers are hashed with a demo key in %s (mode 0600)",
            path);
    return 0;
}

static int report(struct og_pg *pg, struct og_error *err)
{
    printf("\nEvents per street (all departments)\n");
    int rc = og_pg_print_query(
        pg,
        "SELECT coalesce(e.street_code, '-') AS street, coalesce(d.name, '(no street)') AS name, "
        "count(*) FILTER (WHERE e.department = 'UM') AS um_cases, "
        "count(*) FILTER (WHERE e.department = 'FR') AS fire_hazards, count(*) AS events, "
        "count(*) FILTER (WHERE e.status NOT IN ('closed', 'resolved', 'void')) AS open "
        "FROM onegrid.event e LEFT JOIN onegrid.division d ON d.code = e.street_code "
        "GROUP BY 1, 2 ORDER BY 1",
        0, NULL, false, stdout, err);
    if (rc < 0)
        return rc;
    printf("\nHow records found their unified grid\n");
    rc = og_pg_print_query(
        pg,
        "SELECT source, grid_method, count(*) AS records, "
        "round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY source), 1) AS percent FROM "
        "(SELECT source, grid_method FROM onegrid.event UNION ALL SELECT source, grid_method FROM "
        "onegrid.visit) x "
        "GROUP BY 1, 2 ORDER BY 1, 3 DESC",
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
    return rc < 0 ? rc : 0;
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"keep", no_argument, NULL, 'k'},
                                         OG_COMMON_LONGOPTS,
                                         {0, 0, 0, 0}};
    char dir[4096] = "";
    bool keep = false;
    int opt, code = OG_EXIT_OK;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            help(stdout);
            return OG_EXIT_OK;
        }
        if (opt == 'd')
            snprintf(dir, sizeof(dir), "%s", optarg);
        else if (opt == 'k')
            keep = true;
        else if (!og_cli_common_option(cli, opt, optarg, &code)) {
            help(stderr);
            return OG_EXIT_USAGE;
        }
        if (code)
            return code;
    }
    char cwd[3000];
    if (!getcwd(cwd, sizeof(cwd)))
        snprintf(cwd, sizeof(cwd), ".");
    if (!dir[0]) {
        if (geteuid() != 0 || reachable(cwd))
            snprintf(dir, sizeof(dir), "%s/.onegrid-demo", cwd);
        else
            snprintf(dir, sizeof(dir), "/tmp/onegrid-demo");
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        og_error_log(&cli->log, "demo", "could not create %s: %s", dir, strerror(errno));
        return OG_EXIT_FAIL;
    }
    char pgdir[4200], script[4300], dsn[1024];
    snprintf(pgdir, sizeof(pgdir), "%s/pg", dir);
    snprintf(script, sizeof(script), "%s/ops/pg-local", cli->datadir);
    char *stop_argv[] = {"bash", script, "stop", pgdir, NULL};
    char *rm_argv[] = {"rm", "-rf", pgdir, NULL};
    char *start_argv[] = {"bash", script, "start", pgdir, NULL};
    run_cmd(stop_argv, NULL, 0, true);
    run_cmd(rm_argv, NULL, 0, true);
    og_info(&cli->log, "demo", "starting a throwaway PostgreSQL in %s", pgdir);
    if (run_cmd(start_argv, dsn, sizeof(dsn), false) != 0 || !strstr(dsn, "port=")) {
        og_error_log(&cli->log, "demo",
                     "could not start PostgreSQL with %s (its log: %s/log/postgres.log)\n"
                     "  hint: install the dependencies with ops/install-deps (as root)",
                     script, pgdir);
        return OG_EXIT_FAIL;
    }
    setenv("ONEGRID_DSN", dsn, 1);
    if (make_key(dir, cli) < 0)
        return OG_EXIT_FAIL;

    struct og_error err;
    og_error_clear(&err);
    struct og_pg *pg = NULL;
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
    if (og_config_load(cfgpath, cli->datadir, &cfg, &err) < 0) {
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
    struct og_job_opts o = {NULL, 0, false, isatty(2) != 0 && !cli->log.json, "demo"};
    code = og_job_run(cli, &cfg, &o, &res);
    og_job_print(stdout, &res);
    if (report(pg, &err) < 0) {
        og_cli_report(cli, "demo", &err);
        code = OG_EXIT_FAIL;
    }
out:
    og_job_result_free(&res);
    og_world_free(&w);
    og_config_free(&cfg);
    og_pg_close(pg);
    if (keep) {
        printf("\nThe demo warehouse keeps running. Explore it with:\n  psql \"%s\"\n"
               "Stop it with:\n  bash %s stop %s\n",
               dsn, script, pgdir);
    }
    else {
        run_cmd(stop_argv, NULL, 0, true);
        printf(
            "\n(the demo PostgreSQL in %s was stopped; `onegrid demo --keep` leaves it running)\n",
            pgdir);
    }
    return code;
}

const struct og_command og_cmd_demo = {
    "demo",
    "the embedded default: throwaway PostgreSQL, Jinping world, sample "
    "feeds, summary",
    run, help};
