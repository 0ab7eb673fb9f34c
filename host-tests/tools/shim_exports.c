/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shim is a drop-in libusb-1.0.so.0: the same soname and exactly the
 * export list of libusb 1.0.26 (unversioned), so BIND_NOW tools (dfu-util,
 * libstlink) start and nothing of ours leaks into their namespace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-tests/lib/proc.h"
#include "host-tests/tools/shim_fixture.h"

/* `nm -D --defined-only` of Debian 12's libusb-1.0.so.0.3.0 (1.0.26). */
static const char *const libusb_1_0_26_exports[] = {
    "libusb_alloc_streams",
    "libusb_alloc_transfer",
    "libusb_attach_kernel_driver",
    "libusb_bulk_transfer",
    "libusb_cancel_transfer",
    "libusb_claim_interface",
    "libusb_clear_halt",
    "libusb_close",
    "libusb_control_transfer",
    "libusb_detach_kernel_driver",
    "libusb_dev_mem_alloc",
    "libusb_dev_mem_free",
    "libusb_error_name",
    "libusb_event_handler_active",
    "libusb_event_handling_ok",
    "libusb_exit",
    "libusb_free_bos_descriptor",
    "libusb_free_config_descriptor",
    "libusb_free_container_id_descriptor",
    "libusb_free_device_list",
    "libusb_free_pollfds",
    "libusb_free_ss_endpoint_companion_descriptor",
    "libusb_free_ss_usb_device_capability_descriptor",
    "libusb_free_streams",
    "libusb_free_transfer",
    "libusb_free_usb_2_0_extension_descriptor",
    "libusb_get_active_config_descriptor",
    "libusb_get_bos_descriptor",
    "libusb_get_bus_number",
    "libusb_get_config_descriptor",
    "libusb_get_config_descriptor_by_value",
    "libusb_get_configuration",
    "libusb_get_container_id_descriptor",
    "libusb_get_device",
    "libusb_get_device_address",
    "libusb_get_device_descriptor",
    "libusb_get_device_list",
    "libusb_get_device_speed",
    "libusb_get_max_iso_packet_size",
    "libusb_get_max_packet_size",
    "libusb_get_next_timeout",
    "libusb_get_parent",
    "libusb_get_pollfds",
    "libusb_get_port_number",
    "libusb_get_port_numbers",
    "libusb_get_port_path",
    "libusb_get_ss_endpoint_companion_descriptor",
    "libusb_get_ss_usb_device_capability_descriptor",
    "libusb_get_string_descriptor_ascii",
    "libusb_get_usb_2_0_extension_descriptor",
    "libusb_get_version",
    "libusb_handle_events",
    "libusb_handle_events_completed",
    "libusb_handle_events_locked",
    "libusb_handle_events_timeout",
    "libusb_handle_events_timeout_completed",
    "libusb_has_capability",
    "libusb_hotplug_deregister_callback",
    "libusb_hotplug_get_user_data",
    "libusb_hotplug_register_callback",
    "libusb_init",
    "libusb_interrupt_event_handler",
    "libusb_interrupt_transfer",
    "libusb_kernel_driver_active",
    "libusb_lock_event_waiters",
    "libusb_lock_events",
    "libusb_open",
    "libusb_open_device_with_vid_pid",
    "libusb_pollfds_handle_timeouts",
    "libusb_ref_device",
    "libusb_release_interface",
    "libusb_reset_device",
    "libusb_set_auto_detach_kernel_driver",
    "libusb_set_configuration",
    "libusb_set_debug",
    "libusb_set_interface_alt_setting",
    "libusb_set_log_cb",
    "libusb_set_option",
    "libusb_set_pollfd_notifiers",
    "libusb_setlocale",
    "libusb_strerror",
    "libusb_submit_transfer",
    "libusb_transfer_get_stream_id",
    "libusb_transfer_set_stream_id",
    "libusb_try_lock_events",
    "libusb_unlock_event_waiters",
    "libusb_unlock_events",
    "libusb_unref_device",
    "libusb_wait_for_event",
    "libusb_wrap_sys_device",
};
#define N_EXPORTS (sizeof libusb_1_0_26_exports / sizeof libusb_1_0_26_exports[0])

static char *shim_path(void)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/libusb-1.0.so.0", shim_dir());
    return path;
}

Test(shim_exports, exactly_the_libusb_1_0_26_symbol_set)
{
    char *argv[] = { "nm", "-D", "--defined-only", shim_path(), NULL };
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "nm failed:\n%s", r.output);
    size_t found = 0;
    char *save = NULL;
    for (char *line = strtok_r(r.output, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char type, name[128];
        unsigned long long addr;
        if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3)
            continue;
        bool known = false;
        for (size_t i = 0; i < N_EXPORTS; i++)
            known |= strcmp(name, libusb_1_0_26_exports[i]) == 0;
        cr_expect(known, "exports %s, which libusb 1.0.26 does not", name);
        cr_expect(strchr(name, '@') == NULL, "%s is versioned", name);
        found += known;
    }
    cr_assert_eq(found, N_EXPORTS, "%zu of the %zu libusb 1.0.26 exports present", found, N_EXPORTS);
    proc_result_free(&r);
}

Test(shim_exports, soname_is_libusb_1_0_so_0)
{
    char *argv[] = { "readelf", "-d", shim_path(), NULL };
    struct proc_result r = proc_run(argv, NULL, 30);
    cr_assert_eq(r.status, 0, "readelf failed:\n%s", r.output);
    cr_assert_not_null(strstr(r.output, "Library soname: [libusb-1.0.so.0]"), "%s", r.output);
    proc_result_free(&r);
}

Test(shim_exports, unimplemented_function_says_so_once_and_fails_cleanly)
{
    char tmpl[] = "/tmp/vstm32-shim-stderr-XXXXXX";
    int fd = mkstemp(tmpl);
    cr_assert_geq(fd, 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    struct libusb_bos_descriptor *bos = NULL;
    int r1 = SHIM(libusb_get_bos_descriptor)(NULL, &bos);
    int r2 = SHIM(libusb_get_bos_descriptor)(NULL, &bos);
    int r3 = SHIM(libusb_alloc_streams)(NULL, 1, NULL, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    cr_assert_eq(r1, LIBUSB_ERROR_NOT_SUPPORTED);
    cr_assert_eq(r2, LIBUSB_ERROR_NOT_SUPPORTED);
    cr_assert_eq(r3, LIBUSB_ERROR_NOT_SUPPORTED);
    size_t len;
    char *text = proc_read_file(tmpl, &len);
    unlink(tmpl);
    cr_assert_not_null(text);
    const char want[] = "vstm32-shim: libusb_get_bos_descriptor is not implemented\n"
                        "vstm32-shim: libusb_alloc_streams is not implemented\n";
    cr_assert(len == sizeof want - 1 && memcmp(text, want, len) == 0, "stderr was:\n%.*s",
              (int)len, text);
    free(text);
}
