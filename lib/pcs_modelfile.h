/* pcs_modelfile.h — model files: what pcs-retrain writes and pcs-forecast -m
 * reads.
 *
 * A model file is one JSON object (format "pcs-model", version
 * PCS_MODEL_VERSION) with, per key (group, region), the chosen
 * configuration, the fitted parameters, the calibration sketch
 * (pcs_forecast.h), the span of history it was fitted on and the backtest
 * scores that chose it.  Numbers are written with 17 significant digits, so
 * a model read back forecasts to the bit as the one written.  Files are
 * replaced atomically (pcs_state_write).  See pcs-formats(5).
 */
#ifndef PCS_MODELFILE_H
#define PCS_MODELFILE_H

#include <stdint.h>

#include <jansson.h>

#include "pcs_error.h"
#include "pcs_forecast.h"

#define PCS_MODEL_FORMAT "pcs-model"
#define PCS_MODEL_VERSION 1

/* Backtest scores of one configuration on one key (NaN where a score has
 * no data, e.g. coverage without a central interval). */
struct pcs_scores {
	double mase, smape, pinball, coverage, msis;
	double scale;             /* the MASE scale the scores were divided by */
	size_t n;                 /* origin x horizon pairs scored */
};

struct pcs_model_entry {
	char *group, *region;     /* region "" when the key has none */
	struct pcs_fitted fit;
	struct pcs_scores scores;
	int64_t first, last;      /* the history fitted on: first and last sample */
	size_t samples;
};

struct pcs_model_file {
	char *name, *created, *criterion;
	int global;
	size_t origins, every;    /* the backtest: origins and steps between them */
	size_t nh;                /* its horizons, in steps */
	size_t *horizons;
	size_t nlevels;           /* its quantile levels */
	double *levels;
	size_t n, cap;
	struct pcs_model_entry *e;   /* sorted by (group, region) once read */
};

void pcs_model_file_init(struct pcs_model_file *mf);
void pcs_model_file_free(struct pcs_model_file *mf);

/* Append an entry (taking over its strings and arrays); 0 or PCS_ENOMEM. */
int pcs_model_file_add(struct pcs_model_file *mf, struct pcs_model_entry *e);
/* Sort the entries by key: PCS_EDATA naming a key that appears twice. */
int pcs_model_file_sort(struct pcs_model_file *mf, pcs_error *err);
/* The entry of a key, or NULL (the file must be sorted). */
const struct pcs_model_entry *pcs_model_file_find(const struct pcs_model_file *mf,
                                                  const char *group, const char *region);

/* Read and check a model file: bad JSON names its line and column; a file
 * of another format, of a version other than PCS_MODEL_VERSION ("from the
 * future" when newer), or with a bad entry is PCS_EDATA naming the entry
 * and field. */
int pcs_model_file_read(const char *path, struct pcs_model_file *mf, pcs_error *err);
json_t *pcs_model_file_json(const struct pcs_model_file *mf);

#endif
