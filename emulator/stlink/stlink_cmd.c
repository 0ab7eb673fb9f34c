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

#include <string.h>

/* ARMv7-M C1.6 / ARMv6-M C1.6 */
#define REG_AIRCR  0xE000ED0Cu
#define REG_DHCSR  0xE000EDF0u
#define DBGKEY     0xA05F0000u
#define C_DEBUGEN  (1u << 0)
#define C_HALT     (1u << 1)
#define C_STEP     (1u << 2)
#define C_MASKINTS (1u << 3)
#define AIRCR_SYSRESETREQ 0x05FA0004u

/* Target voltage as the probe's ADC reports it: VREFINT reading and the
 * VAPP/2 reading; the tools compute 2 * 1.2 V * reading / factor.
 * 1552 / 2104 -> 3.25 V (a board on a 3.3 V regulator). */
#define VOLT_FACTOR  1552u
#define VOLT_READING 2104u

/* STLINK-V3 SWD frequencies in kHz, fastest first (openocd's debug log of
 * GET_COM_FREQ on a V3SET). */
static const uint32_t v3_swd_khz[] = {24000, 8000, 3300, 1000, 200, 50, 5};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

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

static int ap_read(struct stlink_device *s, uint32_t addr, unsigned size, uint32_t *val)
{
    *val = 0;
    if (!target_reachable(s))
        return BUS_ERROR;
    if (stlink_coresight_read(s, addr, size, val))
        return BUS_OK;
    if (s->cpu)
        return cpu_debug_read(s->cpu, addr, size, val);
    return chip_read(s->chip, addr, size, val, BUS_DEBUG);
}

static int ap_write(struct stlink_device *s, uint32_t addr, unsigned size, uint32_t val)
{
    if (!target_reachable(s))
        return BUS_ERROR;
    if (s->cpu)
        return cpu_debug_write(s->cpu, addr, size, val);
    return chip_write(s->chip, addr, size, val, BUS_DEBUG);
}

static void rw_fault(struct stlink_device *s, uint32_t addr)
{
    if (s->last_rw_status == STL_OK) {
        s->last_rw_status = STL_SWD_AP_FAULT;
        s->last_rw_fault_addr = addr;
    }
    s->dap.sticky_err = true;
}

/* Memory read of len bytes in units of `unit`; after a fault the rest of
 * the answer is zeros (the AP returns no data after a FAULT ack). */
static void mem_read(struct stlink_device *s, uint32_t addr, uint32_t len, unsigned unit)
{
    s->last_rw_status = STL_OK;
    s->last_rw_fault_addr = 0;
    uint32_t reply_len = len == 1 ? 2 : len;   /* openocd reads 2 for a 1-byte read */
    reply_zero(s, reply_len);
    if ((unit > 1 && (addr % unit)) || s->cmd[8] != 0) {
        s->last_rw_status = s->cmd[8] != 0 ? STL_BAD_AP : STL_ALIGNMENT_ERROR;
        s->last_rw_fault_addr = addr;
        return;
    }
    for (uint32_t off = 0; off < len;) {
        unsigned n = (len - off >= unit) ? unit : 1;
        uint32_t v;
        if (ap_read(s, addr + off, n, &v) != BUS_OK) {
            rw_fault(s, addr + off);
            return;
        }
        for (unsigned i = 0; i < n; i++)
            s->reply[off + i] = (uint8_t)(v >> (8 * i));
        off += n;
    }
}

static void mem_write(struct stlink_device *s, uint32_t addr, uint32_t len, unsigned unit)
{
    s->last_rw_status = STL_OK;
    s->last_rw_fault_addr = 0;
    s->reply_len = 0;
    if ((unit > 1 && (addr % unit)) || s->cmd[8] != 0) {
        s->last_rw_status = s->cmd[8] != 0 ? STL_BAD_AP : STL_ALIGNMENT_ERROR;
        s->last_rw_fault_addr = addr;
        return;
    }
    for (uint32_t off = 0; off < len;) {
        unsigned n = (len - off >= unit) ? unit : 1;
        uint32_t v = 0;
        for (unsigned i = 0; i < n; i++)
            v |= (uint32_t)s->data[off + i] << (8 * i);
        if (ap_write(s, addr + off, n, v) != BUS_OK) {
            rw_fault(s, addr + off);
            return;
        }
        off += n;
    }
}

