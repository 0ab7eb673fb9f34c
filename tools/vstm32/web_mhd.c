/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libmicrohttpd with dlopen, when the live view starts (web_mhd.h). */
#include "tools/vstm32/web_mhd.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "lib/dl.h"

struct web_mhd_api web_mhd;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];
static int load_rc = -1;

static void load(void)
{
    static const char *const names[] = {
        "MHD_start_daemon", "MHD_stop_daemon", "MHD_get_daemon_info",
        "MHD_create_response_from_buffer", "MHD_create_response_from_callback",
        "MHD_add_response_header", "MHD_queue_response", "MHD_destroy_response",
        "MHD_lookup_connection_value",
    };
    void **slots[] = {
        (void **)&web_mhd.start_daemon, (void **)&web_mhd.stop_daemon,
        (void **)&web_mhd.get_daemon_info, (void **)&web_mhd.create_response_from_buffer,
        (void **)&web_mhd.create_response_from_callback, (void **)&web_mhd.add_response_header,
        (void **)&web_mhd.queue_response, (void **)&web_mhd.destroy_response,
        (void **)&web_mhd.lookup_connection_value,
    };
    if (dl_load("libmicrohttpd.so.12", "libmicrohttpd12", RTLD_NOW | RTLD_LOCAL, names, slots,
                sizeof names / sizeof names[0], load_error, sizeof load_error))
        load_rc = 0;
}

int web_mhd_load(char *err, size_t cap)
{
    pthread_once(&load_once, load);
    if (load_rc < 0 && err && cap)
        snprintf(err, cap, "%s", load_error);
    return load_rc;
}
