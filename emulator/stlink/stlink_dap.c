/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SW-DP and the AHB-AP behind READ_DAP_REG / WRITE_DAP_REG (port
 * 0xFFFF = the DP, otherwise the AP number), as pyocd's DAP layer drives
 * them (coresight/dap.py: DPIDR, power-up handshake in CTRL/STAT, ABORT;
 * coresight/ap.py: IDR, BASE, CSW) — ADIv5.2 B2 (DP) and C2 (MEM-AP).
 *
 * AP 0 is the core's AHB-AP on every part; memory behind DRW/BDx is the
 * same debug-port view the memory commands use.  The H7 has its system
 * debug bus behind AP 2 as well (RM0433 60.2.2, 60.4: APB-D, where the
 * DBGMCU answers at 0xE00E1000; the core sees it at 0x5C001000), which
 * OpenOCD's DAP-direct mode uses for DBGMCU (target/stm32h7x.cfg, ap2).
 */
#include "emulator/stlink/stlink_internal.h"

/* DP registers (ADIv5.2 B2.2), SW-DP addresses */
#define DP_ABORT_IDR   0x0
#define DP_CTRL_STAT   0x4
#define DP_SELECT_RESEND 0x8
#define DP_RDBUFF      0xC

#define ABORT_STKCMPCLR (1u << 1)
#define ABORT_STKERRCLR (1u << 2)
#define ABORT_WDERRCLR  (1u << 3)
#define ABORT_ORUNERRCLR (1u << 4)

#define CS_STICKYERR     (1u << 5)
#define CS_CDBGPWRUPREQ  (1u << 28)
#define CS_CDBGPWRUPACK  (1u << 29)
#define CS_CSYSPWRUPREQ  (1u << 30)
#define CS_CSYSPWRUPACK  (1u << 31)
#define CS_WRITABLE      0x5F000F01u    /* req bits, mask lane, ORUNDETECT */

/* MEM-AP registers (ADIv5.2 C2.6) */
#define AP_CSW  0x00
#define AP_TAR  0x04
#define AP_DRW  0x0C
#define AP_BD0  0x10
#define AP_BD3  0x1C
#define AP_CFG  0xF4
#define AP_BASE 0xF8
#define AP_IDR  0xFC

#define CSW_SIZE_MASK   0x7u
#define CSW_ADDRINC_SHIFT 4
#define CSW_DEVICEEN    (1u << 6)
/* CSW after reset on a Cortex-M AHB-AP: HPROT master/data, 32-bit, no
 * increment, DeviceEn (ARMv7-M debug: AHB-AP reset values). */
#define CSW_RESET       0x23000042u

/* ROM table base with "present" and "ADIv5 format" set: 0xE00FF000
 * (ARMv7-M C1.2, ARMv6-M C1.2). */
#define AP_BASE_VALUE   0xE00FF003u

/* AHB-AP IDR per core: ARM's published values (Cortex-M3/M4 r0p0+ AHB-AP
 * 0x24770011; Cortex-M0 0x04770021; Cortex-M0+ 0x04770031). */
static uint32_t ap_idr(enum core_kind core)
{
    switch (core) {
    case CORE_M0:
        return 0x04770021u;
    case CORE_M0PLUS:
        return 0x04770031u;
    case CORE_M3:
    case CORE_M4:
    case CORE_CM7:      /* guess: the M3/M4 AHB-AP value (the M7 has an AHB-AP too) */
    case CORE_M33:      /* guess: the same (the M33's AHB5-AP is not modelled) */
    default:
        return 0x24770011u;
    }
}

/* ---- CoreSight identification on the debug bus -----------------------------
 *
 * pyocd finds the core by walking the ROM table the AP's BASE points to and
 * reading each component's PIDR/CIDR block (base + 0xFD0..0xFFC).  The ROM
 * table (0xE00FF000) and the ID blocks of SCS, DWT, FPB and ITM are given
 * here, on the probe's side of the bus (ARMv7-M C1.2 table C1-2 and
 * ARMv6-M C1.2: ROM table entries; CoreSight ID values from the Cortex-M3/
 * M4/M0/M0+ TRMs: ARM JEP106 0x3B continuation 4, generic class 0xE).
 */
