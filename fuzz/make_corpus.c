/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seed corpora for the fuzz targets, generated (never committed as blobs):
 *
 *   make_corpus OUTDIR
 *
 * writes OUTDIR/<target>/seed-NN for usbip, dfuse, state, faults and
 * mkdfuse: the conversations and files the real tools produce, in each
 * target's input format (see the comment at the top of fuzz_<target>.c).
 *
 * The minimised corpora that `make fuzz-long` keeps in the repository are
 * text, one input per line in hex (fuzz/corpus/TARGET.hex, '#' comments):
 *
 *   make_corpus --from-hex FILE DIR    writes DIR/kept-NNNN, one per line
 *   make_corpus --to-hex DIR FILE      the files of DIR, one per line, in
 *                                      a stable order (sorted lines)
 */
#include "lib/dfuse_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "emulator/stlink/stlink_ident.h"
#include "models/part.h"
#include "lib/usbip_proto.h"
#include "models/chip.h"
#include "models/part.h"
#include "emulator/state/state.h"
#include "emulator/trace/pcap.h"

/* ---- a growing byte buffer ------------------------------------------------ */

struct out {
    uint8_t *data;
    size_t len, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 64;
        o->data = realloc(o->data, o->cap);
        if (!o->data)
            exit(1);
    }
    memcpy(o->data + o->len, p, n);
    o->len += n;
}

static void put8(struct out *o, uint8_t v)
{
    put(o, &v, 1);
}

static void put16(struct out *o, uint16_t v)
{
    uint8_t b[2];
    st_le16(b, v);
    put(o, b, sizeof b);
}

static void put32(struct out *o, uint32_t v)
{
    uint8_t b[4];
    st_le32(b, v);
    put(o, b, sizeof b);
}

static const char *outdir;
static unsigned written;

static void save(const char *target, unsigned n, const struct out *o)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/seed-%02u", outdir, target, n);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(o->data, 1, o->len, f) != o->len || fclose(f) != 0) {
        fprintf(stderr, "make_corpus: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    written++;
}

/* ---- faults --------------------------------------------------------------- */

static void corpus_faults(void)
{
    static const char *const plans[] = {
        "flash.erase.error:flag=PGSERR@nth=2@addr=0x08000000-0x08003FFF\n",
        "flash.erase.time:us=3000000\nflash.program.time:us=70@every=3\n",
        "# a comment\n\nusb.busy-stall@time=0-500\nusb.busy-nak@p=0.25\n",
        "flash.power-loss:at=0.5@nth=1\noption.set:reg=OPTR,value=0xFFEFF8AA\n",
        "usb.disconnect@nth=12\ndfu.leave.early-reset@always\n",
        "flash.program.error:flag=WRPERR,x=1,y=2,z=3@addr=0x0-0xFFFFFFFF@every=1\n",
    };
    for (unsigned i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        struct out o = { 0 };
        put(&o, plans[i], strlen(plans[i]));
        save("faults", i, &o);
        free(o.data);
    }
}

/* ---- mkdfuse -------------------------------------------------------------- */

static void corpus_mkdfuse(void)
{
    static uint8_t image[3000];
    for (size_t i = 0; i < sizeof image; i++)
        image[i] = (uint8_t)(i * 7 + 1);
    struct dfuse_element one[] = { { 0x08000000, image, 1024 } };
    struct dfuse_element two[] = { { 0x08000000, image, 2048 }, { 0x08004000, image + 5, 100 } };
    struct dfuse_element empty[] = { { 0x20000000, image, 0 } };
    struct {
        const struct dfuse_element *e;
        size_t n;
        const char *name;
    } files[] = { { one, 1, "ST..." }, { two, 2, NULL }, { empty, 1, "Internal Flash" } };
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct dfuse_file_params params = { 0x0483, 0xdf11, 0xffff, (uint8_t)i, files[i].name };
        size_t need = dfuse_file_size(files[i].e, files[i].n);
        struct out o = { malloc(need), need, need };
        if (dfuse_file_write(&params, files[i].e, files[i].n, o.data, need) < 0)
            exit(1);
        save("mkdfuse", i, &o);
        free(o.data);
    }
    /* The builder's own input format (after the file the reader sees). */
    struct out o = { 0 };
    put16(&o, 0x0483);
    put16(&o, 0xdf11);
    put16(&o, 0xffff);
    put8(&o, 0);
    put8(&o, 5);
    put(&o, "hello", 5);
    put8(&o, 2);
    put32(&o, 0x08000000);
    put16(&o, 16);
    put(&o, image, 16);
    put32(&o, 0x08000800);
    put16(&o, 8);
    put(&o, image, 8);
    save("mkdfuse", 9, &o);
    free(o.data);
}

