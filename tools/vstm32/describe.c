/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "tools/vstm32/describe.h"

const char *core_name(enum core_kind k)
{
    switch (k) {
    case CORE_M0: return "M0";
    case CORE_M0PLUS: return "M0+";
    case CORE_M3: return "M3";
    case CORE_M4: return "M4";
    case CORE_CM7: return "M7";
    case CORE_M33: return "M33";
    }
    return "?";
}

const char *bootloader_version_text(const struct part *p)
{
    static char buf[32];
    /* AN2606 4.2: the low nibble is the minor version, the high nibble the
     * interface set; the major version is not in the byte, so print both. */
    if (!p->bootloader_id)
        return "-";
    snprintf(buf, sizeof buf, "id 0x%02X", p->bootloader_id);
    return buf;
}

const char *flash_layout_text(const struct part *p)
{
    static char buf[128];
    size_t used = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < PART_MAX_RUNS && p->runs[i].count; i++) {
        uint32_t sz = p->runs[i].size;
        int n = snprintf(buf + used, sizeof buf - used, "%s%u*%u%s", i ? "," : "",
                         p->runs[i].count, sz >= 1024 ? sz / 1024 : sz, sz >= 1024 ? "K" : "B");
        if (n < 0 || (size_t)n >= sizeof buf - used)
            break;
        used += (size_t)n;
    }
    if (p->banks > 1 && used + 16 < sizeof buf)
        snprintf(buf + used, sizeof buf - used, " x%u banks", p->banks);
    return buf;
}

uint32_t sram_total(const struct part *p)
{
    uint32_t total = 0;
    for (unsigned i = 0; i < PART_MAX_REGIONS; i++)
        if (p->regions[i].kind == MEM_SRAM && p->regions[i].size)
            total += p->regions[i].size;
    return total;
}
