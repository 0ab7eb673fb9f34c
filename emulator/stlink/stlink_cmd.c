/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link command set, one function per command family.  Byte layouts
 * and reply lengths are those the three host tools use (facts host-tools
 * §3.3, §4, §5): stlink 1.7.0 usb.c, openocd 0.12 stlink_usb.c, pyocd
 * 0.13.1 probe/stlink/stlink.py.
 *
 * Everything the probe does on the target goes through the core's debug
 * port view (cpu_debug_read/cpu_debug_write, the AHB-AP): halting is a
 * DHCSR write, a system reset an AIRCR write, as the probe's firmware does
 * them over SWD.  A faulted access leaves the AP fault status for
 * GETLASTRWSTATUS(2), with the address that faulted.
 */
#include "emulator/stlink/stlink_internal.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"

/* ARMv7-M C1.6 / ARMv6-M C1.6 */
#define REG_AIRCR  0xE000ED0Cu
#define REG_DHCSR  0xE000EDF0u
#define DBGKEY     0xA05F0000u
#define C_DEBUGEN  (1u << 0)
#define C_HALT     (1u << 1)
#define C_STEP     (1u << 2)
#define C_MASKINTS (1u << 3)
#define AIRCR_SYSRESETREQ 0x05FA0004u

/* STLINK-V3 SWD frequencies in kHz, fastest first (openocd's debug log of
 * GET_COM_FREQ on a V3SET). */
static const uint32_t v3_swd_khz[] = {24000, 8000, 3300, 1000, 200, 50, 5};

static void reply_zero(struct stlink_device *s, uint32_t len)
{
    memset(s->reply, 0, len);
    s->reply_len = len;
}

static void reply_status(struct stlink_device *s, uint8_t status)
{
    reply_zero(s, 2);
    s->reply[0] = status;
}

/* ---- the target through the AHB-AP ----------------------------------------- */

static bool target_reachable(const struct stlink_device *s)
{
    return s->chip->powered;
}

/* An access through AP `ap` (stlink_ap_bus); ap_read/ap_write: the core's AP 0. */
static int bus_read(struct stlink_device *s, unsigned ap, uint32_t addr, unsigned size,
                    uint32_t *val)
{
    *val = 0;
    return stlink_ap_bus(s, ap, addr, size, false, val);
}

static int bus_write(struct stlink_device *s, unsigned ap, uint32_t addr, unsigned size,
                     uint32_t val)
{
    return stlink_ap_bus(s, ap, addr, size, true, &val);
}

static int ap_read(struct stlink_device *s, uint32_t addr, unsigned size, uint32_t *val)
{
    return bus_read(s, 0, addr, size, val);
}

static int ap_write(struct stlink_device *s, uint32_t addr, unsigned size, uint32_t val)
{
    return bus_write(s, 0, addr, size, val);
}

static void rw_fault(struct stlink_device *s, uint32_t addr)
{
    if (s->last_rw_status == STL_OK) {
        s->last_rw_status = STL_SWD_AP_FAULT;
        s->last_rw_fault_addr = addr;
    }
    s->dap.sticky_err = true;
}

/* A memory transfer starts with a clean last-R/W status; it is refused
 * (false) before any access for an address not aligned to its unit or an
 * AP (cmd[8], the AP the transfer goes through) the part does not have. */
static bool mem_begin(struct stlink_device *s, uint32_t addr, unsigned unit)
{
    s->last_rw_status = STL_OK;
    s->last_rw_fault_addr = 0;
    bool ap_ok = stlink_ap_exists(s, s->cmd[8]);
    if ((unit > 1 && (addr % unit)) || !ap_ok) {
        s->last_rw_status = !ap_ok ? STL_BAD_AP : STL_ALIGNMENT_ERROR;
        s->last_rw_fault_addr = addr;
        return false;
    }
    return true;
}

/* Memory read of len bytes in units of `unit`; after a fault the rest of
 * the answer is zeros (the AP returns no data after a FAULT ack). */
static void mem_read(struct stlink_device *s, uint32_t addr, uint32_t len, unsigned unit)
{
    uint32_t reply_len = len == 1 ? 2 : len;   /* openocd reads 2 for a 1-byte read */
    reply_zero(s, reply_len);
    if (!mem_begin(s, addr, unit))
        return;
    for (uint32_t off = 0; off < len;) {
        unsigned n = (len - off >= unit) ? unit : 1;
        uint32_t v;
        if (bus_read(s, s->cmd[8], addr + off, n, &v) != BUS_OK) {
            rw_fault(s, addr + off);
            return;
        }
        st_le(s->reply + off, n, v);
        off += n;
    }
}

