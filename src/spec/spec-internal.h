/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the decoder (decode.c), the checks (validate.c) and the
 * entry points (spec.c) of the spec module; not part of its interface. */
#ifndef OCICHROOT_SPEC_INTERNAL_H
#define OCICHROOT_SPEC_INTERNAL_H

#include "ocichroot/json.h"
#include "ocichroot/spec.h"

/* Decode `root` into s (already zeroed). On failure s is partially filled
 * and must be freed by the caller. `prefix` is the JSON path of the value
 * ("" for a document of its own, "process" inside config.json). */
int oc_spec_decode(const struct oc_json *root, struct oc_spec *s, oc_error_t *err);
int oc_spec_decode_process(const struct oc_json *v, const char *prefix, struct oc_spec_process *p,
			   oc_error_t *err);
int oc_spec_decode_resources(const struct oc_json *v, const char *prefix, struct oc_spec_resources *r,
			     oc_error_t *err);

int oc_spec_validate_process(const struct oc_spec_process *p, const char *prefix, oc_error_t *err);
int oc_spec_validate_resources(const struct oc_spec_resources *r, const char *prefix, oc_error_t *err);

/* free the members of p / r, not p / r itself, nor the doc */
void oc_spec_process_clear(struct oc_spec_process *p);
void oc_spec_resources_clear(struct oc_spec_resources *r);

#endif
