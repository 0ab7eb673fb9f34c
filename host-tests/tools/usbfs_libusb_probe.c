/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usbfs-libusb-probe NODE: Debian's own libusb-1.0 (linked)
 * on a usbfs fd from open(NODE), through libusb_wrap_sys_device() (no
 * sysfs needed): a control transfer, an ST-Link GET_VERSION bulk round
 * trip, then an idle second with an IN transfer pending in libusb's event
 * loop.  Run under LD_PRELOAD=build/usbfs/libvstm32-usbfs.so with
 * VSTM32_USBFS_DEBUG=1, the test counts the reaps the idle second made.
 */
#include <fcntl.h>
#include <libusb-1.0/libusb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void hex(const char *name, const unsigned char *p, int n)
{
    printf("%s:", name);
    for (int i = 0; i < n; i++)
        printf(" %02x", p[i]);
    printf("\n");
}

static void LIBUSB_CALL on_done(struct libusb_transfer *t)
{
    *(int *)t->user_data = 1;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fd = open(argv[1], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    libusb_set_option(NULL, LIBUSB_OPTION_NO_DEVICE_DISCOVERY);
    libusb_context *ctx;
    libusb_device_handle *h;
    if (libusb_init(&ctx) != 0)
        return 1;
    int rc = libusb_wrap_sys_device(ctx, (intptr_t)fd, &h);
    printf("wrap: %s\n", libusb_error_name(rc));
    if (rc != 0)
        return 1;
    struct libusb_device_descriptor dd;
    libusb_get_device_descriptor(libusb_get_device(h), &dd);
    printf("ids: %04x:%04x\n", dd.idVendor, dd.idProduct);

    unsigned char buf[64];
    rc = libusb_control_transfer(h, 0x80, LIBUSB_REQUEST_GET_DESCRIPTOR, 0x0100, 0, buf, 18,
                                 5000);
    hex("control", buf, rc > 0 ? rc : 0);
    printf("claim: %s\n", libusb_error_name(libusb_claim_interface(h, 0)));
    unsigned char cmd[16] = { 0xF1 };
    int n = 0;
    rc = libusb_bulk_transfer(h, 0x02, cmd, 16, &n, 5000);
    printf("bulk out: %s %d\n", libusb_error_name(rc), n);
    rc = libusb_bulk_transfer(h, 0x81, buf, 6, &n, 5000);
    printf("bulk in: %s\n", libusb_error_name(rc));
    hex("version", buf, n);

    /* An IN transfer nothing will answer: libusb's loop must sleep. */
    printf("idle begin\n");
    fflush(stdout);
    fprintf(stderr, "idle begin\n");
    struct libusb_transfer *t = libusb_alloc_transfer(0);
    int done = 0;
    libusb_fill_bulk_transfer(t, h, 0x81, buf, sizeof buf, on_done, &done, 0);
    printf("submit: %s\n", libusb_error_name(libusb_submit_transfer(t)));
    for (int i = 0; i < 5; i++) {
        struct timeval tv = { 0, 200 * 1000 };
        libusb_handle_events_timeout_completed(ctx, &tv, &done);
    }
    fprintf(stderr, "idle end\n");
    printf("idle done: %d\n", done);
    libusb_cancel_transfer(t);
    for (int i = 0; i < 50 && !done; i++) {
        struct timeval tv = { 0, 100 * 1000 };
        libusb_handle_events_timeout_completed(ctx, &tv, &done);
    }
    printf("cancelled: %d %s\n", done,
           t->status == LIBUSB_TRANSFER_CANCELLED ? "CANCELLED" : "other");
    libusb_free_transfer(t);
    libusb_release_interface(h, 0);
    libusb_close(h);
    libusb_exit(ctx);
    close(fd);
    return 0;
}