static void mem_write(struct stlink_device *s, uint32_t addr, uint32_t len, unsigned unit)
{
    s->reply_len = 0;
    if (!mem_begin(s, addr, unit))
        return;
    for (uint32_t off = 0; off < len;) {
        unsigned n = (len - off >= unit) ? unit : 1;
        if (bus_write(s, s->cmd[8], addr + off, n, ld_le(s->data + off, n)) != BUS_OK) {
            rw_fault(s, addr + off);
            return;
        }
        off += n;
    }
}

static void debug_reg_read(struct stlink_device *s, unsigned arg)
{
    uint32_t v = 0;
    reply_zero(s, 8);
    s->reply[0] = ap_read(s, ld_le32(s->cmd + 2), 4, &v) == BUS_OK ? STL_OK : STL_SWD_AP_FAULT;
    st_le32(s->reply + 4, v);
}

static void debug_reg_write(struct stlink_device *s, unsigned arg)
{
    reply_status(s, ap_write(s, ld_le32(s->cmd + 2), 4, ld_le32(s->cmd + 6)) == BUS_OK
                        ? STL_OK
                        : STL_SWD_AP_FAULT);
}

/* ---- core registers ------------------------------------------------------------ */

static uint8_t core_reg_read(struct stlink_device *s, unsigned regsel, uint32_t *val)
{
    *val = 0;
    if (!s->cpu || !target_reachable(s))
        return STL_ERR_FAULT;
    return cpu_reg_read(s->cpu, regsel, val) == 0 ? STL_OK : STL_ERR_FAULT;
}

/* READALLREGS: r0-r15, xPSR, MSP, PSP, then CONTROL/FAULTMASK/BASEPRI/
 * PRIMASK (REGSEL 20) and FPSCR (0x21) as stlink's "rw" and "rw2".
 * APIv2's answer starts with a status word (with_status 1), APIv1's not. */
static void read_all_regs(struct stlink_device *s, unsigned with_status)
{
    static const unsigned regsel[21] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                        16, 17, 18, 20, 0x21};
    unsigned base = with_status ? 4 : 0;
    uint8_t status = STL_OK;
    reply_zero(s, base + 4 * 21);
    for (unsigned i = 0; i < 21; i++) {
        uint32_t v;
        uint8_t st = core_reg_read(s, regsel[i], &v);
        if (st != STL_OK && i < 19)
            status = st;
        st_le32(s->reply + base + 4 * i, v);
    }
    if (with_status)
        s->reply[0] = status;
}

/* ---- pins ------------------------------------------------------------------------ */

static void drive_nrst(struct stlink_device *s, bool low)
{
    s->nrst_low = low;
    if (s->hooks.nrst)
        s->hooks.nrst(s->hooks.arg, low);
}

/* ---- command families ---------------------------------------------------------- */

static void cmd_get_version(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 6);
    stlink_ident_version_reply(s->id, s->reply);
}

static void cmd_get_version_ex(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 12);
    if (!stlink_ident_version_ex_reply(s->id, s->reply))
        reply_status(s, STL_UNKNOWN_CMD);
}

/* The identity's reading (stlink_ident.c: the pair that prints what a
 * real probe of that firmware printed); VAPP reads 0 with the target off. */
static void cmd_target_voltage(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 8);
    st_le32(s->reply, s->id->volt_adc0);
    st_le32(s->reply + 4, s->chip->powered ? s->id->volt_adc1 : 0);
}

