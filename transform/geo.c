/* geo.c - coordinate systems: CRS names and the WGS-84/GCJ-02/BD-09 transforms and inverses. */
#include "transform/geo.h"
#include "transform/geo_internal.h"

#include <math.h>
#include <strings.h>

/* Same literals as the reference implementations (coordtransform, eviltransform, PRCoords). */
#define GCJ_A 6378245.0
#define GCJ_EE 0.00669342162296594323
#define BD_X_PI (GEO_PI * 3000.0 / 180.0)

#define INV_TOL 1e-9
#define INV_MAX_STEPS 50

/* ------------------------------------------------------------------------------------------ */
/* Coordinate systems                                                                         */
/* ------------------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    enum og_crs crs;
} crs_names[] = {
    {"wgs84", OG_CRS_WGS84},        {"wgs-84", OG_CRS_WGS84}, {"cgcs2000", OG_CRS_CGCS2000},
    {"cgcs-2000", OG_CRS_CGCS2000}, {"gcj02", OG_CRS_GCJ02},  {"gcj-02", OG_CRS_GCJ02},
    {"bd09", OG_CRS_BD09},          {"bd-09", OG_CRS_BD09},
};

int og_crs_parse(const char *s, enum og_crs *out)
{
    if (!s || !out)
        return OG_EINVAL;
    for (size_t i = 0; i < sizeof(crs_names) / sizeof(crs_names[0]); i++) {
        if (strcasecmp(s, crs_names[i].name) == 0) {
            *out = crs_names[i].crs;
            return 0;
        }
    }
    return OG_EINVAL;
}

const char *og_crs_name(enum og_crs crs)
{
    switch (crs) {
    case OG_CRS_WGS84:
        return "wgs84";
    case OG_CRS_CGCS2000:
        return "cgcs2000";
    case OG_CRS_GCJ02:
        return "gcj02";
    case OG_CRS_BD09:
        return "bd09";
    case OG_CRS_UNKNOWN:
    default:
        return "unknown";
    }
}

bool og_geo_in_china(double lng, double lat)
{
    return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

/* The GCJ-02 polynomial/trigonometric offsets, written in the reference evaluation order so that
 * results agree bit for bit with the published implementations. x = lng - 105, y = lat - 35. */
static double gcj_dlat(double x, double y)
{
    double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    ret += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
    ret += (20.0 * sin(y * GEO_PI) + 40.0 * sin(y / 3.0 * GEO_PI)) * 2.0 / 3.0;
    ret += (160.0 * sin(y / 12.0 * GEO_PI) + 320.0 * sin(y * GEO_PI / 30.0)) * 2.0 / 3.0;
    return ret;
}

static double gcj_dlng(double x, double y)
{
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    ret += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
    ret += (20.0 * sin(x * GEO_PI) + 40.0 * sin(x / 3.0 * GEO_PI)) * 2.0 / 3.0;
    ret += (150.0 * sin(x / 12.0 * GEO_PI) + 300.0 * sin(x / 30.0 * GEO_PI)) * 2.0 / 3.0;
    return ret;
}

/* The GCJ-02 offset (degrees) at a WGS-84 point. */
static void gcj_delta(double lng, double lat, double *d_lng, double *d_lat)
{
    double dlat = gcj_dlat(lng - 105.0, lat - 35.0);
    double dlng = gcj_dlng(lng - 105.0, lat - 35.0);
    double radlat = lat / 180.0 * GEO_PI;
    double magic = sin(radlat);
    magic = 1.0 - GCJ_EE * magic * magic;
    double sqrtmagic = sqrt(magic);
    *d_lat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtmagic) * GEO_PI);
    *d_lng = (dlng * 180.0) / (GCJ_A / sqrtmagic * cos(radlat) * GEO_PI);
}

void og_wgs84_to_gcj02(double lng, double lat, double *out_lng, double *out_lat)
{
    if (!og_geo_in_china(lng, lat)) {
        *out_lng = lng;
        *out_lat = lat;
        return;
    }
    double d_lng, d_lat;
    gcj_delta(lng, lat, &d_lng, &d_lat);
    *out_lng = lng + d_lng;
    *out_lat = lat + d_lat;
}

