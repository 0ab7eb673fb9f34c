/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-route-probe VSTM32 CTL_SOCKET: Debian's own libusb-1.0 (-lusb-1.0)
 * against real boards on the usbfs route, for test_usbfs_libusb.c.  Run as
 *   vstm32 run --ctl SOCK --board f446xe:dfu:stlink-v2 --board l476xg:dfu
 *       -- usb-route-probe VSTM32 SOCK
 * it prints one line per thing it saw (libusb's own error names, the bytes
 * the devices answered); the test compares the lines.  What it proves is
 * what the libusb shim's own tests proved before the shim went (issue 15):
 * the device list and its order, a busy device, a STALL and its recovery,
 * a control OUT's byte count, a bus reset, a time-out that leaves no late
 * data, clear_halt, and an unplug and plug by `vstm32 ctl`.
 */
#include <libusb-1.0/libusb.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DFU_DETACH 0
#define DFU_DNLOAD 1
#define DFU_GETSTATUS 3
#define DFU_CLRSTATUS 4
#define DFU_ABORT 6
#define STATE_IDLE 2
#define STATE_DNLOAD_IDLE 5
#define STATE_ERROR 10
/* ST-Link/V2 (emulator/stlink/stlink_desc.c): bulk OUT 0x02, IN 0x81 */
#define STL_OUT 0x02
#define STL_IN 0x81
#define TIMEOUT_MS 5000

static libusb_context *ctx;

static void hex(const char *name, const unsigned char *p, int n)
{
    printf("%s:", name);
    for (int i = 0; i < n; i++)
        printf(" %02x", p[i]);
    printf("\n");
}

/* The device with these ids on this bus and port (bus 0: any); NULL if absent. */
static libusb_device *find(uint16_t pid, uint8_t bus, uint8_t port)
{
    libusb_device **list, *found = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor dd;
        libusb_get_device_descriptor(list[i], &dd);
        if (dd.idVendor == 0x0483 && dd.idProduct == pid &&
            (!bus || libusb_get_bus_number(list[i]) == bus) &&
            libusb_get_port_number(list[i]) == port && !found)
            found = libusb_ref_device(list[i]);
    }
    if (n >= 0)
        libusb_free_device_list(list, 1);
    return found;
}

static libusb_device_handle *open_claimed(libusb_device *dev, const char *what)
{
    libusb_device_handle *h = NULL;
    int rc = dev ? libusb_open(dev, &h) : LIBUSB_ERROR_NOT_FOUND;
    printf("open %s: %s\n", what, libusb_error_name(rc));
    if (rc == 0 && libusb_claim_interface(h, 0) != 0) {
        printf("claim %s failed\n", what);
        libusb_close(h);
        return NULL;
    }
    return rc == 0 ? h : NULL;
}

/* GETSTATUS: the 6 bytes' state, or a libusb error. */
static int dfu_status(libusb_device_handle *h, unsigned char st[6])
{
    int r = libusb_control_transfer(h, 0xA1, DFU_GETSTATUS, 0, 0, st, 6, TIMEOUT_MS);
    return r == 6 ? st[4] : (r < 0 ? r : LIBUSB_ERROR_IO);
}

/* The ROMs come up in dfuERROR (facts 9.3): CLRSTATUS first, as dfu-util does. */
static int dfu_to_idle(libusb_device_handle *h)
{
    unsigned char st[6];
    if (dfu_status(h, st) == STATE_ERROR)
        libusb_control_transfer(h, 0x21, DFU_CLRSTATUS, 0, 0, NULL, 0, TIMEOUT_MS);
    return dfu_status(h, st);
}