/* APIV3_GET_COM_FREQ (set 0) and APIV3_SET_COM_FREQ (set 1). */
static void cmd_com_freq(struct stlink_device *s, unsigned set)
{
    size_t n = sizeof(v3_swd_khz) / sizeof(v3_swd_khz[0]);
    if (s->id->hw < 3) {
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    if (!set) {
        reply_zero(s, 52);
        s->reply[0] = STL_OK;
        s->reply[8] = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
            st_le32(s->reply + 12 + 4 * i, v3_swd_khz[i]);
        return;
    }
    uint32_t want = ld_le32(s->cmd + 4);
    uint32_t got = v3_swd_khz[n - 1];
    for (size_t i = 0; i < n; i++) {
        if (v3_swd_khz[i] <= want) {
            got = v3_swd_khz[i];
            break;
        }
    }
    s->com_freq_khz = got;
    reply_zero(s, 8);
    s->reply[0] = STL_OK;
    st_le32(s->reply + 4, got);
}

static void cmd_run_control(struct stlink_device *s, unsigned arg)
{
    uint8_t sub = s->cmd[1];
    uint32_t dhcsr = DBGKEY | C_DEBUGEN;
    if (sub == STL_DBG_FORCEDEBUG)
        dhcsr |= C_HALT;
    else if (sub == STL_DBG_STEPCORE)
        dhcsr |= C_STEP | C_MASKINTS;
    reply_status(s, ap_write(s, REG_DHCSR, 4, dhcsr) == BUS_OK ? STL_OK : STL_SWD_AP_FAULT);
}

/* SWD or JTAG: the board wires SWD only, and answers either way. */
static void dbg_enter(struct stlink_device *s, unsigned arg)
{
    s->mode = STL_MODE_DEBUG;
    s->dap.ctrl_stat |= (1u << 30) | (1u << 28);     /* debug and system power up */
    if (target_reachable(s))
        chip_debugger_connected(s->chip);
    reply_status(s, target_reachable(s) ? STL_OK : STL_SWD_DP_FAULT);
}

static void dbg_exit(struct stlink_device *s, unsigned arg)
{
    s->mode = STL_MODE_MASS;
    s->reply_len = 0;
}

static void dbg_read_idcodes(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 12);
    s->reply[0] = target_reachable(s) ? STL_OK : STL_SWD_DP_FAULT;
    st_le32(s->reply + 4, target_reachable(s) ? s->chip->part->swd_idr : 0);
}

static void dbg_read_coreid(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 4);
    st_le32(s->reply, target_reachable(s) ? s->chip->part->swd_idr : 0);
}

static void dbg_get_status(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 2);
    s->reply[0] = s->cpu && cpu_get_state(s->cpu) == CPU_HALTED ? STL_CORE_HALTED
                                                                 : STL_CORE_RUNNING;
}

static void dbg_reset_sys(struct stlink_device *s, unsigned arg)
{
    reply_status(s, ap_write(s, REG_AIRCR, 4, AIRCR_SYSRESETREQ) == BUS_OK ? STL_OK
                                                                            : STL_SWD_AP_FAULT);
}

static void dbg_drive_nrst(struct stlink_device *s, unsigned arg)
{
    if (s->cmd[2] == STL_NRST_PULSE) {
        drive_nrst(s, true);
        drive_nrst(s, false);
    } else {
        drive_nrst(s, s->cmd[2] == STL_NRST_LOW);
    }
    reply_status(s, STL_OK);
}

/* arg: the access size. */
static void dbg_readmem(struct stlink_device *s, unsigned arg)
{
    mem_read(s, ld_le32(s->cmd + 2), ld_le16(s->cmd + 6), arg);
}

static void dbg_writemem(struct stlink_device *s, unsigned arg)
{
    mem_write(s, ld_le32(s->cmd + 2), s->data_len, arg);
}

/* ---- RW_MISC: a batch of AP accesses (OpenOCD's DAP-direct mode) -------------- */

/* RW_MISC_OUT carries `items` (u32 at cmd[2]) one-byte commands, padded
 * to a word, then one u32 operand per item; RW_MISC_IN then answers one
 * u32 result per item and one u32 status per item (OpenOCD 0.12
 * stlink_usb.c stlink_usb_misc_rw_segment, the only host that uses it;
 * the command numbers are its RW_MISC_CMD_*). */
enum { MISC_ADDRESS = 1, MISC_WRITE = 2, MISC_READ = 3, MISC_APNUM = 5 };

static uint32_t misc_items(const struct stlink_device *s)
{
    return ld_le32(s->cmd + 2);
}

static uint32_t misc_out_len(uint32_t items)
{
    return items > STL_MISC_MAX_ITEMS ? 0 : ((items + 3) & ~3u) + 4 * items;
}

