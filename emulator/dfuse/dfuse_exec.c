/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a DfuSe command does to the chip, the way the ROM does it.
 *
 * Addresses.  The ROM reaches memory through the alternate setting the
 * host selected: an address must lie in that setting's layout string
 * (dfuse_layout.c) and in a memory of the part, else the command ends in
 * dfuERROR / errTARGET (AN2662 p70/p77).  The internal-flash setting also
 * reaches SRAM (read, write) and system memory (read): AN2662 p70 lists
 * "flash/RAM/system memory" for reads, and the ROM writes RAM.  The
 * Device Feature setting is the ROM's own 4-byte location (AN2606 Table 4).
 *
 * Readout protection (AN2662 p70, p77, p78; AN2606).  At RDP level 1 the
 * ROM refuses reads of any target and erases with errVENDOR ("erase
 * ignored"), Set Address Pointer works, Read Unprotect works, option bytes
 * can be written (that is how a host lowers the level).  Writes to flash,
 * OTP, data EEPROM and SRAM are refused with errVENDOR as well
 * (guess: AN2662 names read and erase only; AN2606 forbids the ROM any
 * flash access at level 1, and the USART protocol NACKs Write Memory).
 *
 * Flash work goes through models/flashseq (register sequences on the
 * controller, BUS_CPU_SYSMEM), so WRP, alignment and "not erased" errors
 * come from the controller model; dfuse_status_from_flash_err() turns
 * them into the DFU status the host reads.
 */
#include "emulator/dfuse/dfuse_internal.h"

#include <string.h>

#include "lib/bytes.h"

enum target_kind {
    TGT_NONE, TGT_FLASH, TGT_OPTAREA, TGT_OTP, TGT_EEPROM, TGT_SRAM, TGT_SYSMEM, TGT_FEATURE,
};

struct target {
    enum target_kind kind;
    uint32_t end;               /* last byte reachable contiguously from the address */
};

static const struct mem_region *region_of(const struct part *p, uint32_t addr)
{
    for (unsigned i = 0; i < PART_MAX_REGIONS; i++) {
        const struct mem_region *r = &p->regions[i];
        if (r->size && addr >= r->base && addr - r->base < r->size)
            return r;
    }
    return NULL;
}

static enum target_kind kind_of(enum mem_kind k)
{
    switch (k) {
    case MEM_FLASH: return TGT_FLASH;
    case MEM_SRAM: return TGT_SRAM;
    case MEM_SYSMEM: return TGT_SYSMEM;
    case MEM_OTP: return TGT_OTP;
    case MEM_OPTAREA: return TGT_OPTAREA;
    case MEM_EEPROM: return TGT_EEPROM;
    case MEM_RESERVED: return TGT_NONE;
    }
    return TGT_NONE;
}

static const struct dfuse_layout *current_layout(const struct dfuse_device *d)
{
    unsigned alt = d->usb.alt_setting[0];
    return &d->layout[alt < d->nalts ? alt : 0];
}

/* Whether the layout describes main flash (the setting that also reaches
 * RAM and system memory). */
static bool layout_is_flash(const struct dfuse_device *d, const struct dfuse_layout *l)
{
    const struct mem_region *r = l->nseg ? region_of(d->part, l->seg[0].start) : NULL;
    return r && r->kind == MEM_FLASH;
}

static struct target resolve(const struct dfuse_device *d, uint64_t addr64)
{
    struct target t = { TGT_NONE, 0 };
    const struct dfuse_layout *l = current_layout(d);

    if (addr64 > 0xFFFFFFFFu)
        return t;
    uint32_t addr = (uint32_t)addr64;

    if (l->device_feature) {
        if (addr >= DFUSE_DEVICE_FEATURE_ADDR &&
            addr - DFUSE_DEVICE_FEATURE_ADDR < DFUSE_DEVICE_FEATURE_SIZE) {
            t.kind = TGT_FEATURE;
            t.end = DFUSE_DEVICE_FEATURE_ADDR + DFUSE_DEVICE_FEATURE_SIZE - 1;
        }
        return t;
    }

    const struct mem_region *r = region_of(d->part, addr);
    if (!r)
        return t;
    uint32_t region_end = r->base + (r->size - 1);
    const struct dfuse_segment *s = dfuse_layout_find(l, addr);
    if (s) {
        /* segments that follow each other make one memory */
        uint32_t end = s->end;
        for (const struct dfuse_segment *n; end != 0xFFFFFFFFu && (n = dfuse_layout_find(l, end + 1));)
            end = n->end;
        t.kind = kind_of(r->kind);
        t.end = end < region_end ? end : region_end;
    } else if (layout_is_flash(d, l) && (r->kind == MEM_SRAM || r->kind == MEM_SYSMEM)) {
        t.kind = kind_of(r->kind);
        t.end = region_end;
    }
    return t;
}

static bool rdp_active(const struct dfuse_device *d)
{
    return d->chip->rdp_level >= 1;
}

/* Whether the ROM's Read Unprotect check finds a write protection in
 * force (part_dfu.ru_wrp: the loaded option fields it reads). */
static bool wrp_blocks_unprotect(const struct dfuse_device *d)
{
    for (unsigned i = 0; i < PART_MAX_WRP_CHECKS && d->part->dfu.ru_wrp[i].field; i++) {
        uint32_t v;
        if (chip_ob_field(d->chip, d->part->dfu.ru_wrp[i].field, &v) == 0 &&
            v != d->part->dfu.ru_wrp[i].clear)
            return true;
    }
    return false;
}

/* ---- controller errors -> DFU status -------------------------------------- */

#define CMD_BIT(c) (1u << (c))
#define ERASES (CMD_BIT(DFUSE_OP_ERASE_PAGE) | CMD_BIT(DFUSE_OP_MASS_ERASE))
#define WRITES CMD_BIT(DFUSE_OP_WRITE)
#define ANY_CMD 0xFFFFFFFFu

/* First matching row wins.  A row matches when the command is in `cmds`
 * and the job's error bits intersect `errs` (errs == 0: "only these bits",
 * see `only`). */
static const struct flash_err_rule {
    uint32_t cmds;
    uint32_t errs;
    bool only;                  /* every error bit is in errs */
    uint8_t status;
    const char *why;
} flash_err_rules[] = {
    { ANY_CMD, FLASH_ERR_RDP, false, DFU_STATUS_errVENDOR,
      "AN2662 p70/p77: readout protection -> errVENDOR" },
    { ERASES, FLASH_ERR_WRP, true, DFU_STATUS_OK,
      "AN2662 p77: no error is returned when erasing write-protected sectors" },
    { ERASES, ANY_CMD, false, DFU_STATUS_errERASE,
      "DFU 1.1 errERASE: memory erase function failed" },
    { WRITES, FLASH_ERR_WRP, false, DFU_STATUS_errWRITE,
      "DFU 1.1 errWRITE: device is unable to write memory (write protection)" },
    { WRITES, FLASH_ERR_PROG | FLASH_ERR_NOTZERO, false, DFU_STATUS_errCHECK_ERASED,
      "PGERR/PROGERR/NOTZEROERR: the target was not erased" },
    { WRITES, FLASH_ERR_ALIGN | FLASH_ERR_PSIZE | FLASH_ERR_SEQ | FLASH_ERR_SIZE |
              FLASH_ERR_MISS | FLASH_ERR_FAST | FLASH_ERR_OP, false, DFU_STATUS_errPROG,
      "DFU 1.1 errPROG: program memory function failed" },
    { WRITES, FLASH_ERR_READ | FLASH_ERR_ECC, false, DFU_STATUS_errVERIFY,
      "DFU 1.1 errVERIFY: programmed memory failed verification" },
    { CMD_BIT(DFUSE_OP_WRITE), FLASH_ERR_OPTV, false, DFU_STATUS_errVERIFY,
      "OPTVERR: option bytes read back inconsistent" },
    { CMD_BIT(DFUSE_OP_READ_UNPROTECT), ANY_CMD, false, DFU_STATUS_errERASE,
      "Read Unprotect is a mass erase: errERASE" },
    { ANY_CMD, ANY_CMD, false, DFU_STATUS_errUNKNOWN,
      "anything else (locked controller...): errUNKNOWN" },
};

uint8_t dfuse_status_from_flash_err(enum dfuse_command cmd, uint32_t err)
{
    if (err == 0)
        err = FLASH_ERR_OP;     /* FAILED without a flag: still a failure */
    for (size_t i = 0; i < sizeof(flash_err_rules) / sizeof(flash_err_rules[0]); i++) {
        const struct flash_err_rule *r = &flash_err_rules[i];
        if (!(r->cmds & CMD_BIT(cmd)))
            continue;
        if (r->only ? (err & ~r->errs) == 0 : (err & r->errs) != 0)
            return r->status;
    }
    return DFU_STATUS_errUNKNOWN;
}

/* ---- DNLOAD blocks ------------------------------------------------------------ */

int dfuse_exec_parse(struct dfuse_device *d, uint16_t block, const uint8_t *data, uint16_t len)
{
    d->cmd = DFUSE_OP_NONE;
    if (block == 1 || len == 0)
        return -1;              /* wBlockNum 1 is no command in AN3156 */
    if (block >= 2) {
        d->cmd = DFUSE_OP_WRITE;
        d->block = block;
        d->len = len;
        memcpy(d->data, data, len);
        /* AN2662 p72: pointer + (wBlockNum - 2) * wTransferSize, the
         * request's length (dfuse_block_stride).  An address past 4 GiB
         * (block numbers near 0xFFFF) stays past it: errTARGET. */
        d->block_stride = dfuse_block_stride(d->block_stride, len);
        d->cmd_addr64 = (uint64_t)d->pointer + (uint64_t)(block - 2) * d->block_stride;
        d->cmd_addr = d->cmd_addr64 > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)d->cmd_addr64;
        return 0;
    }
    d->block_stride = 0;        /* a command: the next data block starts a sequence */
    /* AN3156 section 6: the command byte and its length decide (dfu_spec.c) */
    const struct dfuse_cmd_syntax *syn = dfuse_cmd_lookup(data, len);
    if (syn) {
        d->cmd = syn->op;
        d->block = 0;
        d->len = len;
        d->cmd_addr = len == 5 ? ld_le32(data + 1) : 0;
        return 0;
    }
    return -1;
}

