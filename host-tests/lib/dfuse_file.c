/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host-tests/lib/dfuse_file.h"

#include <stdlib.h>

uint8_t *dfuse_file_build(uint8_t alt, const char *target_name, const struct dfuse_element *elems,
                          size_t nelems, uint16_t vid, uint16_t pid, size_t *len)
{
    const struct dfuse_file_params params = {
        .vid = vid, .pid = pid, .bcd_device = 0xFFFF, .alt = alt, .target_name = target_name,
    };
    size_t total = dfuse_file_size(elems, nelems);
    uint8_t *buf = malloc(total);
    if (!buf || dfuse_file_write(&params, elems, nelems, buf, total) < 0) {
        free(buf);
        return NULL;
    }
    *len = total;
    return buf;
}