#define ROM_TABLE_BASE 0xE00FF000u
#define ID_BLOCK_START 0xFD0u

struct cs_component {
    uint32_t base;
    uint16_t part;              /* PIDR part number */
    uint8_t  cls;               /* CIDR1 component class */
    int32_t  rom_offset;        /* ROM table entry: base - ROM_TABLE_BASE */
};

static unsigned cs_components(enum core_kind core, struct cs_component out[5])
{
    bool v6m = core == CORE_M0 || core == CORE_M0PLUS;
    unsigned n = 0;
    out[n++] = (struct cs_component){ROM_TABLE_BASE, v6m ? 0x4C0 : (core == CORE_M4 ? 0x4C4 : 0x4C3),
                                     0x1, 0};
    out[n++] = (struct cs_component){0xE000E000u, v6m ? 0x008 : (core == CORE_M4 ? 0x00C : 0x000),
                                     0xE, (int32_t)(0xE000E000u - ROM_TABLE_BASE)};
    out[n++] = (struct cs_component){0xE0001000u, v6m ? 0x00A : 0x002, 0xE,
                                     (int32_t)(0xE0001000u - ROM_TABLE_BASE)};
    out[n++] = (struct cs_component){0xE0002000u, v6m ? 0x00B : (core == CORE_M4 ? 0x00E : 0x003),
                                     0xE, (int32_t)(0xE0002000u - ROM_TABLE_BASE)};
    if (!v6m)
        out[n++] = (struct cs_component){0xE0000000u, 0x001, 0xE,
                                         (int32_t)(0xE0000000u - ROM_TABLE_BASE)};
    return n;
}

static uint32_t id_register(const struct cs_component *c, uint32_t off)
{
    switch (off) {
    case 0xFD0: return 0x04;                            /* PIDR4: JEP106 continuation 4, 4 KB */
    case 0xFE0: return c->part & 0xFFu;                 /* PIDR0 */
    case 0xFE4: return ((c->part >> 8) & 0xFu) | 0xB0u; /* PIDR1: part[11:8], JEP106[3:0] */
    case 0xFE8: return 0x0Bu;                           /* PIDR2: JEP106[6:4], JEDEC */
    case 0xFF0: return 0x0Du;                           /* CIDR0..3: preamble + class */
    case 0xFF4: return (uint32_t)c->cls << 4;
    case 0xFF8: return 0x05u;
    case 0xFFC: return 0xB1u;
    default: return 0;
    }
}

bool stlink_coresight_read(struct stlink_device *s, uint32_t addr, unsigned size, uint32_t *val)
{
    struct cs_component comp[5];
    unsigned n = cs_components(s->chip->part->core, comp);
    uint32_t word = 0, a = addr & ~3u;
    bool hit = false;

    if (a >= ROM_TABLE_BASE && a < ROM_TABLE_BASE + ID_BLOCK_START) {
        unsigned entry = (a - ROM_TABLE_BASE) / 4;
        if (entry + 1 < n)
            word = ((uint32_t)comp[entry + 1].rom_offset & 0xFFFFF000u) | 0x3u;
        else if (a == ROM_TABLE_BASE + 0xFCC)
            word = 0x1;                                 /* MEMTYPE: system memory present */
        hit = true;
    } else {
        for (unsigned i = 0; i < n; i++) {
            if (a >= comp[i].base + ID_BLOCK_START && a < comp[i].base + 0x1000u) {
                word = id_register(&comp[i], a - comp[i].base);
                hit = true;
                break;
            }
        }
    }
    if (!hit)
        return false;
    unsigned lane = (addr & 3) * 8;
    *val = size == 4 ? word : (word >> lane) & (size == 2 ? 0xFFFFu : 0xFFu);
    return true;
}

