/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device lists, descriptors, strings, hotplug and the library-level calls
 * of the shim, against one or two fake servers.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/shim_fixture.h"

static struct shim_fake fake, fake2;
static libusb_context *ctx;

static void start_both(void)
{
    shim_fake_start(&fake, "--echo", NULL);
    setenv("VSTM32_USBIP", fake.usbip, 1);
    cr_assert_eq(SHIM(libusb_init)(&ctx), 0);
}

static void stop_both(void)
{
    SHIM(libusb_exit)(ctx);
    shim_fake_stop(&fake);
    shim_fake_stop(&fake2);
}

static libusb_device *find(libusb_device **list, uint16_t vid)
{
    for (libusb_device **p = list; *p; p++) {
        struct libusb_device_descriptor d;
        SHIM(libusb_get_device_descriptor)(*p, &d);
        if (d.idVendor == vid)
            return *p;
    }
    return NULL;
}

TestSuite(shim_devices, .init = start_both, .fini = stop_both);

/* Newest first, as Debian's libusb 1.0.26 lists them (core.c
 * usbi_connect_device: list_add at the head, after a scan in sysfs
 * order): the server's 1-2 before its 1-1.  st-flash 1.7.0 walks the list
 * backwards and meets 1-1 first (fixtures/scenarios/21). */
Test(shim_devices, list_is_newest_first_with_bus_address_and_port)
{
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &list), 2);
    cr_assert_null(list[2]);
    struct libusb_device_descriptor d;
    SHIM(libusb_get_device_descriptor)(list[1], &d);
    cr_assert_eq(d.idVendor, 0x0483);
    cr_assert_eq(d.idProduct, 0xdf11);
    cr_assert_eq(d.bcdDevice, 0x2200);
    cr_assert_eq(d.bNumConfigurations, 1);
    cr_assert_eq(SHIM(libusb_get_bus_number)(list[1]), 1);
    cr_assert_eq(SHIM(libusb_get_device_address)(list[1]), 2);
    cr_assert_eq(SHIM(libusb_get_port_number)(list[1]), 1);
    cr_assert_eq(SHIM(libusb_get_device_address)(list[0]), 3);
    uint8_t ports[7];
    cr_assert_eq(SHIM(libusb_get_port_numbers)(list[0], ports, 7), 1);
    cr_assert_eq(ports[0], 2);
    cr_assert_eq(SHIM(libusb_get_port_numbers)(list[0], ports, 0), LIBUSB_ERROR_INVALID_PARAM);
    cr_assert_null(SHIM(libusb_get_parent)(list[0]));
    cr_assert_eq(SHIM(libusb_get_device_speed)(list[0]), LIBUSB_SPEED_FULL);
    cr_assert_eq(SHIM(libusb_get_max_packet_size)(list[0], 0x81), 64);
    cr_assert_eq(SHIM(libusb_get_max_iso_packet_size)(list[0], 0x81), 64);
    cr_assert_eq(SHIM(libusb_get_max_packet_size)(list[0], 0x82), LIBUSB_ERROR_NOT_FOUND);

    /* A second list holds the same device objects (libusb keeps them),
     * in the same order: nothing arrived in between. */
    libusb_device **again;
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &again), 2);
    cr_assert_eq(again[0], list[0]);
    cr_assert_eq(again[1], list[1]);
    SHIM(libusb_free_device_list)(again, 1);
    SHIM(libusb_free_device_list)(list, 1);
}

/* A device plugged again is a new device, put at the list's head as
 * libusb's hotplug (usbi_connect_device) puts it; the others keep their
 * order. */
Test(shim_devices, replugged_device_comes_first)
{
    libusb_device **list;
    struct libusb_device_descriptor d;
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &list), 2);
    SHIM(libusb_get_device_descriptor)(list[1], &d);
    cr_assert_eq(d.idProduct, 0xdf11, "1-1, the first enumerated, is last");
    libusb_device *echo = list[0];
    SHIM(libusb_free_device_list)(list, 0);

    shim_fake_command(&fake, "unplug 1-1");
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &list), 1);
    cr_assert_eq(list[0], echo);
    SHIM(libusb_free_device_list)(list, 1);
    shim_fake_command(&fake, "plug 1-1");
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &list), 2);
    SHIM(libusb_get_device_descriptor)(list[0], &d);
    cr_assert_eq(d.idProduct, 0xdf11, "1-1, plugged last, is first");
    cr_assert_eq(list[1], echo);
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_unref_device)(echo);
}