/* ---- state ------------------------------------------------------------------ */

static bool all_same(const uint8_t *p, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (p[i] != p[0])
            return false;
    return n > 0;
}

static void put_file(struct out *o, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        exit(1);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    uint8_t *buf = malloc(len ? (size_t)len : 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
        exit(1);
    fclose(f);
    put8(o, (uint8_t)strlen(name));
    put(o, name, strlen(name));
    if (all_same(buf, (size_t)len)) {
        put8(o, 1);
        put32(o, (uint32_t)len);
        put8(o, buf[0]);
    } else {
        put8(o, 0);
        put32(o, (uint32_t)len);
        put(o, buf, (size_t)len);
    }
    free(buf);
}

static void corpus_state(void)
{
    static const char *const names[] = { "f042x6", "l073xz", "l412xb", "f401xe", "g071xb",
                                         "f103xb" };
    char dir[] = "/tmp/vstm32-corpus-XXXXXX";
    if (!mkdtemp(dir))
        exit(1);
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct part *p = part_find(names[i]);
        if (!p)
            continue;
        struct vclock clock;
        struct fault_plan plan;
        char err[256];
        vclock_init(&clock, VCLOCK_FAST, 1.0);
        fault_plan_init(&plan, 1);
        static const char *const rdp1[] = { "RDP=0xBB" };
        struct chip *c = chip_new(p, &clock, &plan, (i & 1) ? rdp1 : NULL, (i & 1) ? 1 : 0,
                                  err, sizeof err);
        if (!c) {
            fprintf(stderr, "make_corpus: %s: %s\n", names[i], err);
            exit(1);
        }
        if (state_save(c, dir, err, sizeof err) < 0) {
            fprintf(stderr, "make_corpus: %s\n", err);
            exit(1);
        }
        chip_free(c);
        struct out o = { 0 };
        put8(&o, 0);
        put_file(&o, dir, "chip.json");
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (strstr(e->d_name, ".bin") && !strstr(e->d_name, ".tmp"))
                put_file(&o, dir, e->d_name);
        if (d)
            closedir(d);
        save("state", i, &o);
        free(o.data);
        /* and remove it for the next part */
        d = opendir(dir);
        char path[1024];
        while (d && (e = readdir(d))) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (e->d_name[0] != '.')
                unlink(path);
        }
        if (d)
            closedir(d);
    }
    rmdir(dir);
}

/* ---- dfuse ------------------------------------------------------------------ */

enum { OP_RAW = 0, OP_GETSTATUS = 1, OP_DNLOAD = 3, OP_SETADDR = 4, OP_ERASE = 5,
       OP_SPECIAL = 6, OP_UPLOAD = 7, OP_CLRSTATUS = 8, OP_GETSTATE = 22, OP_ABORT = 36,
       OP_LEAVE = 64, OP_ALT = 9, OP_TIME = 10, OP_BUSRESET = 11, OP_CANCEL = 13 };

static void op_addr(struct out *o, uint8_t op, uint32_t addr)
{
    put8(o, op);
    put8(o, 0xff);
    put32(o, addr);
}

static void dfu_download(struct out *o, uint32_t addr, unsigned chunks, unsigned len)
{
    put8(o, OP_GETSTATUS);
    put8(o, OP_CLRSTATUS);
    op_addr(o, OP_ERASE, addr);
    put8(o, OP_GETSTATUS);
    put8(o, OP_GETSTATUS);
    op_addr(o, OP_SETADDR, addr);
    put8(o, OP_GETSTATUS);
    put8(o, OP_GETSTATUS);
    for (unsigned c = 0; c < chunks; c++) {
        put8(o, OP_DNLOAD | 0x80);
        put8(o, (uint8_t)c);
        put16(o, (uint16_t)len);
        for (unsigned i = 0; i < len; i++)
            put8(o, (uint8_t)(i * 13 + c));
        put8(o, OP_GETSTATUS);
        put8(o, OP_TIME);
        put16(o, 100);
        put16(o, 100);
        put8(o, OP_GETSTATUS);
    }
    put8(o, OP_ABORT);
}

