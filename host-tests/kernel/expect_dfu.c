/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `lsusb -v` must show of each part's ROM DFU device, written from the
 * part table (models/parts.c) for the in-guest suite to compare with.
 *
 *   expect_dfu OUTDIR PART...
 *
 * Writes OUTDIR/PART.txt in the format of lib.sh's lsusb_summary, and prints
 * "PART FLASH_BASE" per part for the download tests.  Built and run on the
 * host by tools/vm/initramfs.sh, linked with the models library.
 */
#include <stdio.h>
#include <stdlib.h>

#include "models/part.h"

/* AN3156 4.1: DfuSe answers the DFU 1.1 class with bcdDFUVersion 0x011A */
#define DFUSE_BCD_DFU 0x011A
/* AN3156 4: the ROM's device descriptor */
#define ST_VID 0x0483
#define ST_DFU_PID 0xDF11

static int write_expectation(const char *dir, const struct part *p)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.txt", dir, p->name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    /* lsusb prints bcd values as "%x.%02x" */
    fprintf(f, "idVendor 0x%04x\n", ST_VID);
    fprintf(f, "idProduct 0x%04x\n", ST_DFU_PID);
    fprintf(f, "bcdDevice %x.%02x\n", p->dfu.bcd_device >> 8, p->dfu.bcd_device & 0xff);
    fprintf(f, "iProduct %s\n", p->dfu.product ? p->dfu.product : "STM32  BOOTLOADER");
    for (unsigned alt = 0; alt < PART_MAX_ALTS && p->dfu.alt_names[alt]; alt++)
        fprintf(f, "alt%u %s\n", alt, p->dfu.alt_names[alt]);
    fprintf(f, "wTransferSize %u\n", p->dfu.transfer_size);
    fprintf(f, "bcdDFUVersion %x.%02x\n", DFUSE_BCD_DFU >> 8, DFUSE_BCD_DFU & 0xff);
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: expect_dfu OUTDIR PART...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const struct part *p = part_find(argv[i]);
        if (!p) {
            fprintf(stderr, "expect_dfu: no part '%s' in the part table\n", argv[i]);
            return 1;
        }
        if (!p->dfu.present) {
            fprintf(stderr, "expect_dfu: %s has no USB DFU bootloader\n", p->name);
            return 1;
        }
        if (write_expectation(argv[1], p) < 0)
            return 1;
        printf("%s 0x%08x\n", p->name, p->flash_base);
    }
    return 0;
}
