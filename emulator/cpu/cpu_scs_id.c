/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Identification of the core's PPB components, as a debugger's CoreSight
 * walk reads it: the component and peripheral ID registers (CIDR, PIDR at
 * 0xFD0-0xFFF) of the SCS, ITM, DWT and FPB, and the PPB ROM table at
 * 0xE00FF000 that lists them.  The registers themselves are in cpu_scs.c.
 * References as for cpu_scs.c: ARMv7-M ARM (DDI0403E), ARMv6-M ARM
 * (DDI0419E); Cortex-M0/M0+/M3/M4 TRMs for the identification values.
 */
#include "emulator/cpu/cpu_internal.h"
#include "models/regs.h"

/* ---- identification: CoreSight component and peripheral IDs ---------------------- */

/* The last 48 bytes of every 4 KiB component, as rows of the register
 * engine: CoreSight Architecture Specification (ARM IHI 0029), the
 * Component and Peripheral Identification Registers; ARMv7-M ARM Appendix
 * B / ARMv6-M ARM C1.1 list them for the PPB components.  Each holds one
 * byte in bits 7:0. */
enum { PIDR4, PIDR5, PIDR6, PIDR7, PIDR0, PIDR1, PIDR2, PIDR3, CIDR0, CIDR1, CIDR2, CIDR3,
       NIDS };

static const struct reg_desc id_regs[NIDS] = {
    [PIDR4] = { "PIDR4", 0xFD0, 0, 0, 0, 0xFF, false, "DES_2 (JEP106 continuation), SIZE" },
    [PIDR5] = { "PIDR5", 0xFD4, 0, 0, 0, 0, false, "reserved" },
    [PIDR6] = { "PIDR6", 0xFD8, 0, 0, 0, 0, false, "reserved" },
    [PIDR7] = { "PIDR7", 0xFDC, 0, 0, 0, 0, false, "reserved" },
    [PIDR0] = { "PIDR0", 0xFE0, 0, 0, 0, 0xFF, false, "PART_0" },
    [PIDR1] = { "PIDR1", 0xFE4, 0, 0, 0, 0xFF, false, "PART_1, DES_0" },
    [PIDR2] = { "PIDR2", 0xFE8, 0, 0, 0, 0xFF, false, "DES_1, JEDEC, REVISION" },
    [PIDR3] = { "PIDR3", 0xFEC, 0, 0, 0, 0, false, "CMOD, REVAND" },
    [CIDR0] = { "CIDR0", 0xFF0, 0x0D, 0, 0, 0xFF, false, "PRMBL_0" },
    [CIDR1] = { "CIDR1", 0xFF4, 0x00, 0, 0, 0xFF, false, "PRMBL_1, CLASS" },
    [CIDR2] = { "CIDR2", 0xFF8, 0x05, 0, 0, 0xFF, false, "PRMBL_2" },
    [CIDR3] = { "CIDR3", 0xFFC, 0xB1, 0, 0, 0xFF, false, "PRMBL_3" },
};

FIELD(PIDR0, PART_0, 0, 8)
FIELD(PIDR1, PART_1, 0, 4)
FIELD(PIDR1, DES_0, 4, 4)
FIELD(PIDR2, DES_1, 0, 3)
FIELD(PIDR2, JEDEC, 3, 1)
FIELD(PIDR4, DES_2, 0, 4)
FIELD(CIDR1, CLASS, 4, 4)

/* JEP106 designers: Arm (0x3B, bank 5: continuation 4), ST (0x20, bank 1). */
#define JEP106_ARM 0x3Bu
#define JEP106_ARM_CONT 4u
#define JEP106_ST  0x20u

static int id_index(uint32_t off)
{
    for (unsigned i = 0; i < NIDS; i++)
        if (id_regs[i].offset == (off & ~3u))
            return (int)i;
    return -1;
}

/* Offsets 0xFD0-0xFFF of a 4 KiB component. */
bool ids_read(uint32_t off, unsigned cls, uint32_t pid0_to_2_part, bool st_pid,
              uint16_t dev_id, uint32_t *val)
{
    int i = id_index(off);
    if (i < 0)
        return false;
    /* The STM32 ROM tables carry ST's JEP106 and the DEV_ID as the part. */
    uint32_t part = st_pid ? dev_id : pid0_to_2_part;
    uint32_t jep = st_pid ? JEP106_ST : JEP106_ARM, cont = st_pid ? 0 : JEP106_ARM_CONT;
    uint32_t v = id_regs[i].reset;
    switch (i) {
    case PIDR0: v = FDP(v, PIDR0, PART_0, part); break;
    case PIDR1: v = FDP(FDP(v, PIDR1, PART_1, part >> 8), PIDR1, DES_0, jep); break;
    case PIDR2: v = FDP(FDP(v, PIDR2, DES_1, jep >> 4), PIDR2, JEDEC, 1); break;
    case PIDR4: v = FDP(v, PIDR4, DES_2, cont); break;
    case CIDR1: v = FDP(v, CIDR1, CLASS, cls); break;
    }
    *val = v;
    return true;
}

struct component_parts parts_of(const struct cpu *cpu)
{
    switch (cpu->part->core) {
    case CORE_M0:
    case CORE_M0PLUS: return (struct component_parts){ 0x008, 0, 0x00A, 0x00B };
    case CORE_M3:     return (struct component_parts){ 0x000, 0x001, 0x002, 0x003 };
    case CORE_M4:     return (struct component_parts){ 0x00C, 0x001, 0x002, 0x003 };
    /* Cortex-M7 TRM (DDI0489) table 3-2: SCS 0x00C, ITM 0x001, DWT 0x002, FPB 0x00E */
    case CORE_CM7:    return (struct component_parts){ 0x00C, 0x001, 0x002, 0x00E };
    /* guess: the M4's parts (the Cortex-M33 TRM's CoreSight v3 numbers
     * 0xD21 are not modelled; no tool here reads them) */
    case CORE_M33:    return (struct component_parts){ 0x00C, 0x001, 0x002, 0x003 };
    }
    return (struct component_parts){ 0 };
}

uint32_t rom_table_read(struct cpu *cpu, uint32_t off)
{
    uint32_t v;
    if (ids_read(off, 0x1, 0, true, cpu->part->dev_id, &v))
        return v;
    if (off == 0xFCC)
        return 1;   /* MEMTYPE: system memory present */
    /* entries: offset from the table, bit 0 present, bit 1 32-bit format */
    static const uint32_t v7[] = { 0xFFF0F003, 0xFFF02003, 0xFFF03003, 0xFFF01003, 0xFFF41002,
                                   0xFFF42002, 0 };
    static const uint32_t v6[] = { 0xFFF0F003, 0xFFF02003, 0xFFF03003, 0 };
    const uint32_t *t = cpu->v7m ? v7 : v6;
    unsigned n = cpu->v7m ? 7 : 4;
    return off / 4 < n ? t[off / 4] : 0;
}
