/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usbmon pcap files: writer (link type 220) and reader (pcap and pcapng,
 * link types 189 and 220).  Byte order is handled here and only here.
 */
#include "emulator/trace/pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bytes.h"

/* pcap file format (libpcap pcap-savefile(5)) */
#define PCAP_MAGIC_US    0xa1b2c3d4u
#define PCAP_MAGIC_NS    0xa1b23c4du
#define PCAP_SNAPLEN     262144u
/* pcapng (draft-ietf-opsawg-pcapng) */
#define PCAPNG_SHB       0x0A0D0D0Au
#define PCAPNG_IDB       0x00000001u
#define PCAPNG_SPB       0x00000003u
#define PCAPNG_EPB       0x00000006u
#define PCAPNG_BOM       0x1A2B3C4Du
#define PCAPNG_OPT_TSRESOL 9

/* usbmon binary header (Documentation/usb/usbmon.rst, struct usbmon_packet) */
#define USBMON_HDR_189   48
#define USBMON_HDR_220   64
#define USBMON_ISO_DESC  16

/* The writer writes little endian (st_le*, lib/bytes.h). */

struct pcap_writer {
    int fd;
    bool failed;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

struct pcap_writer *pcap_writer_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t hdr[24];
    st_le32(hdr, PCAP_MAGIC_NS);
    st_le16(hdr + 4, 2);
    st_le16(hdr + 6, 4);
    st_le32(hdr + 8, 0);           /* thiszone */
    st_le32(hdr + 12, 0);          /* sigfigs */
    st_le32(hdr + 16, PCAP_SNAPLEN);
    st_le32(hdr + 20, PCAP_LINKTYPE_USB_LINUX_MMAPPED);
    int rc = write_all(fd, hdr, sizeof hdr);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        close(fd);
        return NULL;
    }
    struct pcap_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    w->fd = fd;
    return w;
}

int pcap_writer_event(struct pcap_writer *w, const struct usbmon_event *ev)
{
    if (w->failed)
        return -EIO;
    uint32_t cap = ev->len_cap;
    if (cap > PCAP_SNAPLEN - USBMON_HDR_220)
        cap = PCAP_SNAPLEN - USBMON_HDR_220;
    size_t total = 16 + USBMON_HDR_220 + cap;
    uint8_t *rec = calloc(1, total);
    if (!rec)
        return -ENOMEM;
    uint64_t sec = ev->t_ns / 1000000000u;
    uint32_t nsec = (uint32_t)(ev->t_ns % 1000000000u);
    /* record header */
    st_le32(rec, (uint32_t)sec);
    st_le32(rec + 4, nsec);
    st_le32(rec + 8, (uint32_t)(USBMON_HDR_220 + cap));
    st_le32(rec + 12, (uint32_t)(USBMON_HDR_220 + cap));
    /* struct usbmon_packet */
    uint8_t *h = rec + 16;
    st_le64(h, ev->id);
    h[8] = (uint8_t)ev->type;
    h[9] = ev->xfer_type;
    h[10] = ev->epnum;
    h[11] = ev->devnum;
    st_le16(h + 12, ev->busnum);
    /* flag_setup: 0 when the setup packet is there, '-' when not */
    h[14] = ev->has_setup ? 0 : '-';
    /* flag_data as mon_bin.c sets it: 0 when data follows, '<' for an IN
     * submit, '>' for an OUT completion (their data is elsewhere) */
    bool in = (ev->epnum & 0x80) != 0;
    if (cap)
        h[15] = 0;
    else if (ev->type == 'S' && in)
        h[15] = '<';
    else if (ev->type == 'C' && !in)
        h[15] = '>';
    else
        h[15] = 0;
    st_le64(h + 16, sec);
    st_le32(h + 24, nsec / 1000u);
    st_le32(h + 28, (uint32_t)ev->status);
    st_le32(h + 32, ev->length);
    st_le32(h + 36, cap);
    if (ev->has_setup)
        memcpy(h + 40, ev->setup, 8);
    st_le32(h + 48, 0);            /* interval: control and bulk have none */
    st_le32(h + 52, 0);            /* start_frame */
    st_le32(h + 56, ev->xfer_flags);
    st_le32(h + 60, 0);            /* ndesc */
    if (cap)
        memcpy(h + USBMON_HDR_220, ev->data, cap);
    int rc = write_all(w->fd, rec, total);
    free(rec);
    if (rc < 0)
        w->failed = true;
    return rc;
}

void pcap_writer_close(struct pcap_writer *w)
{
    if (!w)
        return;
    close(w->fd);
    free(w);
}

/* ---- reading ---------------------------------------------------------------- */

struct reader {
    const uint8_t *p;
    size_t len;
    bool swap;                      /* file byte order is big endian */
};

static uint16_t rd16(const struct reader *r, const uint8_t *p)
{
    return r->swap ? ld_be16(p) : ld_le16(p);
}

