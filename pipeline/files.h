/* files.h - the files of a source as one og_source: every file its inputs match, in name order,
 * read by a file connector (core/connector.h). A file whose content hash the warehouse has as done
 * is skipped; one cut short resumes after its last committed record. A file that cannot be read as
 * a whole (cut off, broken, a header in another encoding, unreadable) is one reject (stage read)
 * and is committed as done and failed, so that the run goes on and the same content is not read
 * again; a corrected file (another hash) is. */
#ifndef OG_FILES_H
#define OG_FILES_H

#include "core/connector.h"
#include "core/source.h"

#include <stdbool.h>

/* The files source. Its options (built by the job, not written by users):
 *   "inputs": [paths or globs, resolved],
 *   "connector": the file connector's name (registry),
 *   "connector_options": {the connector's options, already checked},
 *   "load_prefix": true or false (see og_files_options).
 * The host's lookup may be NULL: no ledger, every file is read whole (onegrid map). */
extern const struct og_source_ops og_files_source;

/* The options above as a new JSON object (NULL on out of memory), with "load_prefix": the records
 * before a break in a file load (partial_files "load_prefix"); false: the connector's verify reads
 * the file whole first and nothing of a broken file loads ("reject_file"). */
json_t *og_files_options(const char *const *inputs, size_t ninputs, const char *connector,
                         const json_t *connector_options, bool load_prefix);

#endif
