/* files.h - the files of a source as one og_source: every file its inputs match, in name order,
 * read by a file connector (core/connector.h). A file whose content hash the warehouse has as done
 * is skipped; one cut short resumes after its last committed record. */
#ifndef OG_FILES_H
#define OG_FILES_H

#include "core/connector.h"
#include "core/source.h"

/* The files source. Its options (built by the job, not written by users):
 *   "inputs": [paths or globs, resolved],
 *   "connector": the file connector's name (registry),
 *   "connector_options": {the connector's options, already checked}.
 * The host's lookup may be NULL: no ledger, every file is read whole (onegrid map). */
extern const struct og_source_ops og_files_source;

/* The options above as a new JSON object (NULL on out of memory). */
json_t *og_files_options(const char *const *inputs, size_t ninputs, const char *connector,
                         const json_t *connector_options);

#endif
