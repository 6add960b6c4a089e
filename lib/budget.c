/* budget.c — a provisioning level chosen within a cost budget
 * (pcs_budget.h). */
#include <stdlib.h>

#include "pcs_budget.h"

struct pcs_budget {
	size_t nl, window, hold;
	double budget;
	long *wants;                  /* hold x nl: the last hold ticks' wants, a ring */
	double *held;                 /* window x (nl + 2): what each level held, a ring; then
	                                 what was held besides, and the reference */
	double *sum;                  /* nl + 2: the sums of held over the ring */
	size_t ticks;                 /* ticks seen */
};

pcs_budget *
pcs_budget_new(size_t nlevels, double budget, size_t window, size_t hold)
{
	pcs_budget *b;

	if (nlevels == 0 || !(budget > 0) || window == 0 || hold == 0)
		return NULL;
	if ((b = calloc(1, sizeof *b)) == NULL)
		return NULL;
	b->nl = nlevels;
	b->budget = budget;
	b->window = window;
	b->hold = hold;
	b->wants = calloc(hold * nlevels, sizeof *b->wants);
	b->held = calloc(window * (nlevels + 2), sizeof *b->held);
	b->sum = calloc(nlevels + 2, sizeof *b->sum);
	if (b->wants == NULL || b->held == NULL || b->sum == NULL) {
		pcs_budget_free(b);
		return NULL;
	}
	return b;
}

void
pcs_budget_free(pcs_budget *b)
{
	if (b == NULL)
		return;
	free(b->wants);
	free(b->held);
	free(b->sum);
	free(b);
}

/* Count n in slot k of the tick's row h; the row's old count leaves the
 * window's sum once the window is full. */
static void
put(pcs_budget *b, double *h, size_t k, double n)
{
	if (b->ticks >= b->window)
		b->sum[k] -= h[k];
	h[k] = n;
	b->sum[k] += n;
}

void
pcs_budget_tick(pcs_budget *b, const long *want, double besides, long reference)
{
	long *w = b->wants + (b->ticks % b->hold) * b->nl;
	double *h = b->held + (b->ticks % b->window) * (b->nl + 2);
	size_t seen = b->ticks + 1 < b->hold ? b->ticks + 1 : b->hold;

	/* a level holds the most it wanted within the hold, this tick's included */
	for (size_t k = 0; k < b->nl; k++) {
		long n = w[k] = want[k];
		for (size_t a = 0; a < seen; a++)
			if (b->wants[a * b->nl + k] > n)
				n = b->wants[a * b->nl + k];
		put(b, h, k, (double)n);
	}
	put(b, h, b->nl, besides);
	put(b, h, b->nl + 1, (double)reference);
	b->ticks++;
}

size_t
pcs_budget_choice(const pcs_budget *b)
{
	if (b->ticks == 0)
		return b->nl - 1;
	for (size_t k = b->nl; k-- > 0;)
		if (b->sum[k] + b->sum[b->nl] <= b->budget * b->sum[b->nl + 1])
			return k;
	return 0;
}

double
pcs_budget_held(const pcs_budget *b, size_t k)
{
	return k < b->nl + 2 ? b->sum[k] : 0;
}
