/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AN3155 (USART protocol used in the STM32 bootloader, rev 13), command by
 * command, as a receive state machine.  Section numbers below are
 * AN3155's.  Every length and address from the host is checked before
 * use; a frame that fails a check is answered NACK and the ROM waits for
 * the next command (AN3155 2: "the bootloader ... returns to the command
 * waiting state").
 */
#include "emulator/usart/an3155.h"

#include <stdlib.h>
#include <string.h>

#include "models/flashseq.h"
#include "models/usart_rom.h"

/* Largest frame the ROM takes: Extended Erase of 2048 pages (L1: 256-byte
 * pages; stm32flash sends at most 512 per command): 2 + 2 * 2048 + 1. */
#define FRAME_MAX (2u + 2u * 2048u + 1u)
#define TX_MAX 600u

enum rx_state {
    RX_SYNC,                /* waiting for 0x7F (AN3155 2: autobaud) */
    RX_CMD,                 /* command byte and its complement */
    RX_ADDR,                /* 4 address bytes, MSB first, and their XOR */
    RX_READ_LEN,            /* N and ~N (3.4) */
    RX_WRITE_DATA,          /* N, N + 1 bytes, XOR checksum (3.6) */
    RX_ERASE,               /* N, N + 1 page numbers, checksum; 0xFF 0x00 (3.7) */
    RX_EXT_ERASE,           /* N (2 bytes), N + 1 page numbers (2 bytes), checksum (3.8) */
    RX_WRITE_PROTECT,       /* N, N + 1 sector codes, checksum (3.9) */
    RX_BUSY,                /* a flash operation runs: the ROM reads nothing */
};

/* A queued piece of flash work behind one command. */
enum work {
    WORK_NONE,
    WORK_ERASE_LIST,        /* units listed in frame[] (or all of a bank) */
    WORK_MASS_ERASE,
    WORK_PROGRAM,
    WORK_OPTIONS,           /* an option image, then a reset */
    WORK_RDP_REGRESS,       /* Readout Unprotect: mass erase + RDP 0, then a reset */
};

struct an3155 {
    struct chip *chip;
    const struct part *part;
    const struct usart_rom *rom;

    enum rx_state st;
    bool synced;
    uint8_t cmd;
    uint32_t addr;

    uint8_t frame[FRAME_MAX];
    uint32_t flen;              /* bytes received of this frame */
    uint32_t need;              /* bytes the frame has in all (0: not known yet) */
    bool frame_bad;             /* a parity error in this frame */

    uint8_t tx[TX_MAX];
    size_t txlen;

    /* flash work of the command in progress */
    enum work work;
    struct flashseq_job job;
    bool job_active;
    uint32_t erase_next;        /* next entry of the erase list */
    uint32_t erase_count;
    uint32_t erase_first;       /* bank erase: first unit; else UINT32_MAX (list in frame) */
    bool reset_after;

    enum an3155_action action;
    uint32_t action_addr;
};

static void send(struct an3155 *u, uint8_t b)
{
    if (u->txlen < TX_MAX)
        u->tx[u->txlen++] = b;
}

static void to_command_wait(struct an3155 *u)
{
    u->st = RX_CMD;
    u->flen = 0;
    u->need = 2;
    u->frame_bad = false;
}

static void nack(struct an3155 *u)
{
    send(u, AN3155_NACK);
    to_command_wait(u);
}

static void expect(struct an3155 *u, enum rx_state st, uint32_t need)
{
    u->st = st;
    u->flen = 0;
    u->need = need;
    u->frame_bad = false;
}

static uint8_t xor_of(const uint8_t *p, uint32_t n)
{
    uint8_t x = 0;
    for (uint32_t i = 0; i < n; i++)
        x ^= p[i];
    return x;
}

struct an3155 *an3155_new(struct chip *c)
{
    const struct usart_rom *rom = usart_rom_of(c->part);
    if (!rom) {
        chip_log(c, "usart: %s: the ROM's USART bootloader is not modelled", c->part->name);
        return NULL;
    }
    struct an3155 *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->chip = c;
    u->part = c->part;
    u->rom = rom;
    u->st = RX_SYNC;
    return u;
}

void an3155_free(struct an3155 *u)
{
    free(u);
}

bool an3155_synced(const struct an3155 *u)
{
    return u->synced;
}

size_t an3155_tx(struct an3155 *u, uint8_t *buf, size_t cap)
{
    size_t n = u->txlen < cap ? u->txlen : cap;
    memcpy(buf, u->tx, n);
    memmove(u->tx, u->tx + n, u->txlen - n);
    u->txlen -= n;
    return n;
}

enum an3155_action an3155_action(struct an3155 *u, uint32_t *addr)
{
    if (u->txlen || u->action == AN3155_ACT_NONE)
        return AN3155_ACT_NONE;
    enum an3155_action a = u->action;
    u->action = AN3155_ACT_NONE;
    *addr = u->action_addr;
    return a;
}

/* ---- memory checks ---------------------------------------------------------- */

/* The memory holding [addr, addr + len) as one region, or NULL. */
static const struct mem_region *span(const struct an3155 *u, uint32_t addr, uint32_t len)
{
    const struct mem_region *r = part_region(u->part, addr);
    if (!r || r->kind == MEM_RESERVED || len == 0)
        return NULL;
    if ((uint64_t)addr + len > (uint64_t)r->base + r->size)
        return NULL;
    return r;
}

static bool rdp_active(const struct an3155 *u)
{
    return u->chip->rdp_level >= 1;
}

/* ---- flash work ------------------------------------------------------------- */

/* Start the job; false when it ended at once (*ok says how). */
static bool start_job(struct an3155 *u, enum flashseq_kind kind, uint32_t addr,
                      const uint8_t *data, uint32_t len, bool *ok)
{
    int rc = flashseq_start(u->chip, &u->job, kind, addr, data, len);
    if (rc == FLASHSEQ_BUSY) {
        u->job_active = true;
        return true;
    }
    *ok = rc == FLASHSEQ_DONE;
    if (!*ok)
        chip_log(u->chip, "usart: flash operation at 0x%08x failed: flash_err 0x%x",
                 u->job.fail_addr, u->job.err);
    return false;
}

/* The unit the erase list names next, in the flash organisation in force. */
static bool next_erase_addr(struct an3155 *u, uint32_t *addr)
{
    struct flash_map m = chip_flash_map(u->chip);
    uint32_t index;
    if (u->erase_first != UINT32_MAX) {
        index = u->erase_first + u->erase_next;
    } else if (u->cmd == AN3155_ERASE) {
        index = u->frame[1 + u->erase_next];
    } else {
        const uint8_t *p = u->frame + 2 + 2 * u->erase_next;
        index = (uint32_t)p[0] << 8 | p[1];
    }
    uint32_t size;
    return flash_map_unit_at(&m, index, addr, &size) >= 0;
}

/* The command's work ended (ok or not): the last ACK / NACK, the action. */
static void work_done(struct an3155 *u, bool ok)
{
    u->job_active = false;
    u->work = WORK_NONE;
    send(u, ok ? AN3155_ACK : AN3155_NACK);
    if (ok && u->reset_after) {
        u->action = AN3155_ACT_RESET;
        u->st = RX_BUSY;        /* nothing more is read: the chip resets */
        return;
    }
    to_command_wait(u);
}

/* Run the command's work as far as it goes without waiting. */
static void work_step(struct an3155 *u)
{
    bool ok = true;
    while (u->work == WORK_ERASE_LIST && !u->job_active) {
        if (u->erase_next >= u->erase_count) {
            work_done(u, true);
            return;
        }
        uint32_t addr;
        if (!next_erase_addr(u, &addr)) {
            work_done(u, false);
            return;
        }
        u->erase_next++;
        if (!start_job(u, FLASHSEQ_ERASE_UNIT, addr, NULL, 0, &ok) && !ok) {
            /* guess: AN3155 3.8 names no error reply; the ROM checks the
             * controller's flags and answers NACK (a protected page) */
            work_done(u, false);
            return;
        }
    }
}

static void start_work(struct an3155 *u, enum work w, enum flashseq_kind kind, uint32_t addr,
                       const uint8_t *data, uint32_t len)
{
    bool ok = true;
    u->work = w;
    u->st = RX_BUSY;
    if (w == WORK_ERASE_LIST) {
        u->erase_next = 0;
        work_step(u);
        return;
    }
    if (!start_job(u, kind, addr, data, len, &ok))
        work_done(u, ok);
}

bool an3155_poll(struct an3155 *u, uint64_t *until_ns)
{
    for (int guard = 0; guard < 4096 && u->job_active; guard++) {
        uint64_t until = 0;
        int rc = flashseq_poll(u->chip, &u->job, &until);
        if (rc == FLASHSEQ_BUSY) {
            *until_ns = until;
            return true;
        }
        u->job_active = false;
        if (rc != FLASHSEQ_DONE) {
            chip_log(u->chip, "usart: flash operation at 0x%08x failed: flash_err 0x%x",
                     u->job.fail_addr, u->job.err);
            work_done(u, false);
            return false;
        }
        if (u->work == WORK_ERASE_LIST)
            work_step(u);
        else
            work_done(u, true);
    }
    return u->job_active;
}

/* ---- option bytes ----------------------------------------------------------- */

struct ob_change {
    const char *field;
    uint32_t value;
};

/* The option area image with the fields changed, as the ROM computes it
 * before it programs it through the controller.  The encoding (pairs,
 * complements, OPTCR words) is the chip's: the image is made with
 * chip_ob_set on the live area, copied, and the area put back untouched. */
static int option_image(struct an3155 *u, const struct ob_change *ch, unsigned n, uint8_t *img)
{
    struct chip *c = u->chip;
    uint32_t size = u->part->optarea_size;
    if (size == 0 || size > FLASHSEQ_MAX_DATA)
        return -1;
    uint8_t *saved = malloc(size);
    if (!saved)
        return -1;
    memcpy(saved, c->optarea, size);
    bool dirty = c->dirty;
    uint64_t changes = c->changes;
    int rc = 0;
    for (unsigned i = 0; i < n && rc == 0; i++) {
        int ri;
        const struct ob_field *f = part_obfield(u->part, ch[i].field, &ri);
        uint32_t reg;
        if (!f || chip_ob_get(c, u->part->obregs[ri].name, &reg) < 0 ||
            chip_ob_set(c, u->part->obregs[ri].name, ob_field_put(f, reg, ch[i].value)) < 0)
            rc = -1;
    }
    memcpy(img, c->optarea, size);
    memcpy(c->optarea, saved, size);
    c->dirty = dirty;
    c->changes = changes;
    free(saved);
    return rc;
}

static void program_options(struct an3155 *u, const struct ob_change *ch, unsigned n)
{
    uint8_t img[FLASHSEQ_MAX_DATA];
    if (option_image(u, ch, n, img) < 0) {
        chip_log(u->chip, "usart: option change not possible on %s", u->part->name);
        nack(u);
        return;
    }
    u->reset_after = true;
    start_work(u, WORK_OPTIONS, FLASHSEQ_OPTION_WRITE, u->part->optarea_base, img,
               u->part->optarea_size);
}

/* Width of an option field by name (0: none). */
static unsigned field_width(const struct part *p, const char *name)
{
    int ri;
    const struct ob_field *f = part_obfield(p, name, &ri);
    return f ? f->width : 0;
}

/* 3.9 Write Protect: the sectors listed in frame[1..N+1] get their WRP
 * bit cleared (0 = protected), the others keep theirs. */
static void write_protect(struct an3155 *u)
{
    const struct usart_rom_wrp *w = &u->rom->wrp;
    struct ob_change ch[USART_ROM_MAX_WRP];
    unsigned n = 0, base = 0;
    uint32_t count = (uint32_t)u->frame[0] + 1;
    for (; n < USART_ROM_MAX_WRP && w->fields[n]; n++) {
        uint32_t v = chip_ob_field_or(u->chip, w->fields[n], 0xFFFFFFFFu);
        unsigned width = field_width(u->part, w->fields[n]);
        for (uint32_t i = 0; i < count; i++) {
            uint32_t bit = u->frame[1 + i] / w->units_per_bit;
            if (bit >= base && bit < base + width)
                v &= ~(1u << (bit - base));
        }
        ch[n] = (struct ob_change){ w->fields[n], v };
        base += width;
    }
    for (uint32_t i = 0; i < count; i++)
        if (u->frame[1 + i] / w->units_per_bit >= base) {
            nack(u);                /* a sector the part does not have */
            return;
        }
    program_options(u, ch, n);
}

/* 3.10 Write Unprotect: every WRP bit set again. */
static void write_unprotect(struct an3155 *u)
{
    const struct usart_rom_wrp *w = &u->rom->wrp;
    struct ob_change ch[USART_ROM_MAX_WRP + PART_MAX_WRP_CHECKS];
    unsigned n = 0;
    for (unsigned i = 0; i < USART_ROM_MAX_WRP && w->fields[i]; i++) {
        unsigned width = field_width(u->part, w->fields[i]);
        ch[n++] = (struct ob_change){ w->fields[i], width >= 32 ? 0xFFFFFFFFu : (1u << width) - 1 };
    }
    /* parts whose sector masks this table does not map: the fields the
     * DFU face's Read Unprotect checks (part_dfu.ru_wrp), cleared */
    if (n == 0)
        for (unsigned i = 0; i < PART_MAX_WRP_CHECKS && u->part->dfu.ru_wrp[i].field; i++)
            ch[n++] = (struct ob_change){ u->part->dfu.ru_wrp[i].field, u->part->dfu.ru_wrp[i].clear };
    if (n == 0) {
        /* guess: no WRP field modelled on this part (L0/L4/G0/G4/H7...):
         * nothing to clear; the ROM still answers and resets */
        u->reset_after = true;
        work_done(u, true);
        return;
    }
    program_options(u, ch, n);
}

/* 3.11 Readout Protect: RDP to level 1.  guess: the ROM writes 0x00 (any
 * value but the level 0 and level 2 keys is level 1; AN3155 does not say
 * which it writes). */
static void readout_protect(struct an3155 *u)
{
    struct ob_change ch = { u->part->rdp_field, 0x00 };
    program_options(u, &ch, 1);
}

/* ---- frames ----------------------------------------------------------------- */

static void on_command(struct an3155 *u)
{
    uint8_t c = u->frame[0];
    if (u->frame_bad || (u->frame[0] ^ u->frame[1]) != 0xFF || !usart_rom_has(u->rom, c)) {
        nack(u);
        return;
    }
    u->cmd = c;
    u->reset_after = false;
    switch (c) {
    case AN3155_GET:                /* 3.1 */
        send(u, AN3155_ACK);
        send(u, u->rom->ncmds);     /* N = bytes that follow - 1: version + commands */
        send(u, u->rom->version);
        for (unsigned i = 0; i < u->rom->ncmds; i++)
            send(u, u->rom->cmds[i]);
        send(u, AN3155_ACK);
        to_command_wait(u);
        return;
    case AN3155_GET_VERSION:        /* 3.2: version, option bytes 0x00 0x00 */
        send(u, AN3155_ACK);
        send(u, u->rom->version);
        send(u, 0x00);
        send(u, 0x00);
        send(u, AN3155_ACK);
        to_command_wait(u);
        return;
    case AN3155_GET_ID:             /* 3.3: N = 1, PID MSB first */
        send(u, AN3155_ACK);
        send(u, 0x01);
        send(u, (uint8_t)(u->part->dev_id >> 8));
        send(u, (uint8_t)u->part->dev_id);
        send(u, AN3155_ACK);
        to_command_wait(u);
        return;
    case AN3155_READ:
    case AN3155_GO:
    case AN3155_WRITE:
        /* 3.4, 3.5, 3.6: "if RDP is active, NACK" */
        if (rdp_active(u)) {
            nack(u);
            return;
        }
        send(u, AN3155_ACK);
        expect(u, RX_ADDR, 5);
        return;
    case AN3155_ERASE:
    case AN3155_EXT_ERASE:
    case AN3155_WRITE_PROTECT:
        if (rdp_active(u) || (c == AN3155_WRITE_PROTECT && !u->rom->wrp.fields[0])) {
            nack(u);
            return;
        }
        send(u, AN3155_ACK);
        expect(u, c == AN3155_ERASE ? RX_ERASE : c == AN3155_EXT_ERASE ? RX_EXT_ERASE
                                                                         : RX_WRITE_PROTECT,
               0);
        return;
    case AN3155_WRITE_UNPROTECT:    /* 3.10: ACK, work, ACK, reset */
        send(u, AN3155_ACK);
        write_unprotect(u);
        return;
    case AN3155_READOUT_PROTECT:    /* 3.11: NACK when RDP is already active */
        if (rdp_active(u)) {
            nack(u);
            return;
        }
        send(u, AN3155_ACK);
        readout_protect(u);
        return;
    case AN3155_READOUT_UNPROTECT:  /* 3.12: ACK, mass erase + RDP 0, ACK, reset */
        send(u, AN3155_ACK);
        u->reset_after = true;
        start_work(u, WORK_RDP_REGRESS, FLASHSEQ_RDP_REGRESS, u->part->flash_base, NULL, 0);
        return;
    default:
        nack(u);
        return;
    }
}

static void on_address(struct an3155 *u)
{
    if (u->frame_bad || xor_of(u->frame, 4) != u->frame[4]) {
        nack(u);
        return;
    }
    u->addr = (uint32_t)u->frame[0] << 24 | (uint32_t)u->frame[1] << 16 |
              (uint32_t)u->frame[2] << 8 | u->frame[3];
    const struct mem_region *r = span(u, u->addr, 1);
    switch (u->cmd) {
    case AN3155_READ:               /* flash, RAM, system memory, option bytes (3.4) */
        if (!r) {
            nack(u);
            return;
        }
        send(u, AN3155_ACK);
        expect(u, RX_READ_LEN, 2);
        return;
    case AN3155_GO:                 /* RAM or flash (3.5) */
        if (!r || (r->kind != MEM_FLASH && r->kind != MEM_SRAM)) {
            nack(u);
            return;
        }
        send(u, AN3155_ACK);
        u->action = AN3155_ACT_GO;
        u->action_addr = u->addr;
        u->st = RX_BUSY;            /* the ROM is gone once the jump is made */
        return;
    case AN3155_WRITE:              /* flash, RAM, option bytes, OTP (3.6) */
        if (!r || r->kind == MEM_SYSMEM || (u->addr & 3u)) {
            /* guess: AN3155 asks the host for 4-byte aligned addresses */
            nack(u);
            return;
        }
        send(u, AN3155_ACK);
        expect(u, RX_WRITE_DATA, 0);
        return;
    default:
        nack(u);
        return;
    }
}

static void on_read_len(struct an3155 *u)
{
    uint8_t n = u->frame[0];
    if (u->frame_bad || (u->frame[0] ^ u->frame[1]) != 0xFF || !span(u, u->addr, (uint32_t)n + 1)) {
        nack(u);
        return;
    }
    uint8_t data[256];
    if (chip_read_block(u->chip, u->addr, data, (uint32_t)n + 1, BUS_CPU_SYSMEM) != BUS_OK) {
        nack(u);
        return;
    }
    send(u, AN3155_ACK);
    for (uint32_t i = 0; i <= n; i++)
        send(u, data[i]);
    to_command_wait(u);
}

static void on_write_data(struct an3155 *u)
{
    uint32_t len = (uint32_t)u->frame[0] + 1;
    const uint8_t *data = u->frame + 1;
    if (u->frame_bad || xor_of(u->frame, len + 1) != u->frame[len + 1]) {
        nack(u);
        return;
    }
    const struct mem_region *r = span(u, u->addr, len);
    if (!r) {
        nack(u);
        return;
    }
    switch (r->kind) {
    case MEM_SRAM:
        for (uint32_t i = 0; i < len; i++)
            if (chip_write(u->chip, u->addr + i, 1, data[i], BUS_CPU_SYSMEM) != BUS_OK) {
                nack(u);
                return;
            }
        send(u, AN3155_ACK);
        to_command_wait(u);
        return;
    case MEM_OPTAREA:
        /* 3.6: "the option bytes ... the device generates a system reset" */
        u->reset_after = true;
        start_work(u, WORK_OPTIONS, FLASHSEQ_OPTION_WRITE, u->addr, data, len);
        return;
    case MEM_FLASH:
    case MEM_OTP:
    case MEM_EEPROM:
        start_work(u, WORK_PROGRAM, FLASHSEQ_PROGRAM, u->addr, data, len);
        return;
    default:
        nack(u);
        return;
    }
}

/* 3.7 / 3.8: the whole frame is in and its checksum is right. */
static void on_erase(struct an3155 *u)
{
    struct flash_map m = chip_flash_map(u->chip);
    unsigned units = flash_map_units(&m);
    u->erase_first = UINT32_MAX;
    if (u->cmd == AN3155_ERASE) {
        if (u->frame[0] == 0xFF) {  /* global erase */
            start_work(u, WORK_MASS_ERASE, FLASHSEQ_MASS_ERASE, u->part->flash_base, NULL, 0);
            return;
        }
        u->erase_count = (uint32_t)u->frame[0] + 1;
        for (uint32_t i = 0; i < u->erase_count; i++)
            if (u->frame[1 + i] >= units) {
                nack(u);
                return;
            }
        start_work(u, WORK_ERASE_LIST, FLASHSEQ_ERASE_UNIT, 0, NULL, 0);
        return;
    }
    uint32_t n = (uint32_t)u->frame[0] << 8 | u->frame[1];
    if (n >= 0xFFF0u) {
        unsigned per_bank = m.banks ? units / m.banks : units;
        switch (n) {
        case 0xFFFF:                /* mass erase */
            start_work(u, WORK_MASS_ERASE, FLASHSEQ_MASS_ERASE, u->part->flash_base, NULL, 0);
            return;
        case 0xFFFE:                /* bank 1 mass erase */
        case 0xFFFD:                /* bank 2 mass erase */
            if (m.banks < 2) {
                nack(u);            /* single-bank part: no such code */
                return;
            }
            u->erase_first = n == 0xFFFE ? 0 : per_bank;
            u->erase_count = per_bank;
            start_work(u, WORK_ERASE_LIST, FLASHSEQ_ERASE_UNIT, 0, NULL, 0);
            return;
        default:                    /* 0xFFF0..0xFFFC: reserved */
            nack(u);
            return;
        }
    }
    u->erase_count = n + 1;
    for (uint32_t i = 0; i < u->erase_count; i++) {
        const uint8_t *p = u->frame + 2 + 2 * i;
        if (((uint32_t)p[0] << 8 | p[1]) >= units) {
            nack(u);
            return;
        }
    }
    start_work(u, WORK_ERASE_LIST, FLASHSEQ_ERASE_UNIT, 0, NULL, 0);
}

/* How many bytes a variable frame has, once its first bytes are in; 0
 * while unknown. */
static uint32_t frame_length(const struct an3155 *u)
{
    switch (u->st) {
    case RX_WRITE_DATA:
        return u->flen >= 1 ? (uint32_t)u->frame[0] + 3 : 0;
    case RX_ERASE:
    case RX_WRITE_PROTECT:
        if (u->flen < 1)
            return 0;
        if (u->st == RX_ERASE && u->frame[0] == 0xFF)
            return 2;
        return (uint32_t)u->frame[0] + 3;
    case RX_EXT_ERASE: {
        if (u->flen < 2)
            return 0;
        uint32_t n = (uint32_t)u->frame[0] << 8 | u->frame[1];
        return n >= 0xFFF0u ? 3 : 2 + 2 * (n + 1) + 1;
    }
    default:
        return u->need;
    }
}

static void on_frame(struct an3155 *u)
{
    uint32_t len = u->flen;
    switch (u->st) {
    case RX_CMD:
        on_command(u);
        return;
    case RX_ADDR:
        on_address(u);
        return;
    case RX_READ_LEN:
        on_read_len(u);
        return;
    case RX_WRITE_DATA:
        on_write_data(u);
        return;
    case RX_ERASE:
    case RX_EXT_ERASE:
    case RX_WRITE_PROTECT:
        /* the checksum is the XOR of every byte before it; global erase
         * (0x43 with N = 0xFF) sends the complement 0x00 instead (3.7) */
        if (u->frame_bad || len > FRAME_MAX ||
            (u->st == RX_ERASE && u->frame[0] == 0xFF
                 ? u->frame[1] != 0x00
                 : xor_of(u->frame, len - 1) != u->frame[len - 1])) {
            nack(u);
            return;
        }
        if (u->st == RX_WRITE_PROTECT)
            write_protect(u);
        else
            on_erase(u);
        return;
    default:
        return;
    }
}

void an3155_rx(struct an3155 *u, uint8_t byte, bool parity_ok)
{
    switch (u->st) {
    case RX_SYNC:
        /* AN3155 2: the ROM measures 0x7F to set its baud rate and ACKs;
         * anything else is noise to it */
        if (byte == AN3155_SYNC && parity_ok) {
            u->synced = true;
            send(u, AN3155_ACK);
            to_command_wait(u);
        }
        return;
    case RX_BUSY:
        /* guess: the ROM polls the flash, not its receiver: the byte is
         * overrun and lost */
        return;
    default:
        break;
    }
    if (!parity_ok)
        u->frame_bad = true;
    if (u->flen < FRAME_MAX)
        u->frame[u->flen] = byte;
    u->flen++;
    uint32_t need = frame_length(u);
    if (need && u->flen >= need) {
        if (need > FRAME_MAX)
            u->frame_bad = true;    /* more pages than the ROM's buffer: NACK */
        u->flen = need;
        on_frame(u);
    }
}
