/* fuzz_ndjson_reader.c — the fuzz input through the NDJSON reader of lib/io.c
 * (pcs_reader forced to PCS_FMT_NDJSON); see reader_body.h for what it does. */
#include <stdint.h>

#define FUZZ_READER_FORMAT PCS_FMT_NDJSON
#include "reader_body.h"
