/* pcs.h — the whole libpcs interface.
 *
 * libpcs holds every model and decision of the pcs toolkit; the programs in
 * cmd/ only parse options, move records and report errors.  The library
 * never prints, exits or reads the environment: failures come back as codes
 * with a pcs_error (pcs_error.h) that the program turns into text.
 */
#ifndef PCS_H
#define PCS_H

#include "pcs_error.h"
#include "pcs_time.h"
#include "pcs_io.h"
#include "pcs_numfmt.h"
#include "pcs_grow.h"
#include "pcs_series.h"
#include "pcs_events.h"
#include "pcs_models.h"
#include "pcs_quantiles.h"
#include "pcs_detector.h"
#include "pcs_forecast.h"
#include "pcs_qdist.h"
#include "pcs_risk.h"
#include "pcs_strset.h"
#include "pcs_state.h"
#include "pcs_shadow.h"
#include "pcs_route.h"
#include "pcs_sim.h"
#include "pcs_dmtest.h"
#include "pcs_modelfile.h"
#include "pcs_backtest.h"
#include "pcs_knee.h"

#endif