/* ---- execution ---------------------------------------------------------------- */

static void finish_now(struct dfuse_device *d, uint8_t status)
{
    d->job_active = false;
    d->result_status = status;
}

static void start_job(struct dfuse_device *d, enum flashseq_kind kind, uint32_t addr,
                      const uint8_t *data, uint32_t len)
{
    int rc = flashseq_start(d->chip, &d->job, kind, addr, data, len);
    d->job_cmd = d->cmd;
    d->job_ok_status = DFU_STATUS_OK;
    dfuse_notify_flash(d, false, DFU_STATUS_OK);
    if (rc == FLASHSEQ_BUSY) {
        /* learn when it can go on (for ops->next_deadline) */
        d->job_active = true;
        d->job_until_ns = vclock_now(d->chip->clock);
        rc = flashseq_poll(d->chip, &d->job, &d->job_until_ns);
        if (rc == FLASHSEQ_BUSY)
            return;
    }
    finish_now(d, rc == FLASHSEQ_DONE ? DFU_STATUS_OK
                                      : dfuse_status_from_flash_err(d->cmd, d->job.err));
    dfuse_notify_flash(d, true, d->result_status);
}

static uint8_t write_feature(struct dfuse_device *d, uint32_t addr, const uint8_t *data,
                             uint16_t len)
{
    /* AN2606 Table 4: byte 0 is the voltage range 0..4, bytes 1-3 must stay
     * 0xFF; anything else is refused (errWRITE: guess, the USART protocol
     * NACKs it). */
    for (uint16_t i = 0; i < len; i++) {
        uint32_t off = addr - DFUSE_DEVICE_FEATURE_ADDR + i;
        if (off == 0 ? data[i] > 4 : data[i] != 0xFF)
            return DFU_STATUS_errWRITE;
    }
    if (addr == DFUSE_DEVICE_FEATURE_ADDR)
        d->voltage_range = data[0];
    return DFU_STATUS_OK;
}

