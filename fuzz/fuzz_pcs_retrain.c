/* fuzz_pcs_retrain.c — a metrics stream into pcs-retrain's training mode: a
 * small grid (snaive and one ETS form), few origins, one thread.
 *
 * The fuzz input is the tool's stream operand (a temporary file); the
 * driver in tool_harness.c runs the tool's main() in process, turns its
 * exit() into a return and releases what the run left.  The argv is fixed
 * and cheap; the same command on the regression inputs is in
 * tests/85-fuzz-regressions.bats.
 */
#include "tool_harness.h"

int pcs_retrain_main(int argc, char **argv);

static const char *const args[] = {
	"pcs-retrain", "-j", "1", "-H", "5m", "--origins", "3", "--models", "snaive,ets", "--seasons", "daily", "--trends", "damped", "--transforms", "none", "--quantile-methods", "conformal", "--window", "2d", "--skip-bad", "@INPUT@", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tool_run(pcs_retrain_main, args, data, size);
}