static int ctl(char **argv, const char *board, const char *action)
{
    pid_t child = fork();
    if (child == 0) {
        /* ctl prints the board's status line: keep it out of the probe's lines */
        dup2(2, 1);
        execl(argv[1], argv[1], "ctl", argv[2], "--board", board, action, (char *)NULL);
        _exit(127);
    }
    int status;
    if (child < 0 || waitpid(child, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void list_devices(void)
{
    libusb_device **list;
    ssize_t n = libusb_get_device_list(ctx, &list);
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor dd;
        libusb_get_device_descriptor(list[i], &dd);
        printf("list: %u/%u %04x:%04x\n", libusb_get_bus_number(list[i]),
               libusb_get_device_address(list[i]), dd.idVendor, dd.idProduct);
    }
    if (n >= 0)
        libusb_free_device_list(list, 1);
}

/* The F446's ROM: a second open, a STALL, a control OUT, a bus reset. */
static void f446_dfu(void)
{
    libusb_device *dev = find(0xdf11, 1, 1);
    libusb_device_handle *h = open_claimed(dev, "f446 dfu"), *again = NULL;
    if (!h)
        return;
    printf("open f446 dfu again: %s\n", libusb_error_name(libusb_open(dev, &again)));
    if (again)
        libusb_close(again);
    libusb_unref_device(dev);
    printf("state: %d\n", dfu_to_idle(h));

    /* DFU 1.1 A.2.3: DFU_DETACH in dfuIDLE stalls and enters dfuERROR */
    int rc = libusb_control_transfer(h, 0x21, DFU_DETACH, 1000, 0, NULL, 0, TIMEOUT_MS);
    printf("detach in dfuIDLE: %s\n", libusb_error_name(rc));
    unsigned char st[6];
    rc = dfu_status(h, st);
    hex("getstatus after the stall", st, rc < 0 ? 0 : 6);
    printf("state after clrstatus: %d\n", dfu_to_idle(h));

    /* AN3156 Set Address Pointer: the OUT data stage moved 5 bytes */
    unsigned char set_address[5] = { 0x21, 0x00, 0x40, 0x00, 0x08 };
    rc = libusb_control_transfer(h, 0x21, DFU_DNLOAD, 0, 0, set_address, 5, TIMEOUT_MS);
    printf("dnload set-address: %d\n", rc);
    for (int i = 0; i < 10 && dfu_status(h, st) != STATE_DNLOAD_IDLE; i++)
        ;
    printf("state after the command: %d\n", st[4]);
    rc = libusb_control_transfer(h, 0x21, DFU_ABORT, 0, 0, NULL, 0, TIMEOUT_MS);
    printf("abort: %s, state %d\n", libusb_error_name(rc < 0 ? rc : 0), dfu_status(h, st));

    /* a bus reset in dfuIDLE keeps the bootloader, on the same handle */
    printf("reset: %s\n", libusb_error_name(libusb_reset_device(h)));
    printf("state after reset: %d\n", dfu_status(h, st));
    libusb_release_interface(h, 0);
    libusb_close(h);
}

static void get_version(libusb_device_handle *h, const char *name)
{
    unsigned char cmd[16] = { 0xF1 }, buf[64];
    int n = 0, rc = libusb_bulk_transfer(h, STL_OUT, cmd, sizeof cmd, &n, TIMEOUT_MS);
    printf("%s out: %s %d\n", name, libusb_error_name(rc), n);
    n = 0;
    rc = libusb_bulk_transfer(h, STL_IN, buf, sizeof buf, &n, TIMEOUT_MS);
    printf("%s in: %s\n", name, libusb_error_name(rc));
    hex(name, buf, n);
}

/* The F446 board's ST-Link: a bulk IN nothing answers times out (libusb
 * discards the URB); the next command's answer comes whole to the next IN. */
static void stlink(void)
{
    libusb_device *dev = find(0x3748, 0, 1);
    libusb_device_handle *h = open_claimed(dev, "stlink");
    if (dev)
        libusb_unref_device(dev);
    if (!h)
        return;
    unsigned char buf[64];
    int n = -1;
    int rc = libusb_bulk_transfer(h, STL_IN, buf, sizeof buf, &n, 200);
    printf("idle bulk in: %s %d\n", libusb_error_name(rc), n);
    get_version(h, "get_version");
    printf("clear_halt: %s\n", libusb_error_name(libusb_clear_halt(h, STL_IN)));
    get_version(h, "get_version after clear_halt");
    libusb_release_interface(h, 0);
    libusb_close(h);
}

/* The L476 unplugged by `vstm32 ctl` under an open handle, then plugged. */
static void unplug(char **argv)
{
    libusb_device *dev = find(0xdf11, 1, 2);
    libusb_device_handle *h = open_claimed(dev, "l476 dfu");
    if (dev)
        libusb_unref_device(dev);
    if (!h)
        return;
    printf("state: %d\n", dfu_to_idle(h));
    printf("ctl unplug: %d\n", ctl(argv, "1", "unplug"));
    unsigned char st[6];
    printf("getstatus after unplug: %s\n", libusb_error_name(dfu_status(h, st)));
    printf("getstatus again: %s\n", libusb_error_name(dfu_status(h, st)));
    libusb_release_interface(h, 0);
    libusb_close(h);
    dev = find(0xdf11, 1, 2);
    printf("listed after unplug: %s\n", dev ? "yes" : "no");
    if (dev)
        libusb_unref_device(dev);
    printf("ctl plug: %d\n", ctl(argv, "1", "plug"));
    /* bounded: libusb's udev thread adds it when the uevent comes */
    for (int i = 0; i < 200 && !(dev = find(0xdf11, 1, 2)); i++)
        usleep(20000);
    printf("listed after plug: %s\n", dev ? "yes" : "no");
    h = open_claimed(dev, "l476 dfu after plug");
    if (dev)
        libusb_unref_device(dev);
    if (!h)
        return;
    printf("state: %d\n", dfu_to_idle(h));
    libusb_release_interface(h, 0);
    libusb_close(h);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: usb-route-probe VSTM32 CTL_SOCKET\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (libusb_init(&ctx) != 0)
        return 1;
    list_devices();
    f446_dfu();
    stlink();
    unplug(argv);
    libusb_exit(ctx);
    printf("exit\n");
    return 0;
}