static void dfu_upload(struct out *o, uint32_t addr)
{
    op_addr(o, OP_SETADDR, addr);
    put8(o, OP_GETSTATUS);
    put8(o, OP_GETSTATUS);
    put8(o, OP_ABORT);
    put8(o, OP_UPLOAD | 0x80);
    put8(o, 2);
    put16(o, 256);
    put8(o, OP_UPLOAD | 0x80);
    put8(o, 3);
    put16(o, 256);
    put8(o, OP_GETSTATUS);
    put8(o, OP_ABORT);
}

static void corpus_dfuse(void)
{
    unsigned n = 0;
    for (unsigned part = 0; part < 9; part++) {
        struct out o = { 0 };
        put8(&o, (uint8_t)part);
        put8(&o, part == 3 ? 1 : 0);
        dfu_download(&o, 0x08000000, 2, 256);
        dfu_upload(&o, 0x08000000);
        if (part & 1) {
            /* option bytes: alt 1, upload, then leave */
            put8(&o, OP_ALT);
            put8(&o, 1);
            put8(&o, OP_GETSTATUS);
            put8(&o, OP_ALT);
            put8(&o, 0);
        }
        op_addr(&o, OP_SETADDR, 0x08000000);
        put8(&o, OP_GETSTATUS);
        put8(&o, OP_GETSTATUS);
        put8(&o, OP_LEAVE);
        put8(&o, OP_GETSTATUS);
        put8(&o, OP_GETSTATUS);
        save("dfuse", n++, &o);
        free(o.data);
    }
    /* mass erase, read unprotect, get commands, device feature upload */
    struct out o = { 0 };
    put8(&o, 0);
    put8(&o, 0);
    put8(&o, OP_SPECIAL);             /* GET_COMMANDS */
    put8(&o, OP_GETSTATUS);
    put8(&o, OP_ABORT);
    put8(&o, OP_ERASE | 0x80);        /* mass erase */
    put8(&o, OP_GETSTATUS);
    put8(&o, OP_GETSTATUS);
    put8(&o, OP_SPECIAL | 0x80);      /* read unprotect */
    put8(&o, OP_GETSTATUS);
    put8(&o, OP_GETSTATUS);
    save("dfuse", n++, &o);
    free(o.data);
    /* faults on, paced, a kept GETSTATUS cancelled */
    o = (struct out){ 0 };
    put8(&o, 2);
    put8(&o, 1 | 2 | 8);
    dfu_download(&o, 0x08000000, 1, 64);
    put8(&o, OP_GETSTATUS);
    put8(&o, OP_CANCEL);
    put8(&o, OP_BUSRESET);
    put8(&o, OP_GETSTATUS);
    save("dfuse", n++, &o);
    free(o.data);
    /* standard requests as raw setup packets: descriptors, short buffer */
    o = (struct out){ 0 };
    put8(&o, 1);
    put8(&o, 0);
    static const uint8_t setups[][8] = {
        { 0x80, 6, 0, 1, 0, 0, 18, 0 }, { 0x80, 6, 0, 2, 0, 0, 255, 0 },
        { 0x80, 6, 4, 3, 9, 4, 255, 0 }, { 0x80, 6, 0, 0x21, 0, 0, 9, 0 },
        { 0xa1, 3, 0, 0, 0, 0, 6, 0 },
    };
    for (unsigned i = 0; i < sizeof setups / sizeof setups[0]; i++) {
        put8(&o, OP_RAW);
        put(&o, setups[i], 8);
    }
    put8(&o, OP_RAW | 0x80);
    static const uint8_t short_in[8] = { 0xa1, 3, 0, 0, 0, 0, 6, 0 };
    put(&o, short_in, 8);
    put16(&o, 3);
    save("dfuse", n++, &o);
    free(o.data);
}

/* ---- usbip ------------------------------------------------------------------ */

static void chunk(struct out *o, uint8_t peer, const struct out *bytes)
{
    put8(o, peer);
    put16(o, (uint16_t)bytes->len);
    put(o, bytes->data, bytes->len);
}

