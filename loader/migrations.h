/* migrations.h - the numbered schema migrations, embedded from loader/sql/ at build time. */
#ifndef OG_MIGRATIONS_H
#define OG_MIGRATIONS_H

struct og_migration {
    int version;      /* NNN of NNN_name.sql */
    const char *name; /* "001_places" */
    const char *sql;
};

/* In version order, terminated by {0, NULL, NULL}. */
extern const struct og_migration og_migrations[];
extern const int og_migrations_count;

#endif