static void debug_reg_read(struct stlink_device *s, uint32_t addr)
{
    uint32_t v = 0;
    reply_zero(s, 8);
    s->reply[0] = ap_read(s, addr, 4, &v) == BUS_OK ? STL_OK : STL_SWD_AP_FAULT;
    put32(s->reply + 4, v);
}

static void debug_reg_write(struct stlink_device *s, uint32_t addr, uint32_t val)
{
    reply_status(s, ap_write(s, addr, 4, val) == BUS_OK ? STL_OK : STL_SWD_AP_FAULT);
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
 * PRIMASK (REGSEL 20) and FPSCR (0x21) as stlink's "rw" and "rw2". */
static void read_all_regs(struct stlink_device *s, bool with_status)
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
        put32(s->reply + base + 4 * i, v);
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

static void cmd_get_version(struct stlink_device *s)
{
    uint16_t v;
    if (s->fw.hw >= 3)
        v = (uint16_t)(s->fw.hw << 12);          /* x = y = 0: "use GET_VERSION_EX" */
    else
        v = (uint16_t)((s->fw.hw << 12) | ((s->fw.jtag & 0x3F) << 6) | (s->fw.swim_or_msd & 0x3F));
    reply_zero(s, 6);
    s->reply[0] = (uint8_t)(v >> 8);             /* big endian, as the tools decode it */
    s->reply[1] = (uint8_t)v;
    s->reply[2] = 0x83;                          /* VID 0x0483, little endian */
    s->reply[3] = 0x04;
    s->reply[4] = (uint8_t)s->pid;
    s->reply[5] = (uint8_t)(s->pid >> 8);
}

static void cmd_get_version_ex(struct stlink_device *s)
{
    if (s->fw.hw < 3) {
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    reply_zero(s, 12);
    s->reply[0] = s->fw.hw;
    s->reply[1] = s->fw.swim;
    s->reply[2] = s->fw.jtag;
    s->reply[3] = s->fw.msd;
    s->reply[4] = s->fw.bridge;
    s->reply[8] = 0x83;
    s->reply[9] = 0x04;
    s->reply[10] = (uint8_t)s->pid;
    s->reply[11] = (uint8_t)(s->pid >> 8);
}

static void cmd_target_voltage(struct stlink_device *s)
{
    reply_zero(s, 8);
    put32(s->reply, VOLT_FACTOR);
    put32(s->reply + 4, s->chip->powered ? VOLT_READING : 0);
}

static void cmd_com_freq(struct stlink_device *s, bool set)
{
    size_t n = sizeof(v3_swd_khz) / sizeof(v3_swd_khz[0]);
    if (s->fw.hw < 3) {
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
    if (!set) {
        reply_zero(s, 52);
        s->reply[0] = STL_OK;
        s->reply[8] = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
            put32(s->reply + 12 + 4 * i, v3_swd_khz[i]);
        return;
    }
    uint32_t want = get32(s->cmd + 4);
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
    put32(s->reply + 4, got);
}

static void cmd_run_control(struct stlink_device *s, uint8_t sub)
{
    uint32_t dhcsr = DBGKEY | C_DEBUGEN;
    if (sub == STL_DBG_FORCEDEBUG)
        dhcsr |= C_HALT;
    else if (sub == STL_DBG_STEPCORE)
        dhcsr |= C_STEP | C_MASKINTS;
    reply_status(s, ap_write(s, REG_DHCSR, 4, dhcsr) == BUS_OK ? STL_OK : STL_SWD_AP_FAULT);
}

static void cmd_debug(struct stlink_device *s)
{
    const uint8_t *c = s->cmd;
    uint8_t sub = c[1];
    uint32_t v;

    switch (sub) {
    case STL_DBG_APIV1_ENTER:
    case STL_DBG_APIV2_ENTER:
        /* SWD or JTAG: the board wires SWD only, and answers either way */
        s->mode = STL_MODE_DEBUG;
        s->dap.ctrl_stat |= (1u << 30) | (1u << 28);     /* debug and system power up */
        if (target_reachable(s))
            chip_debugger_connected(s->chip);
        reply_status(s, target_reachable(s) ? STL_OK : STL_SWD_DP_FAULT);
        return;
    case STL_DBG_EXIT:
        s->mode = STL_MODE_MASS;
        s->reply_len = 0;
        return;
    case STL_DBG_READ_IDCODES:
        reply_zero(s, 12);
        s->reply[0] = target_reachable(s) ? STL_OK : STL_SWD_DP_FAULT;
        put32(s->reply + 4, target_reachable(s) ? s->chip->part->swd_idr : 0);
        return;
    case STL_DBG_READCOREID:
        reply_zero(s, 4);
        put32(s->reply, target_reachable(s) ? s->chip->part->swd_idr : 0);
        return;
    case STL_DBG_GETSTATUS:
        reply_zero(s, 2);
        s->reply[0] = s->cpu && cpu_get_state(s->cpu) == CPU_HALTED ? STL_CORE_HALTED
                                                                     : STL_CORE_RUNNING;
        return;
    case STL_DBG_FORCEDEBUG:
    case STL_DBG_RUNCORE:
    case STL_DBG_STEPCORE:
        cmd_run_control(s, sub);
        return;
    case STL_DBG_APIV1_RESETSYS:
    case STL_DBG_APIV2_RESETSYS:
        reply_status(s, ap_write(s, REG_AIRCR, 4, AIRCR_SYSRESETREQ) == BUS_OK ? STL_OK
                                                                                : STL_SWD_AP_FAULT);
        return;
    case STL_DBG_DRIVE_NRST:
        if (c[2] == STL_NRST_PULSE) {
            drive_nrst(s, true);
            drive_nrst(s, false);
        } else {
            drive_nrst(s, c[2] == STL_NRST_LOW);
        }
        reply_status(s, STL_OK);
        return;
    case STL_DBG_READDEBUG_32BIT:
        debug_reg_read(s, get32(c + 2));
        return;
    case STL_DBG_WRITEDEBUG_32BIT:
    case STL_DBG_APIV1_WRITEDEBUGREG:
        debug_reg_write(s, get32(c + 2), get32(c + 6));
        return;
    case STL_DBG_READMEM_32BIT:
        mem_read(s, get32(c + 2), get16(c + 6), 4);
        return;
    case STL_DBG_READMEM_16BIT:
        mem_read(s, get32(c + 2), get16(c + 6), 2);
        return;
    case STL_DBG_READMEM_8BIT:
        mem_read(s, get32(c + 2), get16(c + 6), 1);
        return;
    case STL_DBG_WRITEMEM_32BIT:
        mem_write(s, get32(c + 2), s->data_len, 4);
        return;
    case STL_DBG_WRITEMEM_16BIT:
        mem_write(s, get32(c + 2), s->data_len, 2);
        return;
    case STL_DBG_WRITEMEM_8BIT:
        mem_write(s, get32(c + 2), s->data_len, 1);
        return;
    case STL_DBG_GETLASTRWSTATUS:
        reply_status(s, s->last_rw_status);
        return;
    case STL_DBG_GETLASTRWSTATUS2:
        reply_zero(s, 12);
        s->reply[0] = s->last_rw_status;
        put32(s->reply + 4, s->last_rw_fault_addr);
        return;
    case STL_DBG_APIV2_READREG:
        reply_zero(s, 8);
        s->reply[0] = core_reg_read(s, c[2], &v);
        put32(s->reply + 4, v);
        return;
    case STL_DBG_APIV1_READREG:
        core_reg_read(s, c[2], &v);
        reply_zero(s, 4);
        put32(s->reply, v);
        return;
    case STL_DBG_APIV2_WRITEREG:
    case STL_DBG_APIV1_WRITEREG:
        reply_status(s, s->cpu && target_reachable(s) && cpu_reg_write(s->cpu, c[2], get32(c + 3)) == 0
                            ? STL_OK
                            : STL_ERR_FAULT);
        return;
    case STL_DBG_APIV2_READALLREGS:
        read_all_regs(s, true);
        return;
    case STL_DBG_APIV1_READALLREGS:
        read_all_regs(s, false);
        return;
    case STL_DBG_SWD_SET_FREQ:
        /* Also accepted on V3: pyocd 0.13 sets the SWD clock this way on
         * every probe (guess: no public trace of a V3's answer). */
        s->swd_divisor = get16(c + 2);
        reply_status(s, STL_OK);
        return;
    case STL_DBG_JTAG_SET_FREQ:
        reply_status(s, STL_OK);
        return;
    case STL_DBG_APIV3_GET_COM_FREQ:
        cmd_com_freq(s, false);
        return;
    case STL_DBG_APIV3_SET_COM_FREQ:
        cmd_com_freq(s, true);
        return;
    case STL_DBG_INIT_AP:
    case STL_DBG_CLOSE_AP_DBG:
        reply_status(s, c[2] == 0 ? STL_OK : STL_BAD_AP);
        return;
    case STL_DBG_READ_DAP_REG:
        reply_zero(s, 8);
        s->reply[0] = stlink_dap_read(s, get16(c + 2), get16(c + 4), &v);
        put32(s->reply + 4, v);
        return;
    case STL_DBG_WRITE_DAP_REG:
        reply_status(s, stlink_dap_write(s, get16(c + 2), get16(c + 4), get32(c + 6)));
        return;
    case STL_DBG_START_TRACE_RX:
        s->trace_on = true;
        reply_status(s, STL_OK);
        return;
    case STL_DBG_STOP_TRACE_RX:
        s->trace_on = false;
        reply_status(s, STL_OK);
        return;
    case STL_DBG_GET_TRACE_NB:
        reply_zero(s, 2);               /* no SWO bytes captured */
        return;
    default:
        chip_log(s->chip, "stlink: unknown debug command F2 %02X", sub);
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
}

uint32_t stlink_cmd_data_len(const struct stlink_device *s)
{
    if (s->cmd[0] != STL_DEBUG_COMMAND)
        return 0;
    switch (s->cmd[1]) {
    case STL_DBG_WRITEMEM_32BIT:
    case STL_DBG_WRITEMEM_16BIT:
    case STL_DBG_WRITEMEM_8BIT:
        return get16(s->cmd + 6);
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
    switch (s->cmd[0]) {
    case STL_GET_VERSION:
        cmd_get_version(s);
        return;
    case STL_GET_VERSION_APIV3:
        cmd_get_version_ex(s);
        return;
    case STL_GET_CURRENT_MODE:
        reply_zero(s, 2);
        s->reply[0] = s->mode;
        return;
    case STL_GET_TARGET_VOLTAGE:
        cmd_target_voltage(s);
        return;
    case STL_DFU_COMMAND:
        if (s->cmd[1] == STL_DFU_EXIT)
            s->mode = STL_MODE_MASS;
        return;                         /* no answer */
    case STL_SWIM_COMMAND:
        if (s->cmd[1] == STL_SWIM_EXIT)
            s->mode = STL_MODE_MASS;
        return;
    case STL_DEBUG_COMMAND:
        cmd_debug(s);
        return;
    default:
        chip_log(s->chip, "stlink: unknown command %02X", s->cmd[0]);
        reply_status(s, STL_UNKNOWN_CMD);
        return;
    }
}