static void op_request(struct out *o, uint16_t code, const char *busid)
{
    uint8_t wire[USBIP_OP_COMMON_SIZE];
    struct usbip_op_common op = { USBIP_VERSION, code, 0 };
    usbip_op_common_pack(&op, wire);
    put(o, wire, sizeof wire);
    if (busid) {
        char b[USBIP_BUSID_SIZE] = { 0 };
        snprintf(b, sizeof b, "%s", busid);
        put(o, b, sizeof b);
    }
}

static uint32_t seq = 1;

static void submit(struct out *o, uint32_t devid, bool in, uint8_t ep, const uint8_t setup[8],
                   const uint8_t *data, uint32_t len)
{
    struct usbip_header h = { .command = USBIP_CMD_SUBMIT, .seqnum = seq++, .devid = devid,
                              .direction = in ? USBIP_DIR_IN : USBIP_DIR_OUT, .ep = ep };
    h.u.cmd_submit.transfer_buffer_length = (int32_t)len;
    h.u.cmd_submit.number_of_packets = 0;
    if (setup)
        memcpy(h.u.cmd_submit.setup, setup, 8);
    uint8_t wire[USBIP_HEADER_SIZE];
    usbip_header_pack(&h, wire);
    put(o, wire, sizeof wire);
    if (!in && len)
        put(o, data, len);
}

static void unlink_urb(struct out *o, uint32_t devid, uint32_t victim)
{
    struct usbip_header h = { .command = USBIP_CMD_UNLINK, .seqnum = seq++, .devid = devid };
    h.u.cmd_unlink.seqnum = victim;
    uint8_t wire[USBIP_HEADER_SIZE];
    usbip_header_pack(&h, wire);
    put(o, wire, sizeof wire);
}

static void dfu_conversation(struct out *o, uint32_t devid)
{
    static const uint8_t get_dev[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };
    static const uint8_t get_cfg[8] = { 0x80, 6, 0, 2, 0, 0, 0xff, 0 };
    static const uint8_t set_alt[8] = { 0x01, 11, 0, 0, 0, 0, 0, 0 };
    static const uint8_t getstatus[8] = { 0xa1, 3, 0, 0, 0, 0, 6, 0 };
    static const uint8_t clrstatus[8] = { 0x21, 4, 0, 0, 0, 0, 0, 0 };
    static const uint8_t dn_cmd[8] = { 0x21, 1, 0, 0, 0, 0, 5, 0 };
    static const uint8_t dn_data[8] = { 0x21, 1, 2, 0, 0, 0, 0, 1 };
    static const uint8_t abort_[8] = { 0x21, 6, 0, 0, 0, 0, 0, 0 };
    static const uint8_t upload[8] = { 0xa1, 2, 2, 0, 0, 0, 0, 1 };
    static const uint8_t erase[5] = { 0x41, 0x00, 0x00, 0x00, 0x08 };
    static const uint8_t setaddr[5] = { 0x21, 0x00, 0x00, 0x00, 0x08 };
    static uint8_t payload[256];
    for (unsigned i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i ^ 0x5a);
    submit(o, devid, true, 0, get_dev, NULL, 18);
    submit(o, devid, true, 0, get_cfg, NULL, 255);
    submit(o, devid, false, 0, set_alt, NULL, 0);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, false, 0, clrstatus, NULL, 0);
    submit(o, devid, false, 0, dn_cmd, erase, 5);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, false, 0, dn_cmd, setaddr, 5);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, false, 0, dn_data, payload, 256);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, true, 0, getstatus, NULL, 6);
    submit(o, devid, false, 0, abort_, NULL, 0);
    submit(o, devid, true, 0, upload, NULL, 256);
    unlink_urb(o, devid, seq - 1);
    submit(o, devid, true, 1, NULL, NULL, 64);      /* no such endpoint */
}

