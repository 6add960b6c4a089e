/* Unit tests: a provisioning level chosen within a cost budget
 * (pcs_budget.h): the hold, the window, the choice and its edges. */
#include <stdlib.h>

#include "tap.h"
#include "pcs_budget.h"

/* Feed n ticks of the same wants and reference. */
static void
feed(pcs_budget *b, const long *want, long ref, int n)
{
	for (int i = 0; i < n; i++)
		pcs_budget_tick(b, want, 0, ref);
}

int
main(void)
{
	pcs_budget *b;

	ok(pcs_budget_new(0, 1.1, 10, 1) == NULL, "no levels: refused");
	ok(pcs_budget_new(2, 0, 10, 1) == NULL, "a budget of 0: refused");
	ok(pcs_budget_new(2, 1.1, 0, 1) == NULL, "an empty window: refused");
	ok(pcs_budget_new(2, 1.1, 10, 0) == NULL, "a hold of 0 ticks: refused");

	/* before any tick: the highest level (what the operator asked for) */
	b = pcs_budget_new(3, 1.2, 10, 1);
	ok(b != NULL, "a budget of three levels");
	ok(pcs_budget_choice(b) == 2, "no tick yet: the highest level");

	/* levels wanting 10, 11 and 13 against a reference of 10: within 1.2,
	 * the second; the third is 1.3 */
	feed(b, (long[]){ 10, 11, 13 }, 10, 5);
	is_num(pcs_budget_held(b, 0), 50, 0, "level 0 held 5 x 10 instance-ticks");
	is_num(pcs_budget_held(b, 4), 50, 0, "the reference held 5 x 10");
	ok(pcs_budget_choice(b) == 1, "the highest level within 1.2 x the reference");

	/* the window forgets: 10 ticks of a dearer reference replace the old ones */
	feed(b, (long[]){ 10, 11, 13 }, 11, 10);
	is_num(pcs_budget_held(b, 4), 110, 0, "only the window's 10 ticks of the reference are summed");
	is_num(pcs_budget_held(b, 2), 130, 0, "... and of level 2");
	ok(pcs_budget_choice(b) == 2, "13 / 11 is within 1.2: the highest level");

	/* what is held besides the levels counts for every level: 2 more a
	 * tick puts 13 + 2 over 1.2 x 11 */
	feed(b, (long[]){ 10, 11, 13 }, 11, 0);
	for (int i = 0; i < 10; i++)
		pcs_budget_tick(b, (long[]){ 10, 11, 13 }, 2, 11);
	is_num(pcs_budget_held(b, 3), 20, 0, "the instances held besides, summed");
	ok(pcs_budget_choice(b) == 1, "with them, the highest level within 1.2 x the reference");
	/* a fraction (a warm instance's cost) counts as such */
	for (int i = 0; i < 10; i++)
		pcs_budget_tick(b, (long[]){ 10, 11, 13 }, 0.1, 11);
	is_num(pcs_budget_held(b, 3), 1, 1e-9, "ten warm instances at 0.1: one");
	ok(pcs_budget_choice(b) == 2, "... within the budget again");

	/* nothing within the budget: the lowest level */
	feed(b, (long[]){ 20, 30, 40 }, 10, 10);
	ok(pcs_budget_choice(b) == 0, "every level over budget: the lowest");
	pcs_budget_free(b);

	/* the hold: what was wanted within the last 3 ticks is held, the way
	 * pcs-replay keeps an instance a boot after it was last wanted */
	b = pcs_budget_new(1, 1, 100, 3);
	pcs_budget_tick(b, (long[]){ 5 }, 0, 1);
	pcs_budget_tick(b, (long[]){ 1 }, 0, 1);
	pcs_budget_tick(b, (long[]){ 1 }, 0, 1);
	is_num(pcs_budget_held(b, 0), 15, 0, "a want of 5 is held for 3 ticks");
	pcs_budget_tick(b, (long[]){ 1 }, 0, 1);
	is_num(pcs_budget_held(b, 0), 16, 0, "... and released on the 4th");
	pcs_budget_free(b);

	/* a hold of 1 keeps only what is wanted now; the reference is never held */
	b = pcs_budget_new(1, 1, 100, 1);
	pcs_budget_tick(b, (long[]){ 5 }, 0, 9);
	pcs_budget_tick(b, (long[]){ 1 }, 0, 1);
	is_num(pcs_budget_held(b, 0), 6, 0, "hold 1: held what was wanted");
	is_num(pcs_budget_held(b, 2), 10, 0, "the reference's own counts");
	ok(pcs_budget_choice(b) == 0, "one level: always it");
	pcs_budget_free(b);

	/* a long run: the sums stay exact after the ring wraps many times */
	b = pcs_budget_new(2, 1.5, 7, 2);
	for (int i = 0; i < 100000; i++)
		pcs_budget_tick(b, (long[]){ i % 3, 2 * (i % 3) }, 0, 1);
	{
		/* the last 7 ticks, i = 99993..99999, each held the most of its
		 * own want and the one before */
		double want0 = 0, want1 = 0;
		for (int i = 99993; i < 100000; i++) {
			long a = i % 3, p = (i - 1) % 3;
			want0 += a > p ? a : p;
			want1 += 2 * (a > p ? a : p);
		}
		is_num(pcs_budget_held(b, 0), want0, 0, "after 100,000 ticks: level 0's window sum");
		is_num(pcs_budget_held(b, 1), want1, 0, "... level 1's");
		is_num(pcs_budget_held(b, 3), 7, 0, "... the reference's");
	}
	pcs_budget_free(b);
	pcs_budget_free(NULL);
	return tap_done();
}
