/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DfuSe download and upload over the in-tree USB/IP client (bench_dfu.h). */
#include "host-tests/bench/bench_dfu.h"

#include <stdbool.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "host-tests/bench/bench_common.h"

/* DFU 1.1 section 3 requests and section 6.1.2 states; AN3156 commands. */
enum { DFU_DNLOAD = 1, DFU_UPLOAD = 2, DFU_GETSTATUS = 3, DFU_CLRSTATUS = 4, DFU_ABORT = 6 };
enum { STATE_IDLE = 2, STATE_DNBUSY = 4, STATE_DNLOAD_IDLE = 5, STATE_ERROR = 10 };
enum { CMD_SET_ADDRESS = 0x21, CMD_ERASE = 0x41 };
#define REQ_OUT 0x21    /* class, interface, host to device */
#define REQ_IN  0xA1
/* dfu-util's control time-out (dfu_util.h: 5000 ms); an erase of the
 * largest F4 sector is 2 s at most, well inside it. */
#define CONTROL_TIMEOUT_MS 5000
/* dfu-util gives up after this many busy polls with bwPollTimeout 0. */
#define MAX_BUSY_POLLS 100000

struct usbip_client *bench_dfu_import(const char *host, uint16_t port, const char *busid,
                                      int timeout_ms)
{
    uint64_t deadline = monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
    int rc = -1;
    do {
        struct usbip_client *c = usbip_client_connect(host, port, CONTROL_TIMEOUT_MS);
        if (c) {
            rc = usbip_client_import(c, busid, NULL, CONTROL_TIMEOUT_MS);
            if (rc == 0)
                return c;
            usbip_client_close(c);
        }
        usleep(2000);
    } while (monotonic_ns() < deadline);
    bench_note("import of %s on port %u failed (%d)", busid, port, rc);
    return NULL;
}

static int control(struct usbip_client *c, uint8_t type, uint8_t req, uint16_t value, void *data,
                   uint16_t len, uint32_t *actual)
{
    struct usbip_client_reply r;
    int rc = usbip_client_control(c, type, req, value, 0, data, len, &r, CONTROL_TIMEOUT_MS);
    if (rc < 0) {
        bench_note("control request %u: transport error %d", req, rc);
        return -1;
    }
    if (r.status != 0) {
        bench_note("control request %u wValue %u: status %d", req, value, r.status);
        return -1;
    }
    if (actual)
        *actual = r.actual;
    return 0;
}

int bench_dfu_getstatus(struct usbip_client *c, uint8_t *state, uint8_t *status)
{
    uint8_t st[6];
    uint32_t n = 0;
    if (control(c, REQ_IN, DFU_GETSTATUS, 0, st, sizeof st, &n) < 0)
        return -1;
    if (n != sizeof st) {
        bench_note("GETSTATUS returned %u bytes", n);
        return -1;
    }
    if (status)
        *status = st[0];
    if (state)
        *state = st[4];
    return 0;
}

int bench_dfu_to_idle(struct usbip_client *c)
{
    for (int i = 0; i < 16; i++) {
        uint8_t state, status;
        if (bench_dfu_getstatus(c, &state, &status) < 0)
            return -1;
        if (state == STATE_IDLE && status == 0)
            return 0;
        if (state == STATE_DNBUSY)
            continue;
        uint8_t req = state == STATE_ERROR || status ? DFU_CLRSTATUS : DFU_ABORT;
        if (control(c, REQ_OUT, req, 0, NULL, 0, NULL) < 0)
            return -1;
    }
    bench_note("device does not return to dfuIDLE");
    return -1;
}

/* GETSTATUS until the device leaves dfuDNBUSY; it must land in DNLOAD_IDLE. */
static int wait_not_busy(struct usbip_client *c, const char *what, uint32_t addr)
{
    for (int i = 0; i < MAX_BUSY_POLLS; i++) {
        uint8_t state, status;
        if (bench_dfu_getstatus(c, &state, &status) < 0)
            return -1;
        if (state == STATE_DNBUSY)
            continue;
        if (state != STATE_DNLOAD_IDLE || status != 0) {
            bench_note("%s at 0x%08x: state %u status %u", what, addr, state, status);
            return -1;
        }
        return 0;
    }
    bench_note("%s at 0x%08x: still busy", what, addr);
    return -1;
}

static int command(struct usbip_client *c, uint8_t code, uint32_t addr, const char *what)
{
    uint8_t cmd[5] = {code};
    st_le32(cmd + 1, addr);
    if (control(c, REQ_OUT, DFU_DNLOAD, 0, cmd, sizeof cmd, NULL) < 0)
        return -1;
    return wait_not_busy(c, what, addr);
}

int bench_dfu_download(struct usbip_client *c, const struct part *p, uint32_t addr,
                       const uint8_t *data, uint32_t len, uint16_t xfer)
{
    /* Erase pass: each unit once, in address order, as dfu-util does. */
    uint32_t at = addr;
    while (at < addr + len) {
        uint32_t start, size;
        if (part_flash_unit(p, at, &start, &size) < 0) {
            bench_note("0x%08x is not in %s's flash", at, p->name);
            return -1;
        }
        if (command(c, CMD_ERASE, start, "ERASE_PAGE") < 0)
            return -1;
        at = start + size;
    }
    /* Write pass. */
    for (uint32_t off = 0; off < len; off += xfer) {
        uint16_t n = (uint16_t)(len - off < xfer ? len - off : xfer);
        if (command(c, CMD_SET_ADDRESS, addr + off, "SET_ADDRESS") < 0)
            return -1;
        if (control(c, REQ_OUT, DFU_DNLOAD, 2, (void *)(data + off), n, NULL) < 0)
            return -1;
        if (wait_not_busy(c, "write", addr + off) < 0)
            return -1;
    }
    return control(c, REQ_OUT, DFU_ABORT, 0, NULL, 0, NULL);
}

int bench_dfu_upload(struct usbip_client *c, uint32_t addr, uint8_t *buf, uint32_t len,
                     uint16_t xfer)
{
    if (command(c, CMD_SET_ADDRESS, addr, "SET_ADDRESS") < 0)
        return -1;
    if (control(c, REQ_OUT, DFU_ABORT, 0, NULL, 0, NULL) < 0)
        return -1;
    uint16_t block = 2;
    for (uint32_t off = 0; off < len; off += xfer, block++) {
        uint16_t n = (uint16_t)(len - off < xfer ? len - off : xfer);
        uint32_t got = 0;
        if (control(c, REQ_IN, DFU_UPLOAD, block, buf + off, n, &got) < 0)
            return -1;
        if (got != n) {
            bench_note("UPLOAD block %u: %u of %u bytes", block, got, n);
            return -1;
        }
    }
    return control(c, REQ_OUT, DFU_ABORT, 0, NULL, 0, NULL);
}