static void corpus_usbip(void)
{
    unsigned n = 0;
    /* devlist */
    struct out o = { 0 }, b = { 0 };
    put8(&o, 0);
    op_request(&b, USBIP_OP_REQ_DEVLIST, NULL);
    chunk(&o, 0, &b);
    save("usbip", n++, &o);
    free(o.data);
    free(b.data);
    /* import 1-1 and a dfu-util-like conversation, in one chunk and split */
    for (unsigned split = 0; split < 2; split++) {
        o = (struct out){ 0 };
        b = (struct out){ 0 };
        put8(&o, split ? 8 : 0);
        op_request(&b, USBIP_OP_REQ_IMPORT, "1-1");
        dfu_conversation(&b, usbip_devid(1, 2));
        if (!split) {
            chunk(&o, 0, &b);
        } else {
            for (size_t at = 0; at < b.len; at += 37) {
                struct out piece = { b.data + at, b.len - at < 37 ? b.len - at : 37, 0 };
                chunk(&o, 0, &piece);
            }
        }
        save("usbip", n++, &o);
        free(o.data);
        free(b.data);
    }
    /* two peers: each imports its own board; a third is refused 1-1 (busy) */
    o = (struct out){ 0 };
    put8(&o, 2 | 4);
    for (unsigned peer = 0; peer < 3; peer++) {
        b = (struct out){ 0 };
        op_request(&b, USBIP_OP_REQ_IMPORT, peer == 1 ? "1-2" : "1-1");
        chunk(&o, (uint8_t)peer, &b);
        free(b.data);
    }
    for (unsigned peer = 0; peer < 2; peer++) {
        b = (struct out){ 0 };
        dfu_conversation(&b, usbip_devid(1, 2 + peer));
        chunk(&o, (uint8_t)peer, &b);
        free(b.data);
    }
    save("usbip", n++, &o);
    free(o.data);
    /* unknown busid, wrong version */
    o = (struct out){ 0 };
    b = (struct out){ 0 };
    put8(&o, 0);
    op_request(&b, USBIP_OP_REQ_IMPORT, "9-9");
    chunk(&o, 0, &b);
    save("usbip", n++, &o);
    free(o.data);
    free(b.data);
}

/* ---- stlink ------------------------------------------------------------------ */

/* ops of fuzz_stlink.c: 0x80 = a raw frame of u8 length, 4 = a 2-byte
 * answer, 0x44 = a 12-byte answer, 0x84 = an answer of u16 length,
 * 3 = a data stage of u16 length */
static void stl_frame(struct out *o, const uint8_t *frame, uint8_t len)
{
    put8(o, 0x80);
    put8(o, (uint8_t)(len - 1));
    put(o, frame, len);
}

static void stl_answer(struct out *o, uint16_t len)
{
    put8(o, 0x84);
    put16(o, len);
}

