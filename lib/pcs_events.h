/* pcs_events.h — known events (launches, matches, campaigns), the events
 * stream of pcs-formats(5): start, end, name, group?, lift?.
 *
 * An event is active on [start, end).  Events with the same name are
 * occurrences of one kind of event, whose effect a model may learn from the
 * past occurrences in its history; `lift` (a multiplier of demand, > 0) is
 * the effect to assume for a name with no past occurrence to learn from.
 * An event without a group applies to every group.
 */
#ifndef PCS_EVENTS_H
#define PCS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"

/* The longest event name, as every name field (pcs-formats(5), LIMITS). */
#define PCS_EVENT_NAME_MAX 255

struct pcs_event {
	int64_t start, end;   /* Unix seconds, start < end */
	size_t name;          /* index into the names */
	double lift;          /* NaN when not given */
};

typedef struct pcs_events pcs_events;

pcs_events *pcs_events_new(void);
void pcs_events_free(pcs_events *ev);

/* Add one event; group NULL or "" for every group.  0, PCS_EDATA (end not
 * after start, lift not positive) or PCS_ENOMEM. */
int pcs_events_add(pcs_events *ev, int64_t start, int64_t end, const char *name,
                   const char *group, double lift, pcs_error *err);

/* The events that apply to group (those without a group, and the group's
 * own), sorted by start; NULL on no memory. */
pcs_events *pcs_events_for_group(const pcs_events *ev, const char *group);

size_t pcs_events_count(const pcs_events *ev);
const struct pcs_event *pcs_events_get(const pcs_events *ev, size_t i);
size_t pcs_events_names(const pcs_events *ev);

#endif