static uint32_t rd32(const struct reader *r, const uint8_t *p)
{
    return r->swap ? ld_be32(p) : ld_le32(p);
}

static uint64_t rd64(const struct reader *r, const uint8_t *p)
{
    return r->swap ? ld_be64(p) : ld_le64(p);
}

static int add_event(struct pcap_capture *cap, size_t *room, const struct reader *r, int linktype,
                     const uint8_t *pkt, uint32_t caplen, uint64_t t_ns)
{
    size_t hdr = linktype == PCAP_LINKTYPE_USB_LINUX_MMAPPED ? USBMON_HDR_220 : USBMON_HDR_189;
    if (caplen < hdr)
        return 0;                   /* cut below the header: nothing to use */
    if (cap->count == *room) {
        size_t n = *room ? *room * 2 : 256;
        struct usbmon_event *e = realloc(cap->events, n * sizeof *e);
        if (!e)
            return -ENOMEM;
        cap->events = e;
        *room = n;
    }
    struct usbmon_event *ev = &cap->events[cap->count];
    memset(ev, 0, sizeof *ev);
    ev->id = rd64(r, pkt);
    ev->type = (char)pkt[8];
    ev->xfer_type = pkt[9];
    ev->epnum = pkt[10];
    ev->devnum = pkt[11];
    ev->busnum = rd16(r, pkt + 12);
    ev->has_setup = pkt[14] == 0;
    ev->status = (int32_t)rd32(r, pkt + 28);
    ev->length = rd32(r, pkt + 32);
    uint32_t len_cap = rd32(r, pkt + 36);
    memcpy(ev->setup, pkt + 40, 8);
    size_t skip = hdr;
    if (linktype == PCAP_LINKTYPE_USB_LINUX_MMAPPED) {
        ev->xfer_flags = rd32(r, pkt + 56);
        if (ev->xfer_type == USBMON_ISO)
            skip += (size_t)rd32(r, pkt + 60) * USBMON_ISO_DESC;
    }
    ev->t_ns = t_ns;
    if (skip > caplen)
        skip = caplen;
    uint32_t avail = caplen - (uint32_t)skip;
    ev->len_cap = len_cap < avail ? len_cap : avail;
    ev->data = pkt + skip;
    cap->count++;
    return 0;
}

static bool usb_linktype(uint32_t lt)
{
    return lt == PCAP_LINKTYPE_USB_LINUX || lt == PCAP_LINKTYPE_USB_LINUX_MMAPPED;
}

static int read_classic(struct pcap_capture *cap, struct reader *r, char *err, size_t errlen)
{
    uint32_t magic = ld_le32(r->p);
    bool ns;
    if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
        r->swap = false;
        ns = magic == PCAP_MAGIC_NS;
    } else {
        r->swap = true;
        ns = magic == __builtin_bswap32(PCAP_MAGIC_NS);
    }
    if (r->len < 24) {
        snprintf(err, errlen, "truncated pcap header");
        return -1;
    }
    uint32_t lt = rd32(r, r->p + 20) & 0x0FFFFFFFu;
    if (!usb_linktype(lt)) {
        snprintf(err, errlen, "link type %u is not a Linux usbmon capture (189 or 220)", lt);
        return -1;
    }
    cap->linktype = (int)lt;
    size_t room = 0;
    for (size_t off = 24; off < r->len;) {
        const uint8_t *rh = r->p + off;
        if (r->len - off < 16) {
            cap->truncated = true;  /* a record header cut short */
            cap->truncated_at = off;
            break;
        }
        uint32_t caplen = rd32(r, rh + 8);
        if (caplen > r->len - off - 16) {
            cap->truncated = true;  /* a record cut short by a killed writer */
            cap->truncated_at = off;
            break;
        }
        uint64_t t = (uint64_t)rd32(r, rh) * 1000000000u +
                     (uint64_t)rd32(r, rh + 4) * (ns ? 1u : 1000u);
        if (add_event(cap, &room, r, (int)lt, rh + 16, caplen, t) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        off += 16 + (size_t)caplen;
    }
    return 0;
}

#define PCAPNG_MAX_IF 64

