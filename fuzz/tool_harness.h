/* tool_harness.h — the driver that the six binary harnesses share
 * (fuzz/tool_harness.c).
 *
 * A binary harness compiles cmd/pcs-X.c with -Dmain=pcs_X_main and links it
 * with -Wl,--wrap=exit (and the allocation and file wrappers listed in
 * fuzz/fuzz.mk), so that the tool's exit() returns to the harness instead of
 * ending the fuzzer, and what the run allocated or opened and did not free
 * or close before exit() is released afterwards.
 */
#ifndef PCS_FUZZ_TOOL_HARNESS_H
#define PCS_FUZZ_TOOL_HARNESS_H

#include <stddef.h>
#include <stdint.h>

typedef int (*fuzz_tool_main)(int argc, char **argv);

/* Run main with argv (NULL-terminated; "@INPUT@" stands for a file holding
 * data, "@ROOT@/" at the start of an argument for the checkout's root).
 * Returns 0 (libFuzzer's "keep going"). */
int fuzz_tool_run(fuzz_tool_main main_fn, const char *const *argv, const uint8_t *data,
                  size_t size);

#endif
