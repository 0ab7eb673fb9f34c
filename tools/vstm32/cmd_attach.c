/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 attach [--host ADDR] [--port N] [--busid BUSID]... [--once]
 *               [--poll MS]
 *
 * Root only: imports every board a USB/IP server exports into this host's
 * kernel, through vhci-hcd, exactly as `usbip attach -r ADDR -b BUSID`
 * does, and keeps doing it.  A board that re-enumerates (dfu-util :leave,
 * a reset, an option-byte reload, unplug/plug) is, as with the kernel's
 * own usbip-host, a disconnect of the old device and a new device; this
 * command attaches the new one as soon as the server offers it again, so
 * a tool on this host sees the board leave and come back as on a desk.
 *
 * The kernel side is the vhci-hcd sysfs ABI of
 * drivers/usb/usbip/vhci_sysfs.c: read the port table from status,
 * status.1, ...; write "PORT SOCKFD DEVID SPEED" to attach; write "PORT"
 * to detach.  Like usbip(8) it records each import in
 * /var/run/vhci_hcd/portN ("HOST PORT BUSID"), so `usbip port` and
 * `usbip detach` work on the ports it attached.
 *
 * Prints one line per event on stdout: "attached BUSID VID:PID port N",
 * "left BUSID port N", "detached BUSID port N".  With --once: attach what
 * is exported now, leave it attached, exit 0 if all went in.  Otherwise
 * runs until SIGINT/SIGTERM, then detaches the ports it attached.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "lib/usbip_client.h"
#include "lib/usbip_proto.h"
#include "tools/vstm32/cli.h"

#define VHCI_DIR        "/sys/devices/platform/vhci_hcd.0"
#define VHCI_RECORD_DIR "/var/run/vhci_hcd"     /* usbip_vhci.c: VHCI_STATE_PATH */
#define ATTACH_MAX      64
#define MAX_EXPORTS     64
#define NET_TIMEOUT_MS  5000
#define MAX_DEVLIST     4096    /* a longer devlist is a broken server */
#define ENUMERATE_WAIT_MS 10000

/* usbip_common.h: enum usbip_device_status, as vhci's status file prints it */
#define VDEV_ST_NULL        0x04    /* port free */
#define VDEV_ST_NOTASSIGNED 0x05    /* attached, the kernel not yet done addressing it */
#define VDEV_ST_USED        0x06

/* include/uapi/linux/usb/ch9.h: enum usb_device_speed */
#define USB_SPEED_SUPER 5

struct held {
    char     busid[USBIP_BUSID_SIZE + 1];
    unsigned port;                  /* vhci port, as status and attach number it */
    uint32_t devid;
};