static void corpus_stlink(void)
{
    /* what st-info --probe and st-flash write do, in order */
    static const uint8_t get_version[16] = { 0xF1, 0x80 };
    static const uint8_t get_version3[16] = { 0xFB, 0x80 };
    static const uint8_t current_mode[16] = { 0xF5 };
    static const uint8_t dfu_exit[16] = { 0xF3, 0x07 };
    static const uint8_t voltage[16] = { 0xF7 };
    static const uint8_t enter_swd[16] = { 0xF2, 0x30, 0xA3 };
    static const uint8_t idcodes[16] = { 0xF2, 0x31 };
    static const uint8_t core_id[16] = { 0xF2, 0x22 };
    static const uint8_t rd_idcode[16] = { 0xF2, 0x36, 0x00, 0x20, 0x04, 0xE0 };
    static const uint8_t rd_cpuid[16] = { 0xF2, 0x36, 0x00, 0xED, 0x00, 0xE0 };
    static const uint8_t halt[16] = { 0xF2, 0x35, 0xF0, 0xED, 0x00, 0xE0, 0x03, 0x00, 0x5F, 0xA0 };
    static const uint8_t status[16] = { 0xF2, 0x01 };
    static const uint8_t rd_flash[16] = { 0xF2, 0x07, 0x00, 0x00, 0x00, 0x08, 0x40, 0x00 };
    static const uint8_t wr_sram[16] = { 0xF2, 0x08, 0x00, 0x00, 0x00, 0x20, 0x40, 0x00 };
    static const uint8_t wr_byte[16] = { 0xF2, 0x0D, 0x00, 0x01, 0x00, 0x20, 0x03, 0x00 };
    static const uint8_t rw_status[16] = { 0xF2, 0x3B };
    static const uint8_t rd_regs[16] = { 0xF2, 0x3A };
    static const uint8_t rd_reg[16] = { 0xF2, 0x33, 0x0F };
    static const uint8_t nrst_low[16] = { 0xF2, 0x3C, 0x00 };
    static const uint8_t nrst_high[16] = { 0xF2, 0x3C, 0x01 };
    static const uint8_t resetsys[16] = { 0xF2, 0x32 };
    static const uint8_t run[16] = { 0xF2, 0x09 };
    static const uint8_t exit_dbg[16] = { 0xF2, 0x21 };
    for (unsigned v = 0; v < 3; v++) {
        struct out o = { 0 };
        put8(&o, (uint8_t)(v * 4 + 1));
        put8(&o, (uint8_t)v);
        stl_frame(&o, v == 2 ? get_version3 : get_version, 16);
        stl_answer(&o, v == 2 ? 12 : 6);
        stl_frame(&o, current_mode, 16);
        stl_answer(&o, 2);
        stl_frame(&o, dfu_exit, 16);
        stl_frame(&o, voltage, 16);
        stl_answer(&o, 8);
        stl_frame(&o, enter_swd, 16);
        stl_answer(&o, 2);
        stl_frame(&o, idcodes, 16);
        stl_answer(&o, 12);
        stl_frame(&o, core_id, 16);
        stl_answer(&o, 4);
        stl_frame(&o, rd_idcode, 16);
        stl_answer(&o, 8);
        stl_frame(&o, rd_cpuid, 16);
        stl_answer(&o, 8);
        stl_frame(&o, halt, 16);
        stl_answer(&o, 2);
        stl_frame(&o, status, 16);
        stl_answer(&o, 2);
        stl_frame(&o, rd_flash, 16);
        stl_answer(&o, 64);
        stl_frame(&o, rw_status, 16);
        stl_answer(&o, 2);
        stl_frame(&o, wr_sram, 16);
        put8(&o, 3);
        put16(&o, 64);
        for (unsigned i = 0; i < 64; i++)
            put8(&o, (uint8_t)i);
        stl_frame(&o, wr_byte, 16);
        put8(&o, 3);
        put16(&o, 3);
        put(&o, "abc", 3);
        stl_frame(&o, rd_regs, 16);
        stl_answer(&o, 88);
        stl_frame(&o, rd_reg, 16);
        stl_answer(&o, 8);
        if (v == 1) {
            stl_frame(&o, nrst_low, 16);
            stl_answer(&o, 2);
            stl_frame(&o, nrst_high, 16);
            stl_answer(&o, 2);
        }
        stl_frame(&o, resetsys, 16);
        stl_answer(&o, 2);
        stl_frame(&o, run, 16);
        stl_answer(&o, 2);
        put8(&o, 9);          /* time passes */
        put16(&o, 500);
        stl_frame(&o, exit_dbg, 16);
        save("stlink", v, &o);
        free(o.data);
    }

    /* OpenOCD's DAP-direct mode on an H7 behind a V3: INIT_AP 2, the
     * DBGMCU read through AP 2 (cmd[8]), then an RW_MISC batch (APNUM 2,
     * READ; APNUM 0, ADDRESS + WRITE) and its answer */
    static const uint8_t init_ap2[16] = { 0xF2, 0x4B, 0x02 };
    static const uint8_t rd_ap2[16] = { 0xF2, 0x07, 0x00, 0x10, 0x0E, 0xE0, 0x04, 0x00, 0x02 };
    static const uint8_t misc_out[16] = { 0xF2, 0x51, 0x05 };
    static const uint8_t misc_in[16] = { 0xF2, 0x52 };
    static const uint8_t misc_ops[8] = { 5, 3, 5, 1, 2 };
    static const uint32_t misc_vals[5] = { 2, 0xE00E1000u, 0, 0x20000000u, 0x12345678u };
    unsigned h7 = 0, v3 = 0;
    for (size_t i = 0; i < parts_count; i++)
        if (strcmp(parts[i]->name, "h743zi") == 0)
            h7 = (unsigned)i;
    for (size_t i = 0; i < stlink_ident_count(); i++)
        if (stlink_ident_at(i)->hw >= 3 && !v3)
            v3 = (unsigned)i;
    struct out o = { 0 };
    put8(&o, (uint8_t)h7);
    put8(&o, (uint8_t)v3);
    stl_frame(&o, get_version3, 16);
    stl_answer(&o, 12);
    stl_frame(&o, enter_swd, 16);
    stl_answer(&o, 2);
    stl_frame(&o, init_ap2, 16);
    stl_answer(&o, 2);
    stl_frame(&o, rd_ap2, 16);
    stl_answer(&o, 4);
    stl_frame(&o, misc_out, 16);
    put8(&o, 3);
    put16(&o, 8 + 4 * 5);
    put(&o, misc_ops, 8);
    for (unsigned i = 0; i < 5; i++) {
        uint8_t w[4];
        st_le32(w, misc_vals[i]);
        put(&o, w, 4);
    }
    stl_frame(&o, misc_in, 16);
    stl_answer(&o, 8 * 5);
    save("stlink", 3, &o);
    free(o.data);
}