void stlink_dap_reset(struct stlink_device *s)
{
    s->dap.ctrl_stat = 0;
    s->dap.select = 0;
    s->dap.sticky_err = false;
    for (unsigned i = 0; i < STL_NUM_APS; i++) {
        s->dap.ap[i].csw = CSW_RESET;
        s->dap.ap[i].tar = 0;
    }
}

static uint8_t dp_read(struct stlink_device *s, uint16_t addr, uint32_t *val)
{
    if (!s->chip->powered)
        return STL_SWD_DP_FAULT;
    switch (addr & 0xF) {
    case DP_ABORT_IDR:
        *val = s->chip->part->swd_idr;
        return STL_OK;
    case DP_CTRL_STAT: {
        uint32_t cs = s->dap.ctrl_stat;
        /* power comes up as soon as it is asked for */
        if (cs & CS_CDBGPWRUPREQ)
            cs |= CS_CDBGPWRUPACK;
        if (cs & CS_CSYSPWRUPREQ)
            cs |= CS_CSYSPWRUPACK;
        if (s->dap.sticky_err)
            cs |= CS_STICKYERR;
        *val = cs;
        return STL_OK;
    }
    case DP_SELECT_RESEND:
    case DP_RDBUFF:
    default:
        *val = 0;
        return STL_OK;
    }
}

static uint8_t dp_write(struct stlink_device *s, uint16_t addr, uint32_t val)
{
    if (!s->chip->powered)
        return STL_SWD_DP_FAULT;
    switch (addr & 0xF) {
    case DP_ABORT_IDR:
        if (val & (ABORT_STKERRCLR | ABORT_STKCMPCLR | ABORT_WDERRCLR | ABORT_ORUNERRCLR))
            s->dap.sticky_err = false;
        return STL_OK;
    case DP_CTRL_STAT:
        s->dap.ctrl_stat = val & CS_WRITABLE;
        return STL_OK;
    case DP_SELECT_RESEND:
        s->dap.select = val;
        return STL_OK;
    default:
        return STL_OK;
    }
}

/* RM0433 60.4: the H7's APB-D and the DBGMCU's two addresses. */
#define APBD_IDR       0x44770002u  /* guess: ARM's APB-AP IDR (class MEM-AP, type APB) */
#define APBD_BASE      0xE00E0003u  /* RM0433 60.4.2: the APB-D ROM table at 0xE00E0000 */
#define APBD_DBGMCU    0xE00E1000u
#define H7_DBGMCU_CPU  0x5C001000u

bool stlink_ap_exists(const struct stlink_device *s, unsigned ap)
{
    return ap == 0 || (ap == STL_AP_APBD && s->chip->part->dbgmcu_idcode_addr == H7_DBGMCU_CPU);
}

static int apbd_access(struct stlink_device *s, uint32_t addr, unsigned size, bool write,
                        uint32_t *val)
{
    if (addr - APBD_DBGMCU >= 0x1000u) {     /* ROM table, SWO, TPIU, funnel: not modelled */
        if (!write)
            *val = 0;
        return BUS_OK;
    }
    uint32_t at = H7_DBGMCU_CPU + (addr - APBD_DBGMCU);
    return write ? chip_write(s->chip, at, size, *val, BUS_DEBUG)
                 : chip_read(s->chip, at, size, val, BUS_DEBUG);
}

int stlink_ap_bus(struct stlink_device *s, unsigned ap, uint32_t addr, unsigned size, bool write,
                  uint32_t *val)
{
    if (!s->chip->powered)
        return BUS_ERROR;
    if (ap == STL_AP_APBD)
        return apbd_access(s, addr, size, write, val);
    if (write)
        return s->cpu ? cpu_debug_write(s->cpu, addr, size, *val)
                      : chip_write(s->chip, addr, size, *val, BUS_DEBUG);
    if (stlink_coresight_read(s, addr, size, val))
        return BUS_OK;
    return s->cpu ? cpu_debug_read(s->cpu, addr, size, val)
                  : chip_read(s->chip, addr, size, val, BUS_DEBUG);
}