struct attach_opts {
    const char *host;
    const char *port;
    const char *busids[ATTACH_MAX];
    unsigned   nbusids;
    bool       once;
    unsigned   poll_ms;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- the USB/IP side: devlist and import, as usbip(8) sends them ------- */

static int server_connect(const struct attach_opts *o)
{
    int gai = 0;
    int fd = usbip_net_connect(o->host, o->port, NET_TIMEOUT_MS, &gai);
    if (fd < 0 && gai != 0) {
        cli_error("attach: %s:%s: %s", o->host, o->port, gai_strerror(gai));
        return -1;
    }
    if (fd >= 0) {
        /* usbip_net_set_keepalive, as usbip attach does */
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    }
    return fd < 0 ? -1 : fd;
}

/* The busids the server exports now.  Returns how many, or -1. */
static int fetch_devlist(const struct attach_opts *o, struct usbip_usb_device *devs, int max)
{
    int fd = server_connect(o);
    if (fd < 0)
        return -1;
    struct usbip_client_device *list;
    size_t count;
    int rc = usbip_request_devlist(fd, MAX_DEVLIST, NET_TIMEOUT_MS, &list, &count);
    close(fd);
    if (rc < 0)
        return -1;
    int n = 0;
    for (size_t i = 0; i < count && n < max; i++)
        devs[n++] = list[i].udev;
    free(list);
    return n;
}

/* OP_REQ_IMPORT of busid.  Returns the connected socket, ready to hand to
 * the kernel, and the device record; -1 when refused or broken. */
static int import_device(const struct attach_opts *o, const char *busid, struct usbip_usb_device *d)
{
    int fd = server_connect(o);
    if (fd < 0)
        return -1;
    if (usbip_request_import(fd, busid, NET_TIMEOUT_MS, d) != 0 ||
        strcmp(d->busid, busid) != 0) {     /* usbip_vhci.c checks the same */
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- the kernel side: vhci-hcd's sysfs files ---------------------------- */

struct vhci_port {
    bool     ss;                    /* a SuperSpeed root-hub port */
    unsigned port;
    unsigned status;
    uint32_t devid;
};

/* Calls fn for every port line of status, status.1, ... */
static int vhci_ports(int (*fn)(const struct vhci_port *, void *), void *arg)
{
    for (unsigned n = 0;; n++) {
        char path[128], line[256];
        if (n == 0)
            snprintf(path, sizeof path, VHCI_DIR "/status");
        else
            snprintf(path, sizeof path, VHCI_DIR "/status.%u", n);
        FILE *f = fopen(path, "r");
        if (!f)
            return n == 0 ? -1 : 0;
        while (fgets(line, sizeof line, f)) {
            char hub[4];
            struct vhci_port p;
            unsigned speed;
            /* "hs  0000 004 000 00000000 000000 0-0" */
            if (sscanf(line, "%3s %u %u %u %x", hub, &p.port, &p.status, &speed, &p.devid) != 5)
                continue;
            p.ss = !strcmp(hub, "ss");
            int rc = fn(&p, arg);
            if (rc) {
                fclose(f);
                return rc;
            }
        }
        fclose(f);
    }
}

struct port_query {
    bool     want_ss;
    unsigned port;
    uint32_t devid;
    unsigned status;
    bool     found;
};

static int find_free(const struct vhci_port *p, void *arg)
{
    struct port_query *q = arg;
    if (p->status == VDEV_ST_NULL && p->ss == q->want_ss) {
        q->port = p->port;
        q->found = true;
        return 1;
    }
    return 0;
}

static int find_held(const struct vhci_port *p, void *arg)
{
    struct port_query *q = arg;
    if (p->port == q->port) {
        /* vhci_sysfs.c prints the devid only once the port is USED */
        q->found = p->status == VDEV_ST_NOTASSIGNED ||
                   (p->status == VDEV_ST_USED && p->devid == q->devid);
        return 1;
    }
    return 0;
}

static int write_sysfs(const char *file, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, VHCI_DIR "/%s", file);
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    int rc = fputs(text, f) < 0 ? -EIO : 0;
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

static void record_port(const struct attach_opts *o, unsigned port, const char *busid, bool add)
{
    char path[128];
    snprintf(path, sizeof path, VHCI_RECORD_DIR "/port%u", port);
    if (!add) {
        unlink(path);
        return;
    }
    if (mkdir(VHCI_RECORD_DIR, 0700) < 0 && errno != EEXIST)
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "%s %s %s\n", o->host, o->port, busid);
    fclose(f);
}

static int port_status(const struct vhci_port *p, void *arg)
{
    struct port_query *q = arg;
    if (p->port == q->port) {
        q->found = true;
        q->status = p->status;
        return 1;
    }
    return 0;
}

/* Waits until the kernel has addressed the device on `port` (USED) or
 * given up on it (NULL).  One board at a time, as a person plugs them:
 * measured with Linux 6.1's vhci-hcd, ports attached back to back
 * sometimes stay NOTASSIGNED for good, the hub never seeing them. */
static void wait_enumerated(unsigned port)
{
    for (int waited_ms = 0; waited_ms < ENUMERATE_WAIT_MS; waited_ms += 20) {
        struct port_query q = {.port = port};
        vhci_ports(port_status, &q);
        if (!q.found || q.status != VDEV_ST_NOTASSIGNED)
            return;
        struct timespec ts = {.tv_nsec = 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    cli_error("attach: port %u: the kernel has not enumerated the device after %d s",
              port, ENUMERATE_WAIT_MS / 1000);
}

static bool still_held(const struct held *h)
{
    struct port_query q = {.port = h->port, .devid = h->devid};
    vhci_ports(find_held, &q);
    return q.found;
}

/* Import busid and hand its socket to vhci-hcd.  0, or -1 (logged). */
static int attach_one(const struct attach_opts *o, const char *busid, struct held *h)
{
    struct usbip_usb_device d;
    int fd = import_device(o, busid, &d);
    if (fd < 0)
        return -1;
    struct port_query q = {.want_ss = d.speed == USB_SPEED_SUPER};
    vhci_ports(find_free, &q);
    if (!q.found) {
        cli_error("attach: no free vhci-hcd port for %s", busid);
        close(fd);
        return -1;
    }
    uint32_t devid = usbip_devid(d.busnum, d.devnum);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "%u %d %u %u", q.port, fd, devid, d.speed);
    int rc = write_sysfs("attach", cmd);
    /* vhci took its own reference to the socket (sockfd_lookup) */
    close(fd);
    if (rc < 0) {
        cli_error("attach: %s: vhci-hcd refused port %u: %s", busid, q.port, strerror(-rc));
        return -1;
    }
    snprintf(h->busid, sizeof h->busid, "%s", busid);
    h->port = q.port;
    h->devid = devid;
    record_port(o, q.port, busid, true);
    wait_enumerated(q.port);
    printf("attached %s %04x:%04x port %u\n", busid, d.idVendor, d.idProduct, q.port);
    fflush(stdout);
    return 0;
}

static void detach_one(const struct attach_opts *o, const struct held *h)
{
    char cmd[16];
    snprintf(cmd, sizeof cmd, "%u", h->port);
    if (still_held(h) && write_sysfs("detach", cmd) == 0)
        printf("detached %s port %u\n", h->busid, h->port);
    record_port(o, h->port, h->busid, false);
    fflush(stdout);
}

/* ---- the command ------------------------------------------------------- */

static bool wanted(const struct attach_opts *o, const char *busid)
{
    if (o->nbusids == 0)
        return true;
    for (unsigned i = 0; i < o->nbusids; i++)
        if (!strcmp(o->busids[i], busid))
            return true;
    return false;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_requested)
        ;
}

static int parse_args(int argc, char **argv, struct attach_opts *o)
{
    static char port_text[8];
    snprintf(port_text, sizeof port_text, "%d", USBIP_DEFAULT_PORT);
    *o = (struct attach_opts){.host = "127.0.0.1", .port = port_text, .poll_ms = 250};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--once")) {
            o->once = true;
        } else if (!strcmp(a, "--host") && val) {
            o->host = val;
            i++;
        } else if (!strcmp(a, "--port") && val) {
            char *end;
            unsigned long v = strtoul(val, &end, 10);
            if (*end || v == 0 || v > 65535) {
                cli_error("attach: --port %s: not a TCP port", val);
                return EXIT_USAGE;
            }
            o->port = val;
            i++;
        } else if (!strcmp(a, "--busid") && val) {
            if (o->nbusids == ATTACH_MAX || strlen(val) >= USBIP_BUSID_SIZE) {
                cli_error("attach: too many --busid, or %s too long", val);
                return EXIT_USAGE;
            }
            o->busids[o->nbusids++] = val;
            i++;
        } else if (!strcmp(a, "--poll") && val) {
            char *end;
            unsigned long v = strtoul(val, &end, 10);
            if (*end || v < 10 || v > 60000) {
                cli_error("attach: --poll %s: 10..60000 ms", val);
                return EXIT_USAGE;
            }
            o->poll_ms = (unsigned)v;
            i++;
        } else {
            cli_error("attach: unknown option or missing value '%s' (see --help)", a);
            return EXIT_USAGE;
        }
    }
    return 0;
}

