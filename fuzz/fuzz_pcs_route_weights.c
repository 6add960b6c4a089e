/* fuzz_pcs_route_weights.c — a health stream into pcs-route-weights' record
 * loop, with a plan (testdata/route/plan/plan-03.csv), a tick per timestamp.
 *
 * The fuzz input is the tool's stream operand (a temporary file); the
 * driver in tool_harness.c runs the tool's main() in process, turns its
 * exit() into a return and releases what the run left.  The argv is fixed
 * and cheap; the same command on the regression inputs is in
 * tests/85-fuzz-regressions.bats.
 */
#include "tool_harness.h"

int pcs_route_weights_main(int argc, char **argv);

static const char *const args[] = {
	"pcs-route-weights", "--plan", "@ROOT@/testdata/route/plan/plan-03.csv", "--each-tick", "--skip-bad", "@INPUT@", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tool_run(pcs_route_weights_main, args, data, size);
}
