/* fuzz_csv_reader.c — the fuzz input through the CSV reader of lib/io.c
 * (pcs_reader forced to PCS_FMT_CSV); see reader_body.h for what it does. */
#include <stdint.h>

#define FUZZ_READER_FORMAT PCS_FMT_CSV
#include "reader_body.h"
