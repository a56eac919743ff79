/* reason.h - the one table of reason codes: why a record was rejected or why a step failed.
 *
 * The codes of kind "record" are written to onegrid.etl_reject.reason, which analysts and
 * departments query: they are a public contract (docs/reasons.md is generated from this table by
 * `onegrid rejects --reasons --markdown`, and a test checks the two agree). A code is never
 * renamed; a new one is added here, with its meaning, and nowhere else. */
#ifndef OG_REASON_H
#define OG_REASON_H

/* Where a code can appear. */
enum og_reason_kind {
    OG_RK_NONE = 0, /* no reason: not an error */
    OG_RK_RECORD, /* a record (or a whole file) is rejected: a row of etl_reject; the run goes on */
    OG_RK_ERROR,  /* a step failed: the run, the command or a generator stops (logged, not a row) */
};

/* X(ENUM, "code", kind, "stages", "meaning"): stages are those that reject records with this code
 * (etl_reject.stage: read, map, reconcile, load), "-" for errors. Order is the documentation order.
 */
#define OG_REASONS(X)                                                                              \
    X(NONE, "", NONE, "-", "no reason: not an error")                                              \
    /* records: read */                                                                            \
    X(BAD_JSON, "bad_json", RECORD, "read", "the record is not valid JSON")                        \
    X(NOT_OBJECT, "not_object", RECORD, "read",                                                    \
      "the record is valid JSON but not an object (an array, a string, a number)")                 \
    X(LINE_TOO_LONG, "line_too_long", RECORD, "read",                                              \
      "an NDJSON line is longer than the connector's max_line_bytes; reading goes on at the next " \
      "line")                                                                                      \
    X(FIELD_COUNT, "field_count", RECORD, "read",                                                  \
      "a CSV record has a different number of fields than the header")                             \
    X(BAD_ENCODING, "bad_encoding", RECORD, "read",                                                \
      "a field is not valid text in the file's declared encoding (or holds a NUL byte); in a CSV " \
      "header, the whole file is rejected")                                                        \
    X(UNTERMINATED_QUOTE, "unterminated_quote", RECORD, "read",                                    \
      "a quoted CSV field is still open at the end of the file")                                   \
    X(RECORD_TOO_LONG, "record_too_long", RECORD, "read",                                          \
      "a CSV record is longer than 16 MiB; it is skipped to its end")                              \
    X(BAD_XML, "bad_xml", RECORD, "read",                                                          \
      "the XML is not well-formed from this point on: the file is rejected as a whole (with "      \
      "partial_files load_prefix the records before the break load)")                              \
    X(XML_DOCTYPE, "xml_doctype", RECORD, "read",                                                  \
      "the whole XML file is refused: it declares a DTD subset or entities, or refers to an "      \
      "external one (untrusted input is read without DTDs and entity expansion)")                  \
    /* records: files rejected as a whole (one reject at stage read; the run goes on) */           \
    X(IO, "io", RECORD, "read",                                                                    \
      "a file cannot be opened or read (as a run's error: a file or socket operation failed)")     \
    X(BAD_DOCUMENT, "bad_document", RECORD, "read",                                                \
      "a JSON document cannot be read as a whole: not an array where records are expected, or "    \
      "cut off before its end")                                                                    \
    X(BAD_HEADER, "bad_header", RECORD, "read",                                                    \
      "a CSV header cannot be read (empty, or not valid in the declared encoding)")                \
    X(DUPLICATE_COLUMN, "duplicate_column", RECORD, "read", "a CSV header names a column twice")   \
    /* records: map */                                                                             \
    X(MISSING_FIELD, "missing_field", RECORD, "map, reconcile",                                    \
      "a field the mapping requires is absent or empty")                                           \
    X(INVALID_TIME, "invalid_time", RECORD, "map",                                                 \
      "a time does not match the mapping's format, or is not a real date and time")                \
    X(INVALID_NUMBER, "invalid_number", RECORD, "map", "a value that must be a number is not one") \
    X(UNKNOWN_CODE, "unknown_code", RECORD, "map",                                                 \
      "a code is not in the mapping's code table or enum, and the policy is to reject")            \
    X(INVALID_VALUE, "invalid_value", RECORD, "map, reconcile",                                    \
      "a value has the wrong type for its field, or is out of range (e.g. a temperature)")         \
    X(TOO_MANY_MEMBERS, "too_many_members", RECORD, "map",                                         \
      "a visit lists more household members than the mapping's members.max")                       \
    X(UNKNOWN_RECORD, "unknown_record", RECORD, "map",                                             \
      "a record is of none of the kinds the mapping lists (e.g. an XML element that is neither "   \
      "RKXX nor CZFW)")                                                                            \
    /* records: reconcile */                                                                       \
    X(INVALID_ID, "invalid_id", RECORD, "reconcile",                                               \
      "an identity number fails its check (format, birth date or check character) and the "        \
      "mapping requires it valid")                                                                 \
    X(INVALID_STATUS, "invalid_status", RECORD, "reconcile",                                       \
      "the unified status is not one of reported, dispatched, in_progress, resolved, closed, "     \
      "void")                                                                                      \
    X(INVALID_CATEGORY, "invalid_category", RECORD, "reconcile",                                   \
      "the category code is not in the unified taxonomy")                                          \
    X(INVALID_POINT, "invalid_point", RECORD, "reconcile",                                         \
      "coordinates are not numbers, are out of range, or cannot be converted to WGS-84")           \
    X(INVALID_CRS, "invalid_crs", RECORD, "reconcile",                                             \
      "the coordinate system named by the record is not WGS-84, CGCS2000, GCJ-02 or BD-09")        \
    /* errors: configuration */                                                                    \
    X(BAD_CONFIG, "bad_config", ERROR, "-",                                                        \
      "the configuration file, a command-line value or an environment setting is wrong")           \
    X(BAD_MAPPING, "bad_mapping", ERROR, "-",                                                      \
      "a mapping file is wrong: unknown key, field, conversion, or a conversion that can fail "    \
      "without a policy")                                                                          \
    X(BAD_TIME_FORMAT, "invalid_format", ERROR, "-",                                               \
      "a time format in a mapping is not a pattern, iso8601, epoch_ms or epoch_s")                 \
    X(BAD_KEY, "bad_key", ERROR, "-",                                                              \
      "the identity-hashing key is missing, too short or long, or its file is readable by others") \
    X(BAD_TABLE, "bad_table", ERROR, "-",                                                          \
      "a code table, taxonomy or world CSV is malformed or lacks a column")                        \
    X(BAD_WORLD, "bad_world", ERROR, "-",                                                          \
      "world files (divisions, grids, department grids, crosswalks) are inconsistent or "          \
      "cannot be generated")                                                                       \
    X(BAD_GEOMETRY, "bad_geometry", ERROR, "-",                                                    \
      "a GeoJSON geometry is not a valid Polygon or MultiPolygon")                                 \
    /* errors: the warehouse and the process */                                                    \
    X(DB, "db", ERROR, "-", "PostgreSQL reported an error (its SQLSTATE is kept with the error)")  \
    X(CONNECT, "connect", ERROR, "-", "could not connect to PostgreSQL")                           \
    X(NO_MEMORY, "no_memory", ERROR, "-", "an allocation failed")                                  \
    X(CRYPTO, "crypto", ERROR, "-", "the crypto library failed to compute a hash")                 \
    X(INTERRUPTED, "interrupted", ERROR, "-",                                                      \
      "the run was stopped by SIGINT or SIGTERM after committing its current batch")               \
    X(LOCKED, "locked", ERROR, "-",                                                                \
      "another run or stream is loading the source (or a rename holds it): this run left it "      \
      "alone")

enum og_reason {
#define OG_REASON_ENUM(e, code, kind, stage, meaning) OG_R_##e,
    OG_REASONS(OG_REASON_ENUM)
#undef OG_REASON_ENUM
        OG_R__COUNT
};

/* The code as written to etl_reject.reason ("bad_json"); "" for OG_R_NONE; "?" out of range. */
const char *og_reason_name(enum og_reason r);
/* One sentence saying what it means (static). */
const char *og_reason_meaning(enum og_reason r);
enum og_reason_kind og_reason_kind(enum og_reason r);
/* The stages that reject records with this code ("read", "map, reconcile"), or "-". */
const char *og_reason_stages(enum og_reason r);
/* The reason whose code is name, or -1. */
int og_reason_parse(const char *name);

#endif
