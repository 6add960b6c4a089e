/* pcs_budget.h — a provisioning level chosen within a cost budget.
 *
 * Why: a quantile level is the newsvendor's rule, and what it costs depends
 * on the series: on the NASA 1995 trace the 0.99 quantile of the next boot
 * costs 1.14 times the instance-hours of a Kubernetes HPA, on the Twitter
 * 2021 trace, whose flash crowds come at a few minutes of every half-hour,
 * 1.32 times.  An operator knows the cost they accept ("at most 15% more
 * than our autoscaler"), not the level that gives it.  So the level is
 * chosen from the cost, and is reconsidered as the series changes.
 *
 * Method: for each candidate level (ascending), the instances that level's
 * provisioning would have held at each of the last `window` ticks (what it
 * wanted, kept for `hold` ticks after it last was, as pcs-replay keeps
 * them: the ski-rental rule), the instances the policy held besides
 * (pcs-replay: the shadows on the secondaries, whatever the level), and the
 * instances a reference policy held (pcs-replay: an HPA run on the same
 * demand).  The choice is the highest level whose instance-ticks over the
 * window, with those held besides, are at most `budget` times the
 * reference's; the lowest level when none is; the highest before any tick.
 * These are counterfactuals of the past only: what each level would have
 * cost, not what it will.
 *
 * Memory: (window + hold) x (levels + 2) counts.  Time: O(levels x hold)
 * a tick, O(levels) a choice.
 */
#ifndef PCS_BUDGET_H
#define PCS_BUDGET_H

#include <stddef.h>

typedef struct pcs_budget pcs_budget;

/* nlevels >= 1 candidates, budget > 0 (a multiple of the reference's
 * instance-ticks), window >= 1 and hold >= 1 in ticks (a hold of 1 keeps
 * an instance only while it is wanted).  NULL when out of memory or the
 * arguments are out of range. */
pcs_budget *pcs_budget_new(size_t nlevels, double budget, size_t window, size_t hold);
void pcs_budget_free(pcs_budget *b);

/* One tick: want[k] the instances level k's provisioning wants now,
 * besides the instances held besides them (whatever the level; a warm
 * instance counts as its cost's fraction of one), reference the
 * instances the reference policy holds now. */
void pcs_budget_tick(pcs_budget *b, const long *want, double besides, long reference);

/* The index of the level chosen, in 0 .. nlevels - 1. */
size_t pcs_budget_choice(const pcs_budget *b);

/* The instance-ticks over the ticks in the window of level k's
 * provisioning (k < nlevels), of those held besides (k = nlevels) or of
 * the reference (k = nlevels + 1). */
double pcs_budget_held(const pcs_budget *b, size_t k);

#endif
