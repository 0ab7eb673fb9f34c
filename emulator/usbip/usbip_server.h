/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The USB/IP server: exports struct usb_device instances over TCP the way
 * the Linux kernel's usbipd + usbip-host do, so the kernel's vhci-hcd
 * (`usbip attach`) and the usbfs preload (`vstm32 run`) can import them.
 *
 * One connection does one thing, as with usbipd: OP_REQ_DEVLIST (answered,
 * then the server closes its side), or OP_REQ_IMPORT, after which the
 * connection carries USBIP_CMD_SUBMIT / USBIP_CMD_UNLINK for that device
 * until either side closes it.  A device imported by one connection is
 * reported busy (ST_DEV_BUSY) to others; when that connection ends, its
 * kept transfers are cancelled, usb_device_disconnect() is called and the
 * device can be imported again.
 *
 * Threading: single-threaded.  Every function below, and every call into
 * a struct usb_device (including usb_xfer_done()), must happen on the
 * thread that runs usbip_server_run_once()/usbip_server_run(), except
 * usbip_server_stop(), which any thread or a signal handler may call.
 *
 * The port has no authentication.  Everything a peer sends is checked
 * before use; a peer that breaks the protocol or a limit loses its own
 * connection (with one log line) and nobody else notices.
 *
 * Errors are negative errno values.
 */
#ifndef VSTM32_USBIP_SERVER_H
#define VSTM32_USBIP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/usb/usb_device.h"

struct usbip_server;

/* Listens on bind_addr (NULL = "127.0.0.1"; IPv4 or IPv6 literal or host
 * name) and port (0 = the kernel picks one, see usbip_server_port()).
 * Binding anything but a loopback address logs a warning: the protocol
 * has no authentication.  Returns NULL on failure, having logged why. */
struct usbip_server *usbip_server_new(const char *bind_addr, uint16_t port);

/* Closes every connection (kept transfers cancelled, imported devices
 * disconnected) and the listening socket.  Devices are not freed: they
 * belong to the caller. */
void usbip_server_free(struct usbip_server *srv);

/* The bound TCP port. */
uint16_t usbip_server_port(const struct usbip_server *srv);

/* Also listens on a Unix stream socket at path (a private one: `vstm32
 * run` hands it to the usbfs preload; a round trip over it skips the
 * TCP stack, issue 21).  The socket file is removed by
 * usbip_server_free().  0 or -errno, having logged why. */
int usbip_server_listen_unix(struct usbip_server *srv, const char *path);

/* ---- devices ------------------------------------------------------------ */

/* Makes dev importable as `busid` ("1-1"; NULL = the next free "1-N").
 * busnum is the number before the '-' (1 if none); devnum is allocated
 * afresh on every export, as a real bus does on enumeration, so a device
 * that re-enumerates (unexport + export) gets a new devid.  An
 * unconfigured device is put in its configuration first, because a
 * device bound to usbip-host is configured by the exporting host.
 * Returns 0, -EEXIST (dev or busid already exported), -EINVAL (busid too
 * long or empty), -ENOSPC (limits.max_devices) or -ENOMEM. */
int  usbip_server_export(struct usbip_server *srv, struct usb_device *dev, const char *busid);

/* Withdraws dev.  If a client imported it, its kept transfers are
 * cancelled and answered with RET_SUBMIT status -ENODEV, the device gets
 * usb_device_disconnect(), and that connection is closed once the answers
 * are sent.  Unknown devices are ignored. */
void usbip_server_unexport(struct usbip_server *srv, struct usb_device *dev);

/* The busid dev is exported under, or NULL. */
const char *usbip_server_busid(const struct usbip_server *srv, const struct usb_device *dev);

/* The bus and device numbers dev is exported with, as OP_REP_DEVLIST
 * reports them (devnum is new on every export).  Returns 0, or -ENOENT
 * when dev is not exported. */
int  usbip_server_devid(const struct usbip_server *srv, const struct usb_device *dev,
                        uint32_t *busnum, uint32_t *devnum);

/* True while a client has dev imported. */
bool usbip_server_is_imported(const struct usbip_server *srv, const struct usb_device *dev);

/* ---- the loop ----------------------------------------------------------- */

