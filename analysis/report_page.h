/* report_page.h - the page of `onegrid report`: one self-contained HTML5 document (inline SVG map
 * and CSS, no script, no external resource) from an overview read by report_data.h. Pure: it
 * builds text and writes no file. */
#ifndef OG_REPORT_PAGE_H
#define OG_REPORT_PAGE_H

#include "analysis/report_data.h"
#include "core/buf.h"
#include "core/error.h"

/* How many grids the table of the worst ones lists. */
#define OG_REPORT_WORST 20

/* Appends the page for ov coloured by measure m to out: a map with one <path class="grid cK"
 * data-grid="CODE"> per unified grid (K the class 0..4, or "nodata") with a <title> for hover,
 * one CSS-only toggle per department whose grids are drawn over it, a legend with each class's
 * range and how the classes were chosen, the worst grids and the last runs. version is onegrid's
 * (in the footer). 0, or OG_ENOMEM / OG_EPARSE / OG_EINVAL (a geometry that cannot be drawn) with
 * err filled. The page is also well-formed XML (void elements closed with "/>"), so XML tools
 * can read it. */
int og_report_page(const struct og_overview *ov, enum og_measure m, const char *version,
                   struct og_buf *out, struct og_error *err);

#endif