int cmd_attach(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            puts("usage: vstm32 attach [--host ADDR] [--port N] [--busid BUSID]... [--once]\n"
                 "                     [--poll MS]\n"
                 "Attach a USB/IP server's boards to this host's vhci-hcd (root only) and\n"
                 "re-attach each board that re-enumerates, until SIGINT/SIGTERM; then\n"
                 "detach them.  --once: attach what is exported now and exit.\n"
                 "Defaults: --host 127.0.0.1 --port 3240 --poll 250.");
            return 0;
        }
    }
    struct attach_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    if (geteuid() != 0) {
        cli_error("attach: needs root (it writes to " VHCI_DIR "/attach); or use "
                  "'vstm32 run', whose usbfs route needs no kernel support");
        return 1;
    }
    if (access(VHCI_DIR "/attach", W_OK) != 0) {
        cli_error("attach: no vhci-hcd in this kernel (" VHCI_DIR "): modprobe vhci-hcd");
        return 1;
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    static struct held held[ATTACH_MAX];
    static struct usbip_usb_device devs[MAX_EXPORTS];
    unsigned nheld = 0;
    bool warned_unreachable = false;
    int status = 0;

    while (!stop_requested) {
        /* boards that left: the kernel dropped their import */
        for (unsigned i = 0; i < nheld;) {
            if (still_held(&held[i])) {
                i++;
                continue;
            }
            printf("left %s port %u\n", held[i].busid, held[i].port);
            fflush(stdout);
            record_port(&o, held[i].port, held[i].busid, false);
            held[i] = held[--nheld];
        }
        int n = fetch_devlist(&o, devs, MAX_EXPORTS);
        if (n < 0) {
            if (o.once) {
                cli_error("attach: no USB/IP server answers at %s:%s", o.host, o.port);
                return 1;
            }
            if (!warned_unreachable)
                cli_error("attach: no USB/IP server answers at %s:%s; retrying", o.host, o.port);
            warned_unreachable = true;
        } else {
            warned_unreachable = false;
        }
        for (int k = 0; k < n; k++) {
            const char *busid = devs[k].busid;
            bool have = false;
            for (unsigned i = 0; i < nheld && !have; i++)
                have = !strcmp(held[i].busid, busid);
            if (have || !wanted(&o, busid) || nheld == ATTACH_MAX)
                continue;
            /* a refusal (busy: imported by another client; gone meanwhile)
             * is retried at the next poll */
            if (attach_one(&o, busid, &held[nheld]) == 0) {
                nheld++;
            } else if (o.once) {
                cli_error("attach: %s was not attached (refused by the server, or busy)", busid);
                status = 1;
            }
        }
        if (o.once)
            return status;
        sleep_ms(o.poll_ms);
    }
    for (unsigned i = 0; i < nheld; i++)
        detach_one(&o, &held[i]);
    return 0;
}