/* Bus 2's device was enumerated last: it comes first. */
Test(shim_devices, two_servers_are_two_buses)
{
    shim_fake_start(&fake2, "--echo", "--no-dfu");
    char both[80];
    snprintf(both, sizeof both, "%s, %s", fake.usbip, fake2.usbip);
    setenv("VSTM32_USBIP", both, 1);
    libusb_context *two;
    cr_assert_eq(SHIM(libusb_init)(&two), 0);
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(two, &list), 3);
    cr_assert_eq(SHIM(libusb_get_bus_number)(list[0]), 2);
    cr_assert_eq(SHIM(libusb_get_device_address)(list[0]), 3);
    cr_assert_eq(SHIM(libusb_get_bus_number)(list[1]), 1);
    cr_assert_eq(SHIM(libusb_get_device_address)(list[1]), 3);
    cr_assert_eq(SHIM(libusb_get_bus_number)(list[2]), 1);
    cr_assert_eq(SHIM(libusb_get_device_address)(list[2]), 2);
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_exit)(two);
}

Test(shim_devices, no_servers_and_dead_servers_give_empty_lists)
{
    unsetenv("VSTM32_USBIP");
    libusb_context *none;
    cr_assert_eq(SHIM(libusb_init)(&none), 0);
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(none, &list), 0);
    cr_assert_null(list[0]);
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_exit)(none);

    /* Port 1 on loopback: refused at once, never a scan. */
    setenv("VSTM32_USBIP", "127.0.0.1:1,not-a-server", 1);
    cr_assert_eq(SHIM(libusb_init)(&none), 0);
    cr_assert_eq(SHIM(libusb_get_device_list)(none, &list), 0);
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_exit)(none);
}

Test(shim_devices, default_context_is_reference_counted)
{
    cr_assert_eq(SHIM(libusb_init)(NULL), 0);
    cr_assert_eq(SHIM(libusb_init)(NULL), 0);
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(NULL, &list), 2);
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_exit)(NULL);
    cr_assert_eq(SHIM(libusb_get_device_list)(NULL, &list), 2, "gone after one exit of two");
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_exit)(NULL);
}

/* dfu-util's probe_configuration: the DFU functional descriptor (0x21)
 * is found in the extra bytes of the alt setting it follows. */
Test(shim_devices, config_descriptor_keeps_class_descriptors_in_extra)
{
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &list), 2);
    libusb_device *dfu = find(list, 0x0483);
    struct libusb_config_descriptor *cfg;
    cr_assert_eq(SHIM(libusb_get_config_descriptor)(dfu, 0, &cfg), 0);
    cr_assert_eq(cfg->bConfigurationValue, 1);
    cr_assert_eq(cfg->bNumInterfaces, 1);
    cr_assert_eq(cfg->extra_length, 0);
    const struct libusb_interface *itf = &cfg->interface[0];
    cr_assert_eq(itf->num_altsetting, 2);
    cr_assert_eq(itf->altsetting[0].bInterfaceClass, 0xfe);
    cr_assert_eq(itf->altsetting[0].extra_length, 0);
    cr_assert_eq(itf->altsetting[1].iInterface, 5);
    cr_assert_eq(itf->altsetting[1].extra_length, 9);
    const unsigned char func[9] = { 9, 0x21, 0x0b, 0xff, 0, 0, 8, 0x1a, 1 };
    cr_assert_arr_eq(itf->altsetting[1].extra, func, 9);
    SHIM(libusb_free_config_descriptor)(cfg);

    cr_assert_eq(SHIM(libusb_get_config_descriptor)(dfu, 1, &cfg), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_get_config_descriptor_by_value)(dfu, 1, &cfg), 0);
    SHIM(libusb_free_config_descriptor)(cfg);
    cr_assert_eq(SHIM(libusb_get_active_config_descriptor)(dfu, &cfg), 0);
    cr_assert_eq(cfg->bConfigurationValue, 1);
    SHIM(libusb_free_config_descriptor)(cfg);

    libusb_device *echo = find(list, 0x1209);
    cr_assert_eq(SHIM(libusb_get_config_descriptor)(echo, 0, &cfg), 0);
    const struct libusb_interface_descriptor *alt = &cfg->interface[0].altsetting[0];
    cr_assert_eq(alt->bNumEndpoints, 3);
    cr_assert_eq(alt->endpoint[0].bEndpointAddress, 0x01);
    cr_assert_eq(alt->endpoint[1].bEndpointAddress, 0x81);
    cr_assert_eq(alt->endpoint[1].wMaxPacketSize, 64);
    SHIM(libusb_free_config_descriptor)(cfg);
    SHIM(libusb_free_device_list)(list, 1);
}