static uint8_t write_ram(struct dfuse_device *d, uint32_t addr, const uint8_t *data, uint16_t len)
{
    for (uint16_t i = 0; i < len; i++)
        if (chip_write(d->chip, addr + i, 1, data[i], BUS_CPU_SYSMEM) != BUS_OK)
            return DFU_STATUS_errWRITE;
    return DFU_STATUS_OK;
}

/* AN2606 (part_dfu.write_pad8_corrupt, fault dfu.write.pad8): a buffer
 * longer than 256 B whose length is not a multiple of 8 is corrupted.
 * How is not documented; modelled (guess): the ROM programs whole
 * 256-byte rows (the L4's fast-programming row is 32 double words) and
 * loses the rest, answering OK.  Returns the bytes the ROM programs. */
static uint32_t write_length(struct dfuse_device *d, uint32_t addr)
{
    if (d->len <= 256 || d->len % 8 == 0)
        return d->len;
    if (!d->part->dfu.write_pad8_corrupt && !dfuse_fault_op(d, FAULT_DFU_WRITE_PAD8, "write", addr))
        return d->len;
    uint32_t kept = d->len - d->len % 256;
    chip_log(d->chip, "dfu: write of %u bytes at 0x%08x (> 256, not a multiple of 8): "
             "bytes from 0x%08x lost (AN2606 known limitation)", d->len, addr, addr + kept);
    return kept;
}

