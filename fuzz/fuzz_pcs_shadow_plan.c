/* fuzz_pcs_shadow_plan.c — a risk stream into pcs-shadow-plan's record loop,
 * with testdata/plan/topology.csv and no state file (fuzz_state covers the state).
 *
 * The fuzz input is the tool's stream operand (a temporary file); the
 * driver in tool_harness.c runs the tool's main() in process, turns its
 * exit() into a return and releases what the run left.  The argv is fixed
 * and cheap; the same command on the regression inputs is in
 * tests/85-fuzz-regressions.bats.
 */
#include "tool_harness.h"

int pcs_shadow_plan_main(int argc, char **argv);

static const char *const args[] = {
	"pcs-shadow-plan", "-t", "@ROOT@/testdata/plan/topology.csv", "--summary", "--skip-bad", "@INPUT@", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tool_run(pcs_shadow_plan_main, args, data, size);
}
