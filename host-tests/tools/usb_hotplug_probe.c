/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-hotplug-probe VID:PID CMD [ARG...]: a program linked to the system's
 * own libusb (Debian's libusb-1.0-0, -lusb-1.0), for test_usbfs_bed.c.
 * Registers a hotplug callback for VID:PID (enumerating what is there),
 * prints one line per event,
 *   ARRIVED bus B address A
 *   LEFT bus B address A
 * runs CMD once the first device has arrived (what makes it re-enumerate),
 * and exits 0 after one LEFT and one more ARRIVED, or 1 when they have
 * not come within a bounded number of event-loop turns.
 *
 * usb-hotplug-probe --open-all: what pyusb does for pyOCD's probe search
 * (a product string of every device): libusb_open() on every device of the
 * list, one line each in bus/address order,
 *   B/A VID:PID LIBUSB_SUCCESS (or the error's name)
 * then libusb_exit() and "exit".
 */
#include <libusb-1.0/libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned arrived, left;

static int LIBUSB_CALL on_event(libusb_context *ctx, libusb_device *dev,
                                libusb_hotplug_event event, void *arg)
{
    (void)ctx; (void)arg;
    int in = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
    printf("%s bus %u address %u\n", in ? "ARRIVED" : "LEFT", libusb_get_bus_number(dev),
           libusb_get_device_address(dev));
    fflush(stdout);
    if (in)
        arrived++;
    else
        left++;
    return 0;
}

static int by_bus_address(const void *a, const void *b)
{
    libusb_device *da = *(libusb_device *const *)a, *db = *(libusb_device *const *)b;
    int ka = libusb_get_bus_number(da) * 256 + libusb_get_device_address(da);
    int kb = libusb_get_bus_number(db) * 256 + libusb_get_device_address(db);
    return ka - kb;
}

static int open_all(void)
{
    libusb_context *ctx;
    if (libusb_init(&ctx) != 0)
        return 1;
    libusb_device **list;
    ssize_t n = libusb_get_device_list(ctx, &list);
    if (n < 0)
        return 1;
    qsort(list, (size_t)n, sizeof *list, by_bus_address);
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor dd;
        libusb_get_device_descriptor(list[i], &dd);
        libusb_device_handle *h;
        int rc = libusb_open(list[i], &h);
        printf("%u/%u %04x:%04x %s\n", libusb_get_bus_number(list[i]),
               libusb_get_device_address(list[i]), dd.idVendor, dd.idProduct,
               libusb_error_name(rc));
        if (rc == 0)
            libusb_close(h);
    }
    libusb_free_device_list(list, 1);
    fflush(stdout);
    libusb_exit(ctx);
    printf("exit\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--open-all"))
        return open_all();
    unsigned vid, pid;
    if (argc < 3 || sscanf(argv[1], "%x:%x", &vid, &pid) != 2) {
        fprintf(stderr, "usage: usb-hotplug-probe VID:PID CMD [ARG...] | --open-all\n");
        return 2;
    }
    libusb_context *ctx;
    if (libusb_init(&ctx) != 0 || !libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        fprintf(stderr, "usb-hotplug-probe: libusb_init failed or has no hotplug\n");
        return 1;
    }
    libusb_hotplug_callback_handle h;
    int rc = libusb_hotplug_register_callback(ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                                   LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                                              LIBUSB_HOTPLUG_ENUMERATE, (int)vid, (int)pid,
                                              LIBUSB_HOTPLUG_MATCH_ANY, on_event, NULL, &h);
    if (rc != 0) {
        fprintf(stderr, "usb-hotplug-probe: register: %s\n", libusb_error_name(rc));
        return 1;
    }
    int ran = 0;
    unsigned before = 0;    /* arrivals when CMD ran: one more is awaited */
    /* bounded: at most 1000 turns of at most 20 ms each; the LEFT and the
     * ARRIVED may come in different turns, and other devices of VID:PID
     * have arrived before CMD */
    for (int turn = 0; turn < 1000 && !(ran && left >= 1 && arrived > before); turn++) {
        if (arrived >= 1 && !ran) {
            ran = 1;
            before = arrived;
            pid_t child = fork();
            if (child == 0) {
                execvp(argv[2], argv + 2);
                _exit(127);
            }
            int status;
            if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0) {
                fprintf(stderr, "usb-hotplug-probe: %s failed\n", argv[2]);
                return 1;
            }
        }
        struct timeval tv = {.tv_usec = 20000};
        libusb_handle_events_timeout_completed(ctx, &tv, NULL);
    }
    libusb_hotplug_deregister_callback(ctx, h);
    libusb_exit(ctx);
    return ran && left >= 1 && arrived > before ? 0 : 1;
}
