/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Human-readable names for part-table values, shared by parts and inspect. */
#ifndef VSTM32_DESCRIBE_H
#define VSTM32_DESCRIBE_H

#include <stdint.h>

#include "models/part.h"

const char *core_name(enum core_kind k);
/* "V10.3 (0xA3)"; static buffer. */
const char *bootloader_version_text(const struct part *p);
/* "4*16K,1*64K,7*128K"; static buffer. */
const char *flash_layout_text(const struct part *p);
uint32_t sram_total(const struct part *p);

#endif
