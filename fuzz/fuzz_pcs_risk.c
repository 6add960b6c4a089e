/* fuzz_pcs_risk.c — a forecast stream into pcs-risk's record loop, against
 * testdata/capacity.csv, with --current.
 *
 * The fuzz input is the tool's stream operand (a temporary file); the
 * driver in tool_harness.c runs the tool's main() in process, turns its
 * exit() into a return and releases what the run left.  The argv is fixed
 * and cheap; the same command on the regression inputs is in
 * tests/85-fuzz-regressions.bats.
 */
#include "tool_harness.h"

int pcs_risk_main(int argc, char **argv);

static const char *const args[] = {
	"pcs-risk", "-c", "@ROOT@/testdata/capacity.csv", "--current", "--skip-bad", "@INPUT@", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tool_run(pcs_risk_main, args, data, size);
}