static unsigned csw_size(const struct stlink_device *s, unsigned ap)
{
    switch (s->dap.ap[ap].csw & CSW_SIZE_MASK) {
    case 0:
        return 1;
    case 1:
        return 2;
    default:
        return 4;
    }
}

/* DRW: one access at TAR of CSW.Size, lane-placed as on the AHB
 * (ADIv5.2 C2.2.6), then TAR moves on when CSW.AddrInc says so. */
static uint8_t drw_access(struct stlink_device *s, unsigned ap, uint32_t addr, bool write,
                          uint32_t *val, bool increment)
{
    unsigned size = csw_size(s, ap);
    unsigned lane = (addr & 3) * 8;
    int rc;
    uint32_t v = 0;

    if (!s->chip->powered)
        return STL_SWD_AP_FAULT;
    if (write) {
        uint32_t data = size == 4 ? *val : (*val >> lane) & (size == 2 ? 0xFFFFu : 0xFFu);
        rc = stlink_ap_bus(s, ap, addr, size, true, &data);
    } else {
        rc = stlink_ap_bus(s, ap, addr, size, false, &v);
        *val = size == 4 ? v : v << lane;
    }
    if (rc != BUS_OK) {
        s->dap.sticky_err = true;
        return STL_SWD_AP_FAULT;
    }
    if (increment && ((s->dap.ap[ap].csw >> CSW_ADDRINC_SHIFT) & 3) == 1)
        s->dap.ap[ap].tar += size;
    return STL_OK;
}

static uint8_t ap_reg(struct stlink_device *s, uint16_t port, uint16_t addr, bool write,
                      uint32_t *val)
{
    if (port > 255)
        return STL_BAD_AP;
    if (!stlink_ap_exists(s, port)) {
        /* ADIv5.2 C1.2: an AP that is not implemented reads as zero
         * (IDR 0 ends pyocd's AP scan) and ignores writes */
        if (!write)
            *val = 0;
        return s->chip->powered ? STL_OK : STL_SWD_AP_FAULT;
    }
    if (!s->chip->powered)
        return STL_SWD_AP_FAULT;
    switch (addr & 0xFC) {
    case AP_CSW:
        if (write)
            s->dap.ap[port].csw = (*val & ~0x80u) | CSW_DEVICEEN;
        else
            *val = s->dap.ap[port].csw;
        return STL_OK;
    case AP_TAR:
        if (write)
            s->dap.ap[port].tar = *val;
        else
            *val = s->dap.ap[port].tar;
        return STL_OK;
    case AP_DRW:
        return drw_access(s, port, s->dap.ap[port].tar, write, val, true);
    case AP_BD0:
    case AP_BD0 + 4:
    case AP_BD0 + 8:
    case AP_BD3:
        return drw_access(s, port, (s->dap.ap[port].tar & ~0xFu) | (addr & 0xC), write, val,
                          false);
    case AP_CFG:
        if (!write)
            *val = 0;                   /* little endian, 32-bit addresses */
        return STL_OK;
    case AP_BASE:
        if (!write)
            *val = port == STL_AP_APBD ? APBD_BASE : AP_BASE_VALUE;
        return STL_OK;
    case AP_IDR:
        if (!write)
            *val = port == STL_AP_APBD ? APBD_IDR : ap_idr(s->chip->part->core);
        return STL_OK;
    default:
        if (!write)
            *val = 0;
        return STL_OK;
    }
}

uint8_t stlink_dap_read(struct stlink_device *s, uint16_t port, uint16_t addr, uint32_t *val)
{
    *val = 0;
    if (port == STL_DP_PORT)
        return dp_read(s, addr, val);
    return ap_reg(s, port, addr, false, val);
}

uint8_t stlink_dap_write(struct stlink_device *s, uint16_t port, uint16_t addr, uint32_t val)
{
    if (port == STL_DP_PORT)
        return dp_write(s, addr, val);
    return ap_reg(s, port, addr, true, &val);
}