void og_gcj02_to_bd09(double lng, double lat, double *out_lng, double *out_lat)
{
    if (!og_geo_in_china(lng, lat)) {
        *out_lng = lng;
        *out_lat = lat;
        return;
    }
    double z = sqrt(lng * lng + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
    double theta = atan2(lat, lng) + 0.000003 * cos(lng * BD_X_PI);
    *out_lng = z * cos(theta) + 0.0065;
    *out_lat = z * sin(theta) + 0.006;
}

void og_bd09_to_gcj02(double lng, double lat, double *out_lng, double *out_lat)
{
    if (!og_geo_in_china(lng, lat)) {
        *out_lng = lng;
        *out_lat = lat;
        return;
    }
    double x = lng - 0.0065;
    double y = lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);
    *out_lng = z * cos(theta);
    *out_lat = z * sin(theta);
}

int og_gcj02_to_wgs84(double lng, double lat, double *out_lng, double *out_lat)
{
    *out_lng = lng;
    *out_lat = lat;
    if (!isfinite(lng) || !isfinite(lat))
        return OG_EINVAL;
    if (!og_geo_in_china(lng, lat))
        return 1;
    /* One-step start: wgs ~ gcj - delta(gcj); then wgs -= fwd(wgs) - gcj. */
    double d_lng, d_lat;
    gcj_delta(lng, lat, &d_lng, &d_lat);
    double w_lng = lng - d_lng;
    double w_lat = lat - d_lat;
    for (int step = 1; step <= INV_MAX_STEPS; step++) {
        double f_lng, f_lat;
        og_wgs84_to_gcj02(w_lng, w_lat, &f_lng, &f_lat);
        double e_lng = f_lng - lng;
        double e_lat = f_lat - lat;
        if (fabs(e_lng) < INV_TOL && fabs(e_lat) < INV_TOL) {
            *out_lng = w_lng;
            *out_lat = w_lat;
            return step;
        }
        w_lng -= e_lng;
        w_lat -= e_lat;
    }
    *out_lng = w_lng;
    *out_lat = w_lat;
    return OG_EINVAL;
}

int og_bd09_to_wgs84(double lng, double lat, double *out_lng, double *out_lat)
{
    double g_lng, g_lat;
    og_bd09_to_gcj02(lng, lat, &g_lng, &g_lat);
    return og_gcj02_to_wgs84(g_lng, g_lat, out_lng, out_lat);
}

int og_geo_to_wgs84(enum og_crs crs, double lng, double lat, double *out_lng, double *out_lat)
{
    if (!isfinite(lng) || !isfinite(lat))
        return OG_EINVAL;
    int rc;
    switch (crs) {
    case OG_CRS_WGS84:
    case OG_CRS_CGCS2000:
        *out_lng = lng;
        *out_lat = lat;
        return 0;
    case OG_CRS_GCJ02:
        rc = og_gcj02_to_wgs84(lng, lat, out_lng, out_lat);
        return rc < 0 ? rc : 0;
    case OG_CRS_BD09:
        rc = og_bd09_to_wgs84(lng, lat, out_lng, out_lat);
        return rc < 0 ? rc : 0;
    case OG_CRS_UNKNOWN:
    default:
        return OG_EINVAL;
    }
}

int og_geo_from_wgs84(enum og_crs crs, double lng, double lat, double *out_lng, double *out_lat)
{
    if (!isfinite(lng) || !isfinite(lat))
        return OG_EINVAL;
    double g_lng, g_lat;
    switch (crs) {
    case OG_CRS_WGS84:
    case OG_CRS_CGCS2000:
        *out_lng = lng;
        *out_lat = lat;
        return 0;
    case OG_CRS_GCJ02:
        og_wgs84_to_gcj02(lng, lat, out_lng, out_lat);
        return 0;
    case OG_CRS_BD09:
        og_wgs84_to_gcj02(lng, lat, &g_lng, &g_lat);
        og_gcj02_to_bd09(g_lng, g_lat, out_lng, out_lat);
        return 0;
    case OG_CRS_UNKNOWN:
    default:
        return OG_EINVAL;
    }
}
