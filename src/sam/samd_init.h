/* SPDX-License-Identifier: Apache-2.0 */
/* `qscd sam --init` (samd_init.c) and the test CA (samd_ca.c). */
#ifndef QSCD_SAMD_INIT_H
#define QSCD_SAMD_INIT_H

#include "samd_config.h"

/* Create what the service needs and is missing: the embedded SoftHSMv2 token with its PINs
 * (when no module is configured), the test CA (when none is configured), the SAM's keys,
 * the database and the first security officer. Idempotent: what exists is kept and said so.
 * Returns the exit status (0, or 1 with a message on stderr). */
int samd_init(const samd_config *c);

#endif