static uint8_t misc_access(struct stlink_device *s, uint32_t ap, uint32_t addr, bool write,
                           uint32_t *val)
{
    if (!stlink_ap_exists(s, ap))
        return STL_BAD_AP;
    if (addr % 4)
        return STL_ALIGNMENT_ERROR;
    int rc = write ? bus_write(s, ap, addr, 4, *val) : bus_read(s, ap, addr, 4, val);
    if (rc == BUS_OK)
        return STL_OK;
    rw_fault(s, addr);
    return STL_SWD_AP_FAULT;
}

static void dbg_rw_misc_out(struct stlink_device *s, unsigned arg)
{
    uint32_t items = misc_items(s);
    s->reply_len = 0;       /* no answer: RW_MISC_IN collects the results */
    s->misc_len = 0;
    if (!misc_out_len(items) || s->data_len != misc_out_len(items)) {
        chip_log(s->chip, "stlink: RW_MISC_OUT of %u items refused (at most %u)", items,
                 STL_MISC_MAX_ITEMS);
        return;
    }
    if (!s->misc && !(s->misc = malloc(8 * STL_MISC_MAX_ITEMS)))
        return;
    const uint8_t *ops = s->data, *operand = s->data + ((items + 3) & ~3u);
    uint8_t *result = s->misc, *status = s->misc + 4 * items;
    uint32_t ap = 0, tar = 0;
    s->last_rw_status = STL_OK;
    s->last_rw_fault_addr = 0;
    for (uint32_t i = 0; i < items; i++) {
        uint32_t v = ld_le32(operand + 4 * i);
        uint8_t st = STL_OK;
        switch (ops[i]) {
        case MISC_APNUM:   ap = v; break;
        case MISC_ADDRESS: tar = v; break;
        case MISC_WRITE:   st = misc_access(s, ap, tar, true, &v); break;
        case MISC_READ:    st = misc_access(s, ap, v, false, &v); break;
        default:           st = STL_UNKNOWN_CMD; break;
        }
        st_le32(result + 4 * i, ops[i] == MISC_READ ? v : 0);
        st_le32(status + 4 * i, st);
    }
    s->misc_len = 8 * items;
}

static void dbg_rw_misc_in(struct stlink_device *s, unsigned arg)
{
    if (!s->misc_len) {
        reply_status(s, STL_ERR_FAULT);     /* no sequence to answer for */
        return;
    }
    memcpy(s->reply, s->misc, s->misc_len);
    s->reply_len = s->misc_len;
    s->misc_len = 0;
}

static void dbg_last_rw_status(struct stlink_device *s, unsigned arg)
{
    reply_status(s, s->last_rw_status);
}

static void dbg_last_rw_status2(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 12);
    s->reply[0] = s->last_rw_status;
    st_le32(s->reply + 4, s->last_rw_fault_addr);
}

static void dbg_apiv2_read_reg(struct stlink_device *s, unsigned arg)
{
    uint32_t v;
    reply_zero(s, 8);
    s->reply[0] = core_reg_read(s, s->cmd[2], &v);
    st_le32(s->reply + 4, v);
}

static void dbg_apiv1_read_reg(struct stlink_device *s, unsigned arg)
{
    uint32_t v;
    core_reg_read(s, s->cmd[2], &v);
    reply_zero(s, 4);
    st_le32(s->reply, v);
}

static void dbg_write_reg(struct stlink_device *s, unsigned arg)
{
    reply_status(s, s->cpu && target_reachable(s) &&
                            cpu_reg_write(s->cpu, s->cmd[2], ld_le32(s->cmd + 3)) == 0
                        ? STL_OK
                        : STL_ERR_FAULT);
}

/* Also accepted on V3: pyocd 0.13 sets the SWD clock this way on every
 * probe (guess: no public trace of a V3's answer). */
static void dbg_swd_set_freq(struct stlink_device *s, unsigned arg)
{
    s->swd_divisor = ld_le16(s->cmd + 2);
    reply_status(s, STL_OK);
}

static void dbg_jtag_set_freq(struct stlink_device *s, unsigned arg)
{
    reply_status(s, STL_OK);
}

static void dbg_ap_open_close(struct stlink_device *s, unsigned arg)
{
    reply_status(s, stlink_ap_exists(s, s->cmd[2]) ? STL_OK : STL_BAD_AP);
}

static void dbg_read_dap_reg(struct stlink_device *s, unsigned arg)
{
    uint32_t v;
    reply_zero(s, 8);
    s->reply[0] = stlink_dap_read(s, ld_le16(s->cmd + 2), ld_le16(s->cmd + 4), &v);
    st_le32(s->reply + 4, v);
}

