/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmicrohttpd, loaded with dlopen when --web starts the live view, not
 * linked: it brings GnuTLS and eight more libraries whose loading was a
 * third of vstm32's start-up once libunicorn was out of it (cpu_uc.c).
 * The MHD_* names web.c calls go through this table.
 */
#ifndef VSTM32_WEB_MHD_H
#define VSTM32_WEB_MHD_H

#include <stddef.h>

#include <microhttpd.h>

struct web_mhd_api {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_get_daemon_info) *get_daemon_info;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_create_response_from_callback) *create_response_from_callback;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
};

extern struct web_mhd_api web_mhd;

/* 0 once libmicrohttpd is loaded (every later call too), or -1 and why. */
int web_mhd_load(char *err, size_t cap);

#define MHD_start_daemon                 (*web_mhd.start_daemon)
#define MHD_stop_daemon                  (*web_mhd.stop_daemon)
#define MHD_get_daemon_info              (*web_mhd.get_daemon_info)
#define MHD_create_response_from_buffer  (*web_mhd.create_response_from_buffer)
#define MHD_create_response_from_callback (*web_mhd.create_response_from_callback)
#define MHD_add_response_header          (*web_mhd.add_response_header)
#define MHD_queue_response               (*web_mhd.queue_response)
#define MHD_destroy_response             (*web_mhd.destroy_response)
#define MHD_lookup_connection_value      (*web_mhd.lookup_connection_value)

#endif