static void start_write(struct dfuse_device *d)
{
    uint32_t addr = d->cmd_addr;
    struct target t = resolve(d, d->cmd_addr64);   /* the address dfuse_exec_parse computed */

    if (t.kind == TGT_NONE || (uint64_t)addr + d->len - 1 > t.end) {
        finish_now(d, DFU_STATUS_errTARGET);
        return;
    }
    if (rdp_active(d) && t.kind != TGT_OPTAREA && t.kind != TGT_FEATURE) {
        finish_now(d, DFU_STATUS_errVENDOR);
        return;
    }
    switch (t.kind) {
    case TGT_FEATURE:
        finish_now(d, write_feature(d, addr, d->data, d->len));
        return;
    case TGT_SRAM:
        finish_now(d, write_ram(d, addr, d->data, d->len));
        return;
    case TGT_SYSMEM:
        finish_now(d, DFU_STATUS_errTARGET);    /* ROM: not writable */
        return;
    case TGT_OPTAREA:
        /* AN2662 p74: the ROM programs the option bytes and resets */
        start_job(d, FLASHSEQ_OPTION_WRITE, addr, d->data, d->len);
        d->reset_when_done = true;
        d->done_reset_kind = RESET_OPTION_LOAD;
        return;
    case TGT_FLASH:
    case TGT_OTP:
    case TGT_EEPROM:
        /* alignment and the padding of a partial last unit are the
         * controller sequence's (flashseq_<gen>.c), as in the ROM */
        start_job(d, FLASHSEQ_PROGRAM, addr, d->data, write_length(d, addr));
        return;
    case TGT_NONE:
        break;
    }
    finish_now(d, DFU_STATUS_errTARGET);
}

uint32_t dfuse_exec_start(struct dfuse_device *d)
{
    const struct dfu_poll_timeouts *poll = &d->part->dfu.poll;
    struct target t;

    d->job_active = false;
    d->reset_when_done = false;
    d->result_status = DFU_STATUS_OK;
    d->job_cmd = d->cmd;

    switch (d->cmd) {
    case DFUSE_OP_GET_COMMANDS:
        return poll->set_address_ms;
    case DFUSE_OP_SET_ADDRESS:
        /* Allowed under RDP (AN2662 p78); a wrong address: errTARGET */
        if (resolve(d, d->cmd_addr).kind == TGT_NONE)
            finish_now(d, DFU_STATUS_errTARGET);
        else
            d->pointer = d->cmd_addr;
        return poll->set_address_ms;
    case DFUSE_OP_ERASE_PAGE:
        t = resolve(d, d->cmd_addr);
        /* AN2662 4.5.3 p78 and its flowchart: "The allowed values for
         * Erase page address are: Internal Flash memory addresses"; any
         * other address ends in dfuERROR / errTARGET, before the RDP
         * check.  So OTP (never erasable, AN2606), option bytes
         * (rewritten whole by a write) and L0 data EEPROM (erased by the
         * ROM before each write, AN2606) all answer errTARGET. */
        if (t.kind != TGT_FLASH)
            finish_now(d, DFU_STATUS_errTARGET);
        else if (rdp_active(d))
            finish_now(d, DFU_STATUS_errVENDOR);
        else
            start_job(d, FLASHSEQ_ERASE_UNIT, d->cmd_addr, NULL, 0);
        return poll->erase_ms;
    case DFUSE_OP_MASS_ERASE:
        if (d->part->dfu.no_mass_erase) {
            chip_log(d->chip, "dfu: this ROM has no mass erase (errTARGET)");
            finish_now(d, DFU_STATUS_errTARGET);
        } else if (rdp_active(d))
            finish_now(d, DFU_STATUS_errVENDOR);
        else
            start_job(d, FLASHSEQ_MASS_ERASE, d->part->flash_base, NULL, 0);
        return poll->mass_erase_ms;
    case DFUSE_OP_READ_UNPROTECT:
        if (wrp_blocks_unprotect(d)) {
            /* guess (community 899416): refused before anything is erased;
             * the host saw dfuDNBUSY first, as for any command */
            chip_log(d->chip, "dfu: Read Unprotect refused: write protection active");
            finish_now(d, DFU_STATUS_errWRITE);
            return poll->read_unprotect_ms;
        }
        start_job(d, FLASHSEQ_RDP_REGRESS, d->part->flash_base, NULL, 0);
        d->reset_when_done = true;
        d->done_reset_kind = RESET_OPTION_LOAD;
        return poll->read_unprotect_ms;
    case DFUSE_OP_WRITE:
        start_write(d);
        return poll->write_ms;
    case DFUSE_OP_NONE:
        break;
    }
    finish_now(d, DFU_STATUS_errUNKNOWN);
    return 0;
}

