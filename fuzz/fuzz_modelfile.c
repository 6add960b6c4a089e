/* fuzz_modelfile.c — the fuzz input as a model file (pcs_modelfile.h)
 * through pcs_model_file_read, from a temporary file.
 *
 * A file that loads is looked up by every key it has, written back with
 * pcs_model_file_json, and read again: the second read must succeed and
 * write the same JSON (the format promises that a model read back is the
 * one written); __builtin_trap when it does not.  Leak detection stays on.
 */
#include <stdlib.h>
#include <string.h>

#include "pcs.h"
#include "tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcs_model_file mf, mf2;
	pcs_error err;
	json_t *j, *j2;
	char *text;

	pcs_model_file_init(&mf);
	if (pcs_model_file_read(fuzz_write_temp(data, size), &mf, &err) != 0) {
		if (err.msg[0] == '\0')
			__builtin_trap();
		pcs_model_file_free(&mf);
		return 0;
	}
	for (size_t i = 0; i < mf.n; i++)
		if (pcs_model_file_find(&mf, mf.e[i].group, mf.e[i].region) != &mf.e[i])
			__builtin_trap();
	if ((j = pcs_model_file_json(&mf)) == NULL)
		abort();
	if ((text = json_dumps(j, JSON_COMPACT)) == NULL)
		abort();
	pcs_model_file_init(&mf2);
	if (pcs_model_file_read(fuzz_write_temp(text, strlen(text)), &mf2, &err) != 0)
		__builtin_trap();
	if ((j2 = pcs_model_file_json(&mf2)) == NULL)
		abort();
	if (!json_equal(j, j2))
		__builtin_trap();
	json_decref(j2);
	json_decref(j);
	free(text);
	pcs_model_file_free(&mf2);
	pcs_model_file_free(&mf);
	return 0;
}