static int read_pcapng(struct pcap_capture *cap, struct reader *r, char *err, size_t errlen)
{
    uint32_t if_lt[PCAPNG_MAX_IF];
    uint64_t if_div[PCAPNG_MAX_IF];
    unsigned nif = 0;
    size_t room = 0;

    for (size_t off = 0; off < r->len;) {
        const uint8_t *b = r->p + off;
        if (r->len - off < 12) {
            cap->truncated = true;
            cap->truncated_at = off;
            break;
        }
        if (memcmp(b, "\x0A\x0D\x0D\x0A", 4) == 0) {
            /* a new section (the block type reads the same in both byte
             * orders): its own byte order and interfaces */
            uint32_t bom = ld_le32(b + 8);
            r->swap = bom != PCAPNG_BOM;
            nif = 0;
        }
        uint32_t type = rd32(r, b), blen = rd32(r, b + 4);
        if (blen < 12 || blen % 4 || blen > r->len - off) {
            cap->truncated = true;  /* a block cut short (or not pcapng past here) */
            cap->truncated_at = off;
            break;
        }
        const uint8_t *body = b + 8;
        uint32_t body_len = blen - 12;
        if (type == PCAPNG_IDB && body_len >= 8 && nif < PCAPNG_MAX_IF) {
            if_lt[nif] = rd16(r, body);
            if_div[nif] = 1000000;  /* default resolution: µs */
            for (uint32_t o = 8; o + 4 <= body_len;) {
                uint16_t code = rd16(r, body + o), olen = rd16(r, body + o + 2);
                if (code == 0 || o + 4 + olen > body_len)
                    break;
                if (code == PCAPNG_OPT_TSRESOL && olen >= 1) {
                    uint8_t v = body[o + 4];
                    uint64_t base = 1;
                    for (unsigned i = 0; i < (v & 0x7Fu) && i < 63; i++)
                        base *= (v & 0x80) ? 2 : 10;
                    if_div[nif] = base;
                }
                o += 4 + ((olen + 3u) & ~3u);
            }
            if (usb_linktype(if_lt[nif]) && !cap->linktype)
                cap->linktype = (int)if_lt[nif];
            nif++;
        } else if (type == PCAPNG_EPB && body_len >= 20) {
            uint32_t ifid = rd32(r, body);
            uint64_t ts = (uint64_t)rd32(r, body + 4) << 32 | rd32(r, body + 8);
            uint32_t caplen = rd32(r, body + 12);
            if (ifid < nif && usb_linktype(if_lt[ifid]) && caplen <= body_len - 20) {
                uint64_t t = if_div[ifid] >= 1000000000u
                                 ? ts / (if_div[ifid] / 1000000000u)
                                 : ts * (1000000000u / if_div[ifid]);
                if (add_event(cap, &room, r, (int)if_lt[ifid], body + 20, caplen, t) < 0) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
            }
        } else if (type == PCAPNG_SPB && body_len >= 4 && nif > 0 && usb_linktype(if_lt[0])) {
            uint32_t orig = rd32(r, body);
            uint32_t caplen = orig < body_len - 4 ? orig : body_len - 4;
            if (add_event(cap, &room, r, (int)if_lt[0], body + 4, caplen, 0) < 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
        off += blen;
    }
    if (!cap->linktype) {
        snprintf(err, errlen, "no Linux usbmon interface (link type 189 or 220) in the capture");
        return -1;
    }
    return 0;
}

int pcap_parse(uint8_t *image, size_t len, struct pcap_capture *cap, char *err, size_t errlen)
{
    memset(cap, 0, sizeof *cap);
    cap->image = image;
    cap->image_len = len;
    if (len < 12) {
        snprintf(err, errlen, "not a capture (too short)");
        pcap_capture_free(cap);
        return -1;
    }
    struct reader r = {.p = cap->image, .len = cap->image_len};
    uint32_t magic = ld_le32(r.p);
    int rc;
    if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS ||
        magic == __builtin_bswap32(PCAP_MAGIC_US) || magic == __builtin_bswap32(PCAP_MAGIC_NS))
        rc = read_classic(cap, &r, err, errlen);
    else if (magic == PCAPNG_SHB)
        rc = read_pcapng(cap, &r, err, errlen);
    else {
        snprintf(err, errlen, "neither pcap nor pcapng (magic 0x%08x)", magic);
        rc = -1;
    }
    if (rc < 0) {
        pcap_capture_free(cap);
        return -1;
    }
    return 0;
}

int pcap_read(const char *path, struct pcap_capture *cap, char *err, size_t errlen)
{
    memset(cap, 0, sizeof *cap);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || st.st_size < 12) {
        snprintf(err, errlen, "%s: not a capture (too short)", path);
        fclose(f);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *image = malloc(len);
    if (!image || fread(image, 1, len, f) != len) {
        snprintf(err, errlen, "%s: cannot read", path);
        fclose(f);
        free(image);
        return -1;
    }
    fclose(f);
    char why[200];
    if (pcap_parse(image, len, cap, why, sizeof why) < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

void pcap_capture_free(struct pcap_capture *cap)
{
    free(cap->events);
    free(cap->image);
    memset(cap, 0, sizeof *cap);
}

const struct usbmon_event *pcap_completion_of(const struct pcap_capture *cap, size_t i)
{
    const struct usbmon_event *s = &cap->events[i];
    for (size_t j = i + 1; j < cap->count; j++) {
        const struct usbmon_event *e = &cap->events[j];
        if (e->id == s->id && e->busnum == s->busnum && e->devnum == s->devnum && e->type != 'S')
            return e;
    }
    return NULL;
}