int dfuse_exec_poll(struct dfuse_device *d, uint64_t *until_ns, uint8_t *status)
{
    if (d->job_active) {
        int rc = flashseq_poll(d->chip, &d->job, until_ns);
        if (rc == FLASHSEQ_BUSY) {
            d->job_until_ns = *until_ns;
            return FLASHSEQ_BUSY;
        }
        finish_now(d, rc == FLASHSEQ_DONE ? d->job_ok_status
                                          : dfuse_status_from_flash_err(d->job_cmd, d->job.err));
        dfuse_notify_flash(d, true, d->result_status);
        if (rc != FLASHSEQ_DONE)
            chip_log(d->chip, "dfu: %s at 0x%08x failed: flash_err 0x%x -> DFU status %u",
                     d->job_cmd == DFUSE_OP_WRITE ? "write" : "erase", d->job.fail_addr,
                     d->job.err, d->result_status);
    }
    *status = d->result_status;
    return FLASHSEQ_DONE;
}

int dfuse_exec_run(struct dfuse_device *d, uint8_t *status)
{
    for (;;) {
        uint64_t until = 0;
        if (dfuse_exec_poll(d, &until, status) == FLASHSEQ_DONE)
            return FLASHSEQ_DONE;
        uint64_t before = vclock_now(d->chip->clock);
        vclock_advance_to(d->chip->clock, until);
        if (vclock_now(d->chip->clock) <= before && until > before)
            return FLASHSEQ_BUSY;   /* paced clock: time cannot be pushed */
    }
}

int dfuse_exec_upload(struct dfuse_device *d, uint16_t block, uint8_t *buf, uint16_t len,
                      uint8_t *status)
{
    /* AN2662 p70: pointer + (wBlockNum - 2) x the request's length;
     * dfu-util's shorter last block keeps the sequence's stride
     * (dfuse_block_stride). */
    d->block_stride = dfuse_block_stride(d->block_stride, len);
    uint64_t addr = (uint64_t)d->pointer + (uint64_t)(block - 2) * d->block_stride;
    struct target t = resolve(d, addr);

    if (rdp_active(d)) {
        *status = DFU_STATUS_errVENDOR;
        return -1;
    }
    if (t.kind == TGT_NONE) {
        /* Just past the end of a memory: an empty frame ends the upload
         * (the ST library answers 0 bytes and goes to dfuIDLE). */
        if (addr > 0 && addr <= 0x100000000ull && resolve(d, addr - 1).kind != TGT_NONE)
            return 0;
        *status = DFU_STATUS_errTARGET;
        return -1;
    }
    uint32_t a = (uint32_t)addr;
    uint32_t n = len;
    if ((uint64_t)a + n - 1 > t.end)
        n = t.end - a + 1;
    if (t.kind == TGT_FEATURE) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t off = a - DFUSE_DEVICE_FEATURE_ADDR + i;
            buf[i] = off == 0 ? d->voltage_range : 0xFF;
        }
        return (int)n;
    }
    if (chip_read_block(d->chip, a, buf, n, BUS_CPU_SYSMEM) != BUS_OK) {
        *status = DFU_STATUS_errUNKNOWN;
        return -1;
    }
    return (int)n;
}
