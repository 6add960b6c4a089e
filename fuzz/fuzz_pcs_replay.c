/* fuzz_pcs_replay.c — a metrics history into pcs-replay: every policy over
 * testdata/topology.csv, with a short warm-up, daily refits, snaive and a
 * provisioning budget (its ladder of calibrations and counterfactuals).
 *
 * The fuzz input is the tool's stream operand (a temporary file); the
 * driver in tool_harness.c runs the tool's main() in process, turns its
 * exit() into a return and releases what the run left.  The argv is fixed
 * and cheap; the same command on the regression inputs is in
 * tests/85-fuzz-regressions.bats.
 */
#include "tool_harness.h"

int pcs_replay_main(int argc, char **argv);

static const char *const args[] = {
	"pcs-replay", "-t", "@ROOT@/testdata/topology.csv", "--model", "snaive", "--warmup", "1h", "--refit", "1d", "--window", "2d", "--provision-budget", "1.15", "--skip-bad", "@INPUT@", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tool_run(pcs_replay_main, args, data, size);
}
