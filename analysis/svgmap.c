/* svgmap.c - a local equirectangular projection and ST_AsSVG paths through it (see svgmap.h). */
#include "analysis/svgmap.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

void og_bbox_init(struct og_bbox *b)
{
    *b = (struct og_bbox){0, 0, 0, 0, true};
}

void og_bbox_add(struct og_bbox *b, double lon, double lat)
{
    if (b->empty) {
        *b = (struct og_bbox){lon, lat, lon, lat, false};
        return;
    }
    b->min_lon = fmin(b->min_lon, lon);
    b->max_lon = fmax(b->max_lon, lon);
    b->min_lat = fmin(b->min_lat, lat);
    b->max_lat = fmax(b->max_lat, lat);
}

int og_proj_fit(struct og_proj *p, const struct og_bbox *b, double width, double margin,
                struct og_error *err)
{
    if (b->empty || !(b->max_lon > b->min_lon) || !(b->max_lat > b->min_lat))
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY,
                            "cannot fit a map to outlines with no extent");
    double mid = (b->min_lat + b->max_lat) / 2;
    if (!(mid > -89 && mid < 89) || !(width > 2 * margin) || margin < 0)
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY,
                            "cannot fit a map at latitude %.3f in %.0f units", mid, width);
    double c = cos(mid * M_PI / 180);
    p->lon0 = b->min_lon;
    p->lat0 = b->max_lat;
    p->kx = (width - 2 * margin) / (b->max_lon - b->min_lon);
    p->ky = p->kx / c;
    p->margin = margin;
    p->width = width;
    p->height = 2 * margin + (b->max_lat - b->min_lat) * p->ky;
    return 0;
}

void og_proj_point(const struct og_proj *p, double lon, double lat, double *x, double *y)
{
    *x = p->margin + (lon - p->lon0) * p->kx;
    *y = p->margin + (p->lat0 - lat) * p->ky;
}

/* Walks an ST_AsSVG path: commands M, L, Z (and their lower-case forms kept as they are) and
 * coordinate pairs "x y" (y = -latitude), calling on_cmd for a command letter and on_point for a
 * pair. OG_EPARSE when something else turns up or a pair is cut short. */
static int walk(const char *svg, int (*on_cmd)(void *ctx, char c),
                int (*on_point)(void *ctx, double lon, double lat), void *ctx, struct og_error *err)
{
    const char *s = svg;
    for (;;) {
        while (*s == ' ' || *s == ',' || *s == '\n' || *s == '\t')
            s++;
        if (!*s)
            return 0;
        int rc;
        if (*s == 'M' || *s == 'L' || *s == 'Z' || *s == 'z') {
            rc = on_cmd(ctx, *s++);
        }
        else {
            char *end;
            double x = strtod(s, &end);
            if (end == s)
                goto bad;
            s = end;
            while (*s == ' ' || *s == ',')
                s++;
            double y = strtod(s, &end);
            if (end == s || !isfinite(x) || !isfinite(y))
                goto bad;
            s = end;
            rc = on_point(ctx, x, -y);
        }
        if (rc < 0)
            return rc;
    }
bad:
    og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_GEOMETRY,
                 "cannot read an SVG path from PostGIS");
    og_error_detail(err, "unexpected \"%.12s\" at offset %zu", s, (size_t)(s - svg));
    return OG_EPARSE;
}

static int bbox_cmd(void *ctx, char c)
{
    (void)ctx;
    (void)c;
    return 0;
}

static int bbox_point(void *ctx, double lon, double lat)
{
    og_bbox_add(ctx, lon, lat);
    return 0;
}

int og_svg_path_bbox(const char *svg, struct og_bbox *b, struct og_error *err)
{
    return walk(svg, bbox_cmd, bbox_point, b, err);
}

struct project_ctx {
    const struct og_proj *p;
    struct og_buf *out;
    bool after_cmd; /* the last thing written was a command letter: no separator needed */
};

static int project_cmd(void *ctx, char c)
{
    struct project_ctx *pc = ctx;
    pc->after_cmd = true;
    return og_buf_putc(pc->out, c == 'z' ? 'Z' : c);
}

static int project_point(void *ctx, double lon, double lat)
{
    struct project_ctx *pc = ctx;
    double x, y;
    og_proj_point(pc->p, lon, lat, &x, &y);
    int rc = og_buf_printf(pc->out, "%s%.1f %.1f", pc->after_cmd ? "" : " ", x, y);
    pc->after_cmd = false;
    return rc;
}

int og_svg_path_project(const char *svg, const struct og_proj *p, struct og_buf *out,
                        struct og_error *err)
{
    struct project_ctx pc = {p, out, true};
    int rc = walk(svg, project_cmd, project_point, &pc, err);
    if (rc == OG_ENOMEM)
        og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory drawing a map");
    return rc;
}