Test(shim_devices, string_descriptors_in_ascii)
{
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(ctx, &list), 2);
    libusb_device_handle *h;
    cr_assert_eq(SHIM(libusb_open)(find(list, 0x0483), &h), 0);
    unsigned char s[256];
    cr_assert_eq(SHIM(libusb_get_string_descriptor_ascii)(h, 1, s, sizeof s), 18);
    cr_assert_str_eq((char *)s, "STMicroelectronics");
    cr_assert_eq(SHIM(libusb_get_string_descriptor_ascii)(h, 3, s, 5), 4, "cut to the buffer");
    cr_assert_str_eq((char *)s, "FAKE");
    cr_assert_eq(SHIM(libusb_get_string_descriptor_ascii)(h, 0, s, sizeof s),
                 LIBUSB_ERROR_INVALID_PARAM);
    cr_assert_eq(SHIM(libusb_get_string_descriptor_ascii)(h, 9, s, sizeof s), LIBUSB_ERROR_PIPE);
    /* The inline helper the tools compile in: a plain GET_DESCRIPTOR. */
    int r = SHIM(libusb_control_transfer)(h, 0x80, 0x06, 0x0300, 0, s, 255, 1000);
    cr_assert_eq(r, 4);
    cr_assert_eq(s[2], 0x09);
    SHIM(libusb_close)(h);

    /* Opened twice in a row, as dfu-util does while probing. */
    cr_assert_eq(SHIM(libusb_open)(find(list, 0x0483), &h), 0);
    SHIM(libusb_close)(h);
    cr_assert_eq(SHIM(libusb_open)(find(list, 0x0483), &h), 0);
    cr_assert_eq(SHIM(libusb_get_device)(h), find(list, 0x0483));
    SHIM(libusb_close)(h);
    SHIM(libusb_free_device_list)(list, 1);
}

struct hotplug_log {
    int arrived, left;
    char last[16];
};

static int LIBUSB_CALL on_hotplug(libusb_context *c, libusb_device *dev,
                                  libusb_hotplug_event event, void *user_data)
{
    struct hotplug_log *log = user_data;
    uint8_t port = SHIM(libusb_get_port_number)(dev);
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
        log->arrived++;
    else
        log->left++;
    snprintf(log->last, sizeof log->last, "%s 1-%u",
             event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? "arrived" : "left", port);
    return 0;
}

static void events_until(int *counter, int want)
{
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
    for (int i = 0; i < 100 && *counter < want; i++)
        cr_assert_eq(SHIM(libusb_handle_events_timeout)(ctx, &tv), 0);
    cr_assert_eq(*counter, want);
}

Test(shim_devices, hotplug_reports_boards_coming_and_going)
{
    cr_assert_eq(SHIM(libusb_has_capability)(LIBUSB_CAP_HAS_HOTPLUG), 1);
    struct hotplug_log log = { 0 };
    libusb_hotplug_callback_handle handle;
    int r = SHIM(libusb_hotplug_register_callback)(
        ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
        LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
        LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, &log, &handle);
    cr_assert_eq(r, 0);
    cr_assert_eq(log.arrived, 2, "ENUMERATE reports what is there");
    cr_assert_eq(SHIM(libusb_hotplug_get_user_data)(ctx, handle), &log);

    shim_fake_command(&fake, "unplug 1-2");
    events_until(&log.left, 1);
    cr_assert_str_eq(log.last, "left 1-2");
    shim_fake_command(&fake, "plug 1-2");
    events_until(&log.arrived, 3);
    cr_assert_str_eq(log.last, "arrived 1-2");

    SHIM(libusb_hotplug_deregister_callback)(ctx, handle);
    cr_assert_null(SHIM(libusb_hotplug_get_user_data)(ctx, handle));
    shim_fake_command(&fake, "unplug 1-2");
    struct timeval tv = { .tv_sec = 0, .tv_usec = 700000 };
    cr_assert_eq(SHIM(libusb_handle_events_timeout)(ctx, &tv), 0);
    cr_assert_eq(log.left, 1, "callback ran after deregistration");
}