static void dbg_write_dap_reg(struct stlink_device *s, unsigned arg)
{
    reply_status(s, stlink_dap_write(s, ld_le16(s->cmd + 2), ld_le16(s->cmd + 4),
                                     ld_le32(s->cmd + 6)));
}

/* arg: 1 to start, 0 to stop. */
static void dbg_trace_rx(struct stlink_device *s, unsigned arg)
{
    s->trace_on = arg != 0;
    reply_status(s, STL_OK);
}

static void dbg_trace_nb(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 2);                   /* no SWO bytes captured */
}

/* ---- the opcode tables ---------------------------------------------------------- */

/* What follows a command block on the OUT endpoint. */
enum stlink_data_rule {
    DATA_NONE,
    DATA_LEN_AT_6,      /* u16 LE at cmd[6] bytes: the WRITEMEM payload */
    DATA_MISC,          /* RW_MISC_OUT: commands and operands of cmd[2] items */
};

struct stlink_op {
    uint8_t opcode;
    const char *name;   /* the tools' name, less the STLINK_DEBUG_ prefix */
    enum stlink_data_rule data;
    void (*handler)(struct stlink_device *s, unsigned arg);
    unsigned arg;
    /* An ST-LINK/V2 (-1) firmware has the command from this J version on
     * (0: always); older firmware answers it as unknown.  The thresholds
     * are the ones OpenOCD 0.12 keys its feature flags on (stlink_usb.c
     * stlink_usb_version, from ST's firmware release notes) and stlink
     * 1.7.0 on (_parse_version: GETLASTRWSTATUS2 from J15, TRACE from J13;
     * usb.c: SWD_SET_FREQ from J22).  A V3 has them all. */
    uint8_t v2_from_jtag;
};

