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

/* ---- identification: CoreSight component and peripheral IDs ---------------------- */

/* CIDR: B1 05 x0 0D with x the class (1 ROM table, E generic IP). */
static uint32_t cid_byte(unsigned idx, unsigned cls)
{
    static const uint8_t cid[4] = { 0x0D, 0x00, 0x05, 0xB1 };
    return idx == 1 ? (cls << 4) : cid[idx];
}

/* Peripheral ID of an Arm core component (JEP106 0x3B, continuation 4). */
static uint32_t arm_pid_byte(unsigned idx, unsigned part)
{
    switch (idx) {
    case 0: return part & 0xFF;
    case 1: return ((part >> 8) & 0xF) | 0xB0;
    case 2: return 0x0B;
    case 4: return 0x04;
    }
    return 0;
}

/* Offsets 0xFD0-0xFFF of a 4 KiB component. */
bool ids_read(uint32_t off, unsigned cls, uint32_t pid0_to_2_part, bool st_pid,
              uint16_t dev_id, uint32_t *val)
{
    if (off < 0xFD0)
        return false;
    if (off >= 0xFF0) {
        *val = cid_byte((off - 0xFF0) / 4, cls);
        return true;
    }
    unsigned idx;
    if (off >= 0xFE0)
        idx = (off - 0xFE0) / 4;        /* PIDR0-3 */
    else
        idx = 4 + (off - 0xFD0) / 4;    /* PIDR4-7 */
    if (st_pid) {
        /* The STM32 ROM tables carry ST's JEP106 (0x20) and the DEV_ID. */
        switch (idx) {
        case 0: *val = dev_id & 0xFF; break;
        case 1: *val = (dev_id >> 8) & 0xF; break;
        case 2: *val = 0x0A; break;
        default: *val = 0; break;
        }
        return true;
    }
    *val = arm_pid_byte(idx, pid0_to_2_part);
    return true;
}

struct component_parts parts_of(const struct cpu *cpu)
{
    switch (cpu->part->core) {
    case CORE_M0:
    case CORE_M0PLUS: return (struct component_parts){ 0x008, 0, 0x00A, 0x00B };
    case CORE_M3:     return (struct component_parts){ 0x000, 0x001, 0x002, 0x003 };
    case CORE_M4:     return (struct component_parts){ 0x00C, 0x001, 0x002, 0x003 };
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