/* ---- the kept corpora as text ------------------------------------------- */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int from_hex(const char *file, const char *dir)
{
    FILE *in = fopen(file, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0, kept = 0;
    int rc = 0;
    if (!in) {
        fprintf(stderr, "make_corpus: %s: %s\n", file, strerror(errno));
        return 1;
    }
    mkdir(dir, 0755);
    while (rc == 0 && (n = getline(&line, &cap, in)) >= 0) {
        struct out o = {0};
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = 0;
        if (n == 0 || line[0] == '#')
            continue;
        for (ssize_t i = 0; i + 1 < n; i += 2) {
            int hi = hex_digit(line[i]), lo = hex_digit(line[i + 1]);
            if (hi < 0 || lo < 0)
                break;
            put8(&o, (uint8_t)(hi << 4 | lo));
        }
        if (o.len * 2 != (size_t)n) {
            fprintf(stderr, "make_corpus: %s:%u: not an even run of hex digits\n", file, lineno);
            rc = 1;
        } else {
            char path[4096];
            snprintf(path, sizeof path, "%s/kept-%04u", dir, kept++);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(o.data, 1, o.len, f) != o.len || fclose(f) != 0) {
                fprintf(stderr, "make_corpus: %s: %s\n", path, strerror(errno));
                rc = 1;
            }
        }
        free(o.data);
    }
    free(line);
    fclose(in);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int to_hex(const char *dir, const char *file)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **lines = NULL;
    size_t nlines = 0, cap = 0;
    int rc = 0;
    if (!d) {
        fprintf(stderr, "make_corpus: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    while (rc == 0 && (e = readdir(d))) {
        char path[4096];
        struct out o = {0};
        uint8_t buf[4096];
        size_t got;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) {
            rc = 1;
            break;
        }
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            put(&o, buf, got);
        fclose(f);
        if (o.len == 0)
            continue;               /* libFuzzer's empty input: implied */
        char *text = malloc(o.len * 2 + 1);
        if (!text)
            exit(1);
        for (size_t i = 0; i < o.len; i++)
            sprintf(text + 2 * i, "%02x", o.data[i]);
        free(o.data);
        if (nlines == cap) {
            cap = cap * 2 + 64;
            lines = realloc(lines, cap * sizeof *lines);
            if (!lines)
                exit(1);
        }
        lines[nlines++] = text;
    }
    closedir(d);
    qsort(lines, nlines, sizeof *lines, cmp_str);
    FILE *out = rc == 0 ? fopen(file, "w") : NULL;
    if (!out)
        rc = 1;
    if (out) {
        fprintf(out, "# kept by make fuzz-long: one input per line, hex; see fuzz/README.md\n");
        for (size_t i = 0; i < nlines; i++)
            fprintf(out, "%s\n", lines[i]);
        if (fclose(out) != 0)
            rc = 1;
    }
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    if (rc)
        fprintf(stderr, "make_corpus: cannot write %s from %s\n", file, dir);
    return rc;
}

/* ---- report: usbmon captures of a DfuSe session -------------------------- */