Test(shim_devices, library_calls_answer_as_libusb_1_0_26)
{
    const struct libusb_version *v = SHIM(libusb_get_version)();
    cr_assert_eq(v->major, 1);
    cr_assert_eq(v->minor, 0);
    cr_assert_eq(v->micro, 26);
    cr_assert_str_eq(SHIM(libusb_error_name)(LIBUSB_ERROR_TIMEOUT), "LIBUSB_ERROR_TIMEOUT");
    cr_assert_str_eq(SHIM(libusb_error_name)(LIBUSB_TRANSFER_STALL), "LIBUSB_TRANSFER_STALL");
    cr_assert_str_eq(SHIM(libusb_error_name)(-1234), "**UNKNOWN**");
    cr_assert_str_eq(SHIM(libusb_strerror)(LIBUSB_ERROR_NO_DEVICE),
                     "No such device (it may have been disconnected)");
    cr_assert_eq(SHIM(libusb_setlocale)("de_DE.UTF-8"), 0);
    cr_assert_eq(SHIM(libusb_setlocale)("xx"), LIBUSB_ERROR_NOT_FOUND);
    cr_assert_eq(SHIM(libusb_setlocale)("e"), LIBUSB_ERROR_INVALID_PARAM);
    cr_assert_eq(SHIM(libusb_set_option)(ctx, LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_INFO), 0);
    cr_assert_eq(SHIM(libusb_set_option)(ctx, LIBUSB_OPTION_USE_USBDK), LIBUSB_ERROR_NOT_SUPPORTED);
    cr_assert_eq(SHIM(libusb_set_option)(ctx, (enum libusb_option)99), LIBUSB_ERROR_INVALID_PARAM);
    /* pyusb still binds the deprecated libusb_set_debug. */
    void (*set_debug)(libusb_context *, int) = (void (*)(libusb_context *, int))
        shim_sym("libusb_set_debug");
    set_debug(ctx, 0);
    cr_assert_eq(SHIM(libusb_has_capability)(LIBUSB_CAP_HAS_HID_ACCESS), 0);
    struct timeval tv;
    cr_assert_eq(SHIM(libusb_get_next_timeout)(ctx, &tv), 0);
    cr_assert_null(SHIM(libusb_dev_mem_alloc)(NULL, 64));
    struct libusb_transfer *t = SHIM(libusb_alloc_transfer)(0);
    cr_assert_eq(SHIM(libusb_cancel_transfer)(t), LIBUSB_ERROR_NOT_FOUND);
    SHIM(libusb_free_transfer)(t);
}

/* Another program has the board open while this one lists it: the list
 * still shows it (from the server's devlist), and its descriptors are
 * read once this program opens it. */
Test(shim_devices, device_busy_at_listing_is_described_when_opened)
{
    libusb_device_handle *holder =
        SHIM(libusb_open_device_with_vid_pid)(ctx, 0x1209, 0x0001);
    cr_assert_not_null(holder);
    libusb_context *other;
    cr_assert_eq(SHIM(libusb_init)(&other), 0);
    libusb_device **list;
    cr_assert_eq(SHIM(libusb_get_device_list)(other, &list), 2);
    libusb_device *echo = find(list, 0x1209);
    cr_assert_not_null(echo, "a busy device must still be listed");
    struct libusb_device_descriptor d;
    SHIM(libusb_get_device_descriptor)(echo, &d);
    cr_assert_eq(d.idProduct, 0x0001);
    struct libusb_config_descriptor *cfg;
    cr_assert_lt(SHIM(libusb_get_config_descriptor)(echo, 0, &cfg), 0);

    libusb_device_handle *h;
    cr_assert_eq(SHIM(libusb_open)(echo, &h), LIBUSB_ERROR_ACCESS, "imported twice?");
    SHIM(libusb_close)(holder);
    cr_assert_eq(SHIM(libusb_open)(echo, &h), 0);
    cr_assert_eq(SHIM(libusb_get_config_descriptor)(echo, 0, &cfg), 0);
    cr_assert_eq(cfg->interface[0].altsetting[0].bNumEndpoints, 3);
    SHIM(libusb_free_config_descriptor)(cfg);
    SHIM(libusb_get_device_descriptor)(echo, &d);
    cr_assert_eq(d.iSerialNumber, 3);
    SHIM(libusb_close)(h);
    SHIM(libusb_free_device_list)(list, 1);
    SHIM(libusb_exit)(other);
}
