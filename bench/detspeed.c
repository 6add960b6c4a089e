/* detspeed — points per second of the online detector alone
 * (lib/pcs_detector.h): a daily cycle of 288 points with noise, N points
 * (default 10,000,000), CPU time of the stepping loop only.
 *
 *   detspeed [N]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pcs_detector.h"

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000, period = 288;
	double *y = malloc((n ? n : 1) * sizeof *y), sum = 0, cpu;
	pcs_detector *d = pcs_detector_new(86400 / (int64_t)period, NULL);
	struct pcs_detection o;
	struct timespec a, b;
	unsigned s = 1;

	if (y == NULL || d == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		s = s * 1103515245u + 12345u;
		y[i] = 100 + 20 * sin(2 * M_PI * (double)(i % period) / (double)period) +
		       (double)((s >> 16) % 100) / 10.0;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (size_t i = 0; i < n; i++) {
		pcs_detector_step(d, y[i], &o);
		sum += o.score;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	cpu = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	/* the checksum keeps the loop from being optimized away */
	printf("%zu %.6f %.0f %.6g\n", n, cpu, cpu > 0 ? (double)n / cpu : 0, sum);
	pcs_detector_free(d);
	free(y);
	return 0;
}