/* One control transfer of device 2 on bus 1, as usbmon records it. */
static void cap_control(struct pcap_writer *w, uint64_t *id, uint64_t *t, const uint8_t setup[8],
                        const uint8_t *out, uint32_t out_len, const uint8_t *in, uint32_t in_len)
{
    bool is_in = setup[0] & 0x80;
    struct usbmon_event ev = {.id = ++*id, .type = 'S', .xfer_type = USBMON_CONTROL,
                              .epnum = is_in ? 0x80 : 0, .devnum = 2, .busnum = 1,
                              .has_setup = true, .status = USBMON_STATUS_SUBMIT,
                              .length = ld_le16(setup + 6), .t_ns = *t,
                              .data = is_in ? NULL : out, .len_cap = is_in ? 0 : out_len};
    memcpy(ev.setup, setup, 8);
    pcap_writer_event(w, &ev);
    *t += 1000000;
    struct usbmon_event c = {.id = ev.id, .type = 'C', .xfer_type = USBMON_CONTROL,
                             .epnum = ev.epnum, .devnum = 2, .busnum = 1, .status = 0,
                             .length = is_in ? in_len : out_len, .t_ns = *t,
                             .data = is_in ? in : NULL, .len_cap = is_in ? in_len : 0};
    pcap_writer_event(w, &c);
}

static void corpus_report(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/report", outdir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/report/seed-00", outdir);
    char err[200];
    struct pcap_writer *w = pcap_writer_open(path, err, sizeof err);
    if (!w) {
        fprintf(stderr, "make_corpus: %s\n", err);
        exit(1);
    }
    uint64_t id = 0, t = 0;
    static const uint8_t dev[18] = {18, 1, 0, 1, 0, 0, 0, 64, 0x83, 0x04, 0x11, 0xDF, 0, 0x22, 1, 2, 3, 1};
    static const uint8_t cfg[27] = {9, 2, 27, 0, 1, 1, 0, 0xC0, 50, 9, 4, 0, 0, 0, 0xFE, 1, 2, 4,
                                    9, 0x21, 0x0B, 255, 0, 0x00, 0x08, 0x1A, 0x01};
    static const uint8_t layout[] = {26, 3, '@', 0, 'F', 0, '/', 0, '0', 0, 'x', 0, '8', 0,
                                     '/', 0, '4', 0, '*', 0, '1', 0, 'K', 0, 'g', 0};
    static const uint8_t get_dev[8] = {0x80, 6, 0, 1, 0, 0, 18, 0};
    static const uint8_t get_cfg[8] = {0x80, 6, 0, 2, 0, 0, 255, 0};
    static const uint8_t get_str[8] = {0x80, 6, 4, 3, 0x09, 0x04, 255, 0};
    static const uint8_t getstatus[8] = {0xA1, 3, 0, 0, 0, 0, 6, 0};
    static const uint8_t dnload0[8] = {0x21, 1, 0, 0, 0, 0, 5, 0};
    static const uint8_t dnload2[8] = {0x21, 1, 2, 0, 0, 0, 16, 0};
    static const uint8_t busy[6] = {0, 10, 0, 0, 4, 0}, idle[6] = {0, 0, 0, 0, 5, 0};
    static const uint8_t set[5] = {0x21, 0, 0, 0, 8}, erase[5] = {0x41, 0, 4, 0, 8};
    static const uint8_t block[16] = {1, 2, 3, 4};
    cap_control(w, &id, &t, get_dev, NULL, 0, dev, sizeof dev);
    cap_control(w, &id, &t, get_cfg, NULL, 0, cfg, sizeof cfg);
    cap_control(w, &id, &t, get_str, NULL, 0, layout, sizeof layout);
    cap_control(w, &id, &t, dnload0, erase, 5, NULL, 0);
    cap_control(w, &id, &t, getstatus, NULL, 0, busy, 6);
    cap_control(w, &id, &t, getstatus, NULL, 0, idle, 6);
    cap_control(w, &id, &t, dnload0, set, 5, NULL, 0);
    cap_control(w, &id, &t, getstatus, NULL, 0, idle, 6);
    cap_control(w, &id, &t, dnload2, block, 16, NULL, 0);
    cap_control(w, &id, &t, getstatus, NULL, 0, busy, 6);
    cap_control(w, &id, &t, getstatus, NULL, 0, idle, 6);
    pcap_writer_close(w);
    written++;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--from-hex"))
        return from_hex(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "--to-hex"))
        return to_hex(argv[2], argv[3]);
    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus OUTDIR | --from-hex FILE DIR | --to-hex DIR FILE\n");
        return 2;
    }
    outdir = argv[1];
    mkdir(outdir, 0755);
    corpus_faults();
    corpus_mkdfuse();
    corpus_state();
    corpus_dfuse();
    corpus_usbip();
    corpus_stlink();
    corpus_report();
    printf("make_corpus: %u seeds in %s\n", written, outdir);
    return 0;
}