/* The DEBUG_COMMAND (0xF2) family, by cmd[1]. */
static const struct stlink_op debug_ops[] = {
    { STL_DBG_APIV1_ENTER,         "APIV1_ENTER",         DATA_NONE,     dbg_enter, 0, 0 },
    { STL_DBG_APIV2_ENTER,         "APIV2_ENTER",         DATA_NONE,     dbg_enter, 0, 0 },
    { STL_DBG_EXIT,                "EXIT",                DATA_NONE,     dbg_exit, 0, 0 },
    { STL_DBG_READ_IDCODES,        "READ_IDCODES",        DATA_NONE,     dbg_read_idcodes, 0, 0 },
    { STL_DBG_READCOREID,          "READCOREID",          DATA_NONE,     dbg_read_coreid, 0, 0 },
    { STL_DBG_GETSTATUS,           "GETSTATUS",           DATA_NONE,     dbg_get_status, 0, 0 },
    { STL_DBG_FORCEDEBUG,          "FORCEDEBUG",          DATA_NONE,     cmd_run_control, 0, 0 },
    { STL_DBG_RUNCORE,             "RUNCORE",             DATA_NONE,     cmd_run_control, 0, 0 },
    { STL_DBG_STEPCORE,            "STEPCORE",            DATA_NONE,     cmd_run_control, 0, 0 },
    { STL_DBG_APIV1_RESETSYS,      "APIV1_RESETSYS",      DATA_NONE,     dbg_reset_sys, 0, 0 },
    { STL_DBG_APIV2_RESETSYS,      "APIV2_RESETSYS",      DATA_NONE,     dbg_reset_sys, 0, 0 },
    { STL_DBG_DRIVE_NRST,          "APIV2_DRIVE_NRST",    DATA_NONE,     dbg_drive_nrst, 0, 0 },
    { STL_DBG_READDEBUG_32BIT,     "APIV2_READDEBUGREG",  DATA_NONE,     debug_reg_read, 0, 0 },
    { STL_DBG_WRITEDEBUG_32BIT,    "APIV2_WRITEDEBUGREG", DATA_NONE,     debug_reg_write, 0, 0 },
    { STL_DBG_APIV1_WRITEDEBUGREG, "APIV1_WRITEDEBUGREG", DATA_NONE,     debug_reg_write, 0, 0 },
    { STL_DBG_READMEM_32BIT,       "READMEM_32BIT",       DATA_NONE,     dbg_readmem, 4, 0 },
    { STL_DBG_READMEM_16BIT,       "READMEM_16BIT",       DATA_NONE,     dbg_readmem, 2, 26 },
    { STL_DBG_READMEM_8BIT,        "READMEM_8BIT",        DATA_NONE,     dbg_readmem, 1, 0 },
    { STL_DBG_WRITEMEM_32BIT,      "WRITEMEM_32BIT",      DATA_LEN_AT_6, dbg_writemem, 4, 0 },
    { STL_DBG_WRITEMEM_16BIT,      "WRITEMEM_16BIT",      DATA_LEN_AT_6, dbg_writemem, 2, 26 },
    { STL_DBG_WRITEMEM_8BIT,       "WRITEMEM_8BIT",       DATA_LEN_AT_6, dbg_writemem, 1, 0 },
    { STL_DBG_GETLASTRWSTATUS,     "APIV2_GETLASTRWSTATUS",  DATA_NONE,  dbg_last_rw_status, 0, 0 },
    { STL_DBG_GETLASTRWSTATUS2,    "APIV2_GETLASTRWSTATUS2", DATA_NONE,  dbg_last_rw_status2, 0, 15 },
    { STL_DBG_APIV2_READREG,       "APIV2_READREG",       DATA_NONE,     dbg_apiv2_read_reg, 0, 0 },
    { STL_DBG_APIV1_READREG,       "APIV1_READREG",       DATA_NONE,     dbg_apiv1_read_reg, 0, 0 },
    { STL_DBG_APIV2_WRITEREG,      "APIV2_WRITEREG",      DATA_NONE,     dbg_write_reg, 0, 0 },
    { STL_DBG_APIV1_WRITEREG,      "APIV1_WRITEREG",      DATA_NONE,     dbg_write_reg, 0, 0 },
    { STL_DBG_APIV2_READALLREGS,   "APIV2_READALLREGS",   DATA_NONE,     read_all_regs, 1, 0 },
    { STL_DBG_APIV1_READALLREGS,   "APIV1_READALLREGS",   DATA_NONE,     read_all_regs, 0, 0 },
    { STL_DBG_SWD_SET_FREQ,        "APIV2_SWD_SET_FREQ",  DATA_NONE,     dbg_swd_set_freq, 0, 22 },
    { STL_DBG_JTAG_SET_FREQ,       "APIV2_JTAG_SET_FREQ", DATA_NONE,     dbg_jtag_set_freq, 0, 24 },
    { STL_DBG_APIV3_GET_COM_FREQ,  "APIV3_GET_COM_FREQ",  DATA_NONE,     cmd_com_freq, 0, 0 },
    { STL_DBG_APIV3_SET_COM_FREQ,  "APIV3_SET_COM_FREQ",  DATA_NONE,     cmd_com_freq, 1, 0 },
    { STL_DBG_INIT_AP,             "APIV2_INIT_AP",       DATA_NONE,     dbg_ap_open_close, 0, 28 },
    { STL_DBG_CLOSE_AP_DBG,        "APIV2_CLOSE_AP_DBG",  DATA_NONE,     dbg_ap_open_close, 0, 28 },
    { STL_DBG_READ_DAP_REG,        "APIV2_READ_DAP_REG",  DATA_NONE,     dbg_read_dap_reg, 0, 24 },
    { STL_DBG_WRITE_DAP_REG,       "APIV2_WRITE_DAP_REG", DATA_NONE,     dbg_write_dap_reg, 0, 24 },
    { STL_DBG_RW_MISC_OUT,         "APIV2_RW_MISC_OUT",   DATA_MISC,     dbg_rw_misc_out, 0, 32 },
    { STL_DBG_RW_MISC_IN,          "APIV2_RW_MISC_IN",    DATA_NONE,     dbg_rw_misc_in, 0, 32 },
    { STL_DBG_START_TRACE_RX,      "APIV2_START_TRACE_RX", DATA_NONE,    dbg_trace_rx, 1, 13 },
    { STL_DBG_STOP_TRACE_RX,       "APIV2_STOP_TRACE_RX", DATA_NONE,     dbg_trace_rx, 0, 13 },
    { STL_DBG_GET_TRACE_NB,        "APIV2_GET_TRACE_NB",  DATA_NONE,     dbg_trace_nb, 0, 13 },
};

static void cmd_debug(struct stlink_device *s, unsigned arg);

static void cmd_current_mode(struct stlink_device *s, unsigned arg)
{
    reply_zero(s, 2);
    s->reply[0] = s->mode;
}

