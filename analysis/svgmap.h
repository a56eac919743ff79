/* svgmap.h - drawing WGS-84 outlines in SVG: a local equirectangular projection (x scaled by the
 * cosine of the middle latitude, y growing southwards) fitted to a viewBox, and PostGIS's
 * ST_AsSVG(geom, 0, precision) path text (absolute "M x y L x y ... Z", y = -latitude) turned into
 * projected path data. Pure: no I/O. */
#ifndef OG_SVGMAP_H
#define OG_SVGMAP_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>

struct og_bbox {
    double min_lon, min_lat, max_lon, max_lat;
    bool empty; /* nothing added yet */
};

/* An equirectangular frame fitted to a box: x = margin + (lon - lon0) * kx, y = margin + (lat0 -
 * lat) * ky with kx = ky * cos(middle latitude), so a kilometre is as long east-west as north-south
 * near the middle of the box. */
struct og_proj {
    double lon0, lat0; /* west and north edges of the box */
    double kx, ky;     /* viewBox units per degree of longitude, of latitude */
    double margin;
    double width, height; /* of the viewBox, margins included */
};

void og_bbox_init(struct og_bbox *b);
void og_bbox_add(struct og_bbox *b, double lon, double lat);

/* Fits p to b: the box's width (after the cosine) becomes width - 2 * margin units and the height
 * follows. OG_EINVAL (err filled) when b is empty or has no extent, or the latitude is outside
 * (-89, 89). */
int og_proj_fit(struct og_proj *p, const struct og_bbox *b, double width, double margin,
                struct og_error *err);
void og_proj_point(const struct og_proj *p, double lon, double lat, double *x, double *y);

/* Adds every point of an ST_AsSVG path (absolute coordinates) to b. OG_EPARSE (err filled, with the
 * offset) when svg is not such a path. */
int og_svg_path_bbox(const char *svg, struct og_bbox *b, struct og_error *err);
/* Appends svg's path projected by p to out: the same commands, coordinates in viewBox units with 1
 * decimal ("M12.3 45.6L..Z"). OG_EPARSE (err filled) as above, OG_ENOMEM. */
int og_svg_path_project(const char *svg, const struct og_proj *p, struct og_buf *out,
                        struct og_error *err);

#endif
