/* events.c — a list of known events, filtered per group (pcs_events.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_events.h"
#include "pcs_grow.h"

struct stored {
	struct pcs_event e;
	size_t group;         /* index into groups, or SIZE_MAX for every group */
};

struct pcs_events {
	struct stored *ev;
	size_t n, cap;
	char **names, **groups;
	size_t nnames, ngroups, names_cap, groups_cap;
};

pcs_events *
pcs_events_new(void)
{
	return calloc(1, sizeof(pcs_events));
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
pcs_events_free(pcs_events *ev)
{
	if (ev == NULL)
		return;
	free(ev->ev);
	free_strings(ev->names, ev->nnames);
	free_strings(ev->groups, ev->ngroups);
	free(ev);
}

/* The index of s in v[0..*n), added when absent; SIZE_MAX on no memory.
 * Names are few (kinds of event), so a linear search is enough. */
static size_t
intern(char ***v, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return i;
	char **nv = pcs_grow(*v, *n, cap, sizeof *nv, 8);
	if (nv == NULL)
		return SIZE_MAX;
	*v = nv;
	if (((*v)[*n] = strdup(s)) == NULL)
		return SIZE_MAX;
	return (*n)++;
}

int
pcs_events_add(pcs_events *ev, int64_t start, int64_t end, const char *name, const char *group,
               double lift, pcs_error *err)
{
	struct stored st;

	if (end <= start)
		return pcs_error_set(err, PCS_EDATA, 0, "end", "the event does not end after it starts");
	if (!isnan(lift) && !(lift > 0 && isfinite(lift)))
		return pcs_error_set(err, PCS_EDATA, 0, "lift", "want a multiplier above 0");
	st.e.start = start;
	st.e.end = end;
	st.e.lift = lift;
	st.e.name = intern(&ev->names, &ev->nnames, &ev->names_cap, name);
	st.group = group && *group ? intern(&ev->groups, &ev->ngroups, &ev->groups_cap, group) :
	           SIZE_MAX - 1;
	if (st.e.name == SIZE_MAX || st.group == SIZE_MAX)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	struct stored *nv = pcs_grow(ev->ev, ev->n, &ev->cap, sizeof *nv, 16);
	if (nv == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	ev->ev = nv;
	ev->ev[ev->n++] = st;
	return 0;
}

static int
by_start(const void *a, const void *b)
{
	const struct stored *x = a, *y = b;

	if (x->e.start != y->e.start)
		return (x->e.start > y->e.start) - (x->e.start < y->e.start);
	return (x->e.end > y->e.end) - (x->e.end < y->e.end);
}

pcs_events *
pcs_events_for_group(const pcs_events *ev, const char *group)
{
	pcs_events *out = pcs_events_new();
	pcs_error err;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < ev->n; i++) {
		const struct stored *st = &ev->ev[i];
		if (st->group != SIZE_MAX - 1 && (group == NULL || strcmp(ev->groups[st->group], group) != 0))
			continue;
		if (pcs_events_add(out, st->e.start, st->e.end, ev->names[st->e.name], NULL, st->e.lift,
		                   &err) != 0) {
			pcs_events_free(out);
			return NULL;
		}
	}
	if (out->n > 1)
		qsort(out->ev, out->n, sizeof *out->ev, by_start);
	return out;
}

size_t
pcs_events_count(const pcs_events *ev)
{
	return ev ? ev->n : 0;
}

const struct pcs_event *
pcs_events_get(const pcs_events *ev, size_t i)
{
	return &ev->ev[i].e;
}

size_t
pcs_events_names(const pcs_events *ev)
{
	return ev ? ev->nnames : 0;
}
