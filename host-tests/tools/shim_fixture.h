/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixtures for the libusb shim's tests: the fake USB/IP server
 * (host-tests/tools/py/fake_usbip_server.py) in a child process, and the
 * shim itself loaded with dlopen(), so a test calls the very library the
 * real tools load -- not the system libusb the header comes from.
 */
#ifndef VSTM32_SHIM_FIXTURE_H
#define VSTM32_SHIM_FIXTURE_H

#include <libusb-1.0/libusb.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct shim_fake {
    pid_t    pid;
    int      to_server;         /* its stdin: commands */
    int      from_server;       /* its stdout: "PORT n", "OK ..." */
    uint16_t port;
    char     usbip[32];         /* "127.0.0.1:PORT", for VSTM32_USBIP */
};

/* Starts the fake server with its options ("--echo", "--no-dfu"; NULL
 * for none), waits for its port; asserts on failure.  Bounded: a server
 * that does not answer in 10 s fails the test. */
void shim_fake_start(struct shim_fake *f, const char *opt1, const char *opt2);
/* "unplug 1-2", "plug 1-2": sends the line and waits for the server's OK. */
void shim_fake_command(struct shim_fake *f, const char *line);
void shim_fake_stop(struct shim_fake *f);

/* The shim under test: $VSTM32_SHIM_DIR (default build/shim). */
const char *shim_dir(void);
/* dlopen()s the shim once; asserts on failure. */
void *shim_sym(const char *name);
/* A shim function with libusb's own prototype: SHIM(libusb_init)(&ctx). */
#define SHIM(fn) ((__typeof__(&fn))shim_sym(#fn))

/* Environment entries for a real tool run through the shim, pointed at f;
 * with f NULL, VSTM32_USBIP is removed from this process's environment. */
struct shim_tool_env {
    char ld_library_path[512];
    char usbip[64];
    char *env[4];
};
void shim_tool_env_init(struct shim_tool_env *e, const struct shim_fake *f);

#endif