/* Waits at most max_wait_ms (negative: until something happens) for
 * network activity, a watched fd or a device deadline (ops->next_deadline,
 * CLOCK_MONOTONIC ns), handles what is ready, and calls ops->poll() of
 * devices whose deadline has come.  Returns the number of things handled
 * (0 on a time-out), -ECANCELED when usbip_server_stop() was called (the
 * request is consumed), or another negative errno if poll() fails. */
int  usbip_server_run_once(struct usbip_server *srv, int max_wait_ms);

/* Calls usbip_server_run_once() until usbip_server_stop().  Returns 0 when
 * stopped, or a negative errno from poll(). */
int  usbip_server_run(struct usbip_server *srv);

/* Asks a running loop to return.  Thread-safe and async-signal-safe. */
void usbip_server_stop(struct usbip_server *srv);

/* Extra fds for the loop (the CLI's control socket).  cb runs on the loop
 * thread with the poll() revents.  It may call any server function,
 * including unwatching its own fd and (un)exporting devices, but not
 * usbip_server_free().  Returns 0, -EEXIST or -ENOMEM. */
typedef void (*usbip_fd_callback)(struct usbip_server *srv, int fd, short revents, void *arg);
int  usbip_server_watch_fd(struct usbip_server *srv, int fd, short events,
                           usbip_fd_callback cb, void *arg);
void usbip_server_unwatch_fd(struct usbip_server *srv, int fd);

/* ---- limits, hooks, log, counters --------------------------------------- */

struct usbip_server_limits {
    uint32_t max_transfer;          /* transfer_buffer_length; more closes the connection */
    unsigned max_urbs_per_client;   /* transfers kept by devices at once, per connection */
    size_t   max_kept_bytes;        /* their buffers, per connection */
    unsigned max_clients;           /* connections at once; more are closed on accept */
    unsigned max_devices;           /* exports */
    size_t   max_backlog;           /* unsent bytes before a client is no longer read */
    int      handshake_timeout_ms;  /* a connection that has not imported by then closes */
    int      linger_timeout_ms;     /* after the server's last answer, wait this long for
                                       the peer to close before closing for it */
};
#define USBIP_DEFAULT_MAX_TRANSFER (1u << 20)
#define USBIP_DEFAULT_MAX_URBS     256
#define USBIP_DEFAULT_MAX_CLIENTS  64
#define USBIP_DEFAULT_MAX_DEVICES  4096    /* 1024 boards, a DFU device and a probe each, twice */

void usbip_server_get_limits(const struct usbip_server *srv, struct usbip_server_limits *lim);
void usbip_server_set_limits(struct usbip_server *srv, const struct usbip_server_limits *lim);

/* Observes every transfer (tracing, pcap).  SUBMIT: before the device sees
 * it (OUT data in buf).  COMPLETE: when its RET_SUBMIT is queued (status,
 * actual and IN data final), before the server sends it (it sends at the
 * end of its turn).  UNLINK: cancelled by CMD_UNLINK, or by the
 * connection ending or the device being withdrawn (status says which). */
enum usbip_xfer_phase { USBIP_XFER_SUBMIT, USBIP_XFER_COMPLETE, USBIP_XFER_UNLINK };
typedef void (*usbip_transfer_hook)(struct usbip_server *srv, struct usb_device *dev,
                                    const struct usb_xfer *xfer, enum usbip_xfer_phase phase,
                                    void *arg);
void usbip_server_set_transfer_hook(struct usbip_server *srv, usbip_transfer_hook hook, void *arg);

/* Where log lines go (one call per line, no trailing newline).  Default,
 * and with fn NULL: stderr, prefixed "vstm32 usbip: ". */
typedef void (*usbip_log_fn)(void *arg, const char *line);
void usbip_server_set_log(struct usbip_server *srv, usbip_log_fn fn, void *arg);

struct usbip_server_stats {
    unsigned clients;               /* open connections now */
    unsigned imported;              /* devices imported now */
    unsigned kept_urbs;             /* transfers devices keep now */
    uint64_t accepted;              /* connections accepted so far */
    uint64_t refused;               /* closed at accept: too many clients */
    uint64_t protocol_errors;       /* closed for breaking the protocol or a limit */
    uint64_t urbs;                  /* CMD_SUBMITs handled */
    uint64_t unlinks;               /* CMD_UNLINKs handled */
};
void usbip_server_get_stats(const struct usbip_server *srv, struct usbip_server_stats *st);

#endif