/* DFU_COMMAND and SWIM_COMMAND: arg is the EXIT sub-command; no answer. */
static void cmd_mode_exit(struct stlink_device *s, unsigned arg)
{
    if (s->cmd[1] == arg)
        s->mode = STL_MODE_MASS;
}

/* The command families, by cmd[0]. */
static const struct stlink_op commands[] = {
    { STL_GET_VERSION,        "GET_VERSION",        DATA_NONE, cmd_get_version, 0, 0 },
    { STL_GET_VERSION_APIV3,  "APIV3_GET_VERSION_EX", DATA_NONE, cmd_get_version_ex, 0, 0 },
    { STL_GET_CURRENT_MODE,   "GET_CURRENT_MODE",   DATA_NONE, cmd_current_mode, 0, 0 },
    { STL_GET_TARGET_VOLTAGE, "GET_TARGET_VOLTAGE", DATA_NONE, cmd_target_voltage, 0, 13 },
    { STL_DFU_COMMAND,        "DFU_COMMAND",        DATA_NONE, cmd_mode_exit, STL_DFU_EXIT, 0 },
    { STL_SWIM_COMMAND,       "SWIM_COMMAND",       DATA_NONE, cmd_mode_exit, STL_SWIM_EXIT, 0 },
    { STL_DEBUG_COMMAND,      "DEBUG_COMMAND",      DATA_NONE, cmd_debug, 0, 0 },
};

static const struct stlink_op *op_find(const struct stlink_op *table, size_t n, uint8_t opcode)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].opcode == opcode)
            return &table[i];
    return NULL;
}

static const struct stlink_op *debug_op(uint8_t sub)
{
    return op_find(debug_ops, sizeof debug_ops / sizeof debug_ops[0], sub);
}

/* Whether the probe's firmware has the command (guess: what an old
 * firmware answers a command it lacks is not in any public log; it is
 * answered as any unknown command). */
static bool firmware_knows(const struct stlink_device *s, const struct stlink_op *op)
{
    return s->id->hw >= 3 || s->id->jtag >= op->v2_from_jtag;
}

static bool firmware_has(const struct stlink_device *s, const struct stlink_op *op)
{
    if (firmware_knows(s, op))
        return true;
    chip_log(s->chip, "stlink: %s needs firmware J%u or later; this probe runs %s", op->name,
             op->v2_from_jtag, s->id->fw);
    return false;
}

static void cmd_debug(struct stlink_device *s, unsigned arg)
{
    const struct stlink_op *op = debug_op(s->cmd[1]);
    if (!op) {
        chip_log(s->chip, "stlink: unknown debug command F2 %02X", s->cmd[1]);
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    if (!firmware_has(s, op)) {
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    op->handler(s, op->arg);
}

uint32_t stlink_cmd_data_len(const struct stlink_device *s)
{
    const struct stlink_op *op = s->cmd[0] == STL_DEBUG_COMMAND ? debug_op(s->cmd[1]) : NULL;
    switch (op ? op->data : DATA_NONE) {
    case DATA_LEN_AT_6:
        return ld_le16(s->cmd + 6);
    case DATA_MISC:     /* a firmware without the command takes no data stage */
        return firmware_knows(s, op) ? misc_out_len(misc_items(s)) : 0;
    default:
        return 0;
    }
}

/* Fast time moves only when something waits for it (models/vclock.h).  A
 * host that talks to the target while the flash controller is busy is
 * waiting for it (polling SR.BSY between USB round trips): after the
 * command has seen the busy state, the operation's time has passed. */
static void let_busy_time_pass(struct stlink_device *s)
{
    uint64_t until;
    if (vclock_is_paced(s->chip->clock) || !chip_flash_busy(s->chip, &until))
        return;
    vclock_advance_to(s->chip->clock, until);
    chip_tick(s->chip);
}

static void execute(struct stlink_device *s);

void stlink_cmd_execute(struct stlink_device *s)
{
    execute(s);
    let_busy_time_pass(s);
}

static void execute(struct stlink_device *s)
{
    s->reply_len = 0;
    const struct stlink_op *op = op_find(commands, sizeof commands / sizeof commands[0], s->cmd[0]);
    if (!op) {
        chip_log(s->chip, "stlink: unknown command %02X", s->cmd[0]);
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    if (!firmware_has(s, op)) {
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    op->handler(s, op->arg);
}
