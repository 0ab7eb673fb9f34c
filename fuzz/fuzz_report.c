/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `vstm32 report` reads from a capture anyone hands it: the pcap and
 * pcapng reader (emulator/trace/pcap.c) and the DfuSe session decoder
 * (emulator/trace/dfu_session.c), on any bytes.  Every length in a
 * capture (records, blocks, usbmon headers, descriptors, DfuSe commands)
 * is the file's word, not ours.
 */
#include <stdlib.h>
#include <string.h>

#include "emulator/trace/dfu_session.h"
#include "emulator/trace/pcap.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size heap copy, so a read past the end is caught */
    uint8_t *image = malloc(size ? size : 1);
    if (!image)
        return 0;
    memcpy(image, data, size);
    struct pcap_capture cap;
    char err[256];
    if (pcap_parse(image, size, &cap, err, sizeof err) < 0)
        return 0;
    struct dfu_session s;
    if (dfu_session_read(&cap, &s, err, sizeof err) == 0) {
        /* what the memory map asks of it */
        for (unsigned a = 0; a < DFU_SESSION_MAX_ALTS; a++)
            for (unsigned g = 0; g < s.alt[a].nseg; g++) {
                struct dfu_unit_view v;
                dfu_session_unit(&s, (uint8_t)a, s.alt[a].seg[g].start, s.alt[a].seg[g].pagesize,
                                 &v);
            }
        for (size_t i = 0; i < s.nsteps; i++)
            if (s.steps[i].state_after >= DFU_STATE_COUNT || s.steps[i].state_before >= DFU_STATE_COUNT)
                abort();
        dfu_session_free(&s);
    }
    pcap_capture_free(&cap);
    return 0;
}
