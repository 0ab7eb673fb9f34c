/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 libusb shim: the libusb-1.0 (1.0.26) ABI as a USB/IP client.
 *
 * Shape:
 *   context  (shim_core.c)    servers from VSTM32_USBIP, device list,
 *                             completed-transfer queue, hotplug callbacks
 *   device   (shim_devices.c) one exported device: its devlist entry and
 *                             the descriptors read from it once
 *   conn     (shim_conn.c)    one imported device: a TCP connection, the
 *                             URBs in flight keyed by seqnum, a reader
 *                             thread that also enforces time-outs (UNLINK)
 *   handle   (shim_handle.c)  libusb_open(): a conn plus claimed interfaces
 *   transfer (shim_io.c)      libusb_transfer with our bookkeeping in
 *                             front of it, as libusb itself lays it out
 *
 * Lock order: handle->lock, conn->write_lock, conn->lock, ctx->lock.  Nobody holds
 * ctx->lock while calling back into the application or doing network I/O.
 */
#ifndef VSTM32_SHIM_H
#define VSTM32_SHIM_H

#include <libusb-1.0/libusb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "lib/bytes.h"
#include "lib/usbip_client.h"
#include "lib/usbip_proto.h"

#define SHIM_API __attribute__((visibility("default")))

#define SHIM_MAX_CONFIGS      8
#define SHIM_MAX_PORTS        7         /* USB 3.0 spec: hub depth */
#define SHIM_MAX_INTERFACES   32        /* libusb's USB_MAXINTERFACES */
#define SHIM_CONTROL_TIMEOUT_MS 5000    /* the kernel's USB_CTRL_*_TIMEOUT */
#define SHIM_NET_TIMEOUT_MS   5000

/* ---- logging ------------------------------------------------------------ */
extern int shim_debug;                  /* VSTM32_SHIM_DEBUG=1 */
void shim_log_init(void);
void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define SHIM_TRACE(...) do { if (shim_debug) shim_log(__VA_ARGS__); } while (0)
/* Says once per name that an unimplemented libusb function was called. */
void shim_log_unimplemented(const char *name);

/* ---- time --------------------------------------------------------------- */
#include "lib/monotonic.h"
void shim_deadline_to_timespec(uint64_t deadline_ns, struct timespec *ts);
void shim_cond_init_monotonic(pthread_cond_t *cond);

/* ---- network ------------------------------------------------------------ */
struct shim_server {
    char host[256];
    char port[16];
};

/* Parses "host:port[,host:port...]"; returns the count (0 when unset). */
int  shim_servers_parse(const char *spec, struct shim_server **out);

/* One server's OP_REQ_DEVLIST; *out is malloc'd.  Returns count or <0. */
int  shim_usbip_devlist(const struct shim_server *srv, struct usbip_client_device **out);
/* OP_REQ_IMPORT; returns a connected fd ready for URBs, or a negative
 * LIBUSB_ERROR_* (BUSY: imported by another connection).  *info receives
 * the server's view of the device. */
int  shim_usbip_import(const struct shim_server *srv, const char *busid,
                       struct usbip_usb_device *info);

/* ---- transfers ---------------------------------------------------------- */
enum shim_xfer_state {
    SHIM_XFER_IDLE,         /* allocated, not submitted or callback done */
    SHIM_XFER_INFLIGHT,     /* CMD_SUBMIT sent */
    SHIM_XFER_CANCELLING,   /* CMD_UNLINK sent, waiting for its answer */
    SHIM_XFER_DONE,         /* finished, callback not yet run */
};

struct shim_conn;

struct shim_transfer {
    enum shim_xfer_state state;
    bool     sync;                      /* completed by signalling, no queue */
    bool     sync_done;
    uint32_t seqnum;
    uint32_t unlink_seqnum;
    enum libusb_transfer_status cancel_status; /* TIMED_OUT or CANCELLED */
    uint64_t deadline_ns;               /* 0 = no timeout */
    uint64_t unlink_deadline_ns;        /* give up waiting for RET_UNLINK */
    struct shim_conn *conn;             /* the connection it went out on */
    struct shim_transfer *next_inflight;
    struct shim_transfer *next_done;
    uint32_t stream_id;
    int      num_iso_alloc;
    /* struct libusb_transfer follows at SHIM_XFER_PUB_OFFSET */
};

#define SHIM_XFER_PUB_OFFSET \
    ((sizeof(struct shim_transfer) + 15u) & ~(size_t)15u)
#define SHIM_XFER_PUB(t) \
    ((struct libusb_transfer *)((char *)(t) + SHIM_XFER_PUB_OFFSET))
#define SHIM_XFER_PRIV(pub) \
    ((struct shim_transfer *)((char *)(pub) - SHIM_XFER_PUB_OFFSET))

/* ---- connection to one imported device ---------------------------------- */
struct shim_conn {
    int      fd;
    uint32_t devid;
    char     name[320];                 /* "host:port/busid", for logs */
    libusb_context *ctx;
    pthread_mutex_t lock;               /* table, seqnums, state flags */
    pthread_mutex_t write_lock;         /* whole messages on the socket */
    pthread_cond_t  cond;               /* sync transfer completions */
    pthread_t reader;
    int      wake_pipe[2];
    uint32_t next_seqnum;
    struct shim_transfer *inflight;
    /* seqnums given up on (no RET_UNLINK in time), with their direction so
     * a late RET_SUBMIT can be read and thrown away */
    struct { uint32_t seqnum; uint8_t dir_in; } abandoned[32];
    unsigned n_abandoned;
    bool     gone;                      /* EOF / error: device unreachable */
    bool     closing;
    int      users;                     /* threads inside a sync transfer */
};

/* Imports busid.  With wait_busy, a device imported by another connection
 * is retried for a moment (it may be our own, just closed). */
struct shim_conn *shim_conn_open(libusb_context *ctx, const struct shim_server *srv,
                                 const char *busid, bool wait_busy,
                                 struct usbip_usb_device *info, int *err);
void shim_conn_close(struct shim_conn *conn);
/* Keep conn alive across a call made without the handle lock held. */
void shim_conn_get(struct shim_conn *conn);
void shim_conn_put(struct shim_conn *conn);
/* Sends CMD_SUBMIT for t (already filled).  0 or LIBUSB_ERROR_*. */
int  shim_conn_submit(struct shim_conn *conn, struct shim_transfer *t);
/* Sends CMD_UNLINK for t; the transfer finishes with `status` unless it
 * completes first.  0, or LIBUSB_ERROR_NOT_FOUND when not in flight. */
int  shim_conn_cancel(struct shim_conn *conn, struct shim_transfer *t,
                      enum libusb_transfer_status status);
/* A blocking transfer on conn; returns the libusb transfer status and the
 * byte count through *actual. */
enum libusb_transfer_status shim_conn_sync(struct shim_conn *conn, uint8_t type,
                                           uint8_t endpoint, const uint8_t setup[8],
                                           uint8_t *data, int len,
                                           unsigned timeout_ms, int *actual);
/* Standard control request on conn: >=0 bytes, or LIBUSB_ERROR_*. */
int  shim_conn_control(struct shim_conn *conn, uint8_t bmRequestType, uint8_t bRequest,
                       uint16_t wValue, uint16_t wIndex, uint8_t *data,
                       uint16_t wLength, unsigned timeout_ms);
int  shim_status_to_error(enum libusb_transfer_status status);

/* Called by the reader with conn->lock held when t finished. */
void shim_io_transfer_finished(struct shim_conn *conn, struct shim_transfer *t);

/* ---- devices ------------------------------------------------------------ */
struct libusb_device {
    libusb_context *ctx;
    atomic_int refcount;
    int      server_index;
    uint8_t  bus_number;
    uint8_t  device_address;
    uint8_t  port_numbers[SHIM_MAX_PORTS];
    int      num_ports;
    int      speed;                     /* enum libusb_speed */
    struct usbip_usb_device info;       /* the devlist entry */
    uint8_t  device_desc[LIBUSB_DT_DEVICE_SIZE];
    int      num_configs;
    uint8_t *configs[SHIM_MAX_CONFIGS]; /* raw, wTotalLength bytes each */
    uint16_t config_len[SHIM_MAX_CONFIGS];
    bool     descriptors_read;          /* false: built from devlist only */
    atomic_int active_config;           /* bConfigurationValue, 0 = none */
};

libusb_device *shim_device_new(libusb_context *ctx, int server_index,
                               const struct usbip_usb_device *info);
bool shim_device_matches(const libusb_device *dev, int server_index,
                         const struct usbip_usb_device *info);
/* Imports the device briefly to read its descriptors. */
void shim_device_read_descriptors(libusb_device *dev);
/* Reads them through conn if that has not been done yet (the device was
 * imported by someone else when it was listed). */
void shim_device_complete_descriptors(libusb_device *dev, struct shim_conn *conn);
/* Reads descriptors through an existing connection. */
int  shim_device_fetch_descriptors(libusb_device *dev, struct shim_conn *conn,
                                   uint8_t desc[LIBUSB_DT_DEVICE_SIZE],
                                   uint8_t **configs, uint16_t *lens, int *count);
const uint8_t *shim_device_config_by_value(const libusb_device *dev, uint8_t value,
                                           uint16_t *len);

/* ---- handles ------------------------------------------------------------ */
struct libusb_device_handle {
    libusb_device *dev;
    pthread_mutex_t lock;
    struct shim_conn *conn;             /* replaced by libusb_reset_device */
    uint32_t claimed;
    uint8_t  alt_setting[SHIM_MAX_INTERFACES];
    bool     gone;                      /* reset found the device changed */
    libusb_device_handle *next;
};

/* The connection to use for a transfer (shim_conn_put() it after), or
 * NULL when the device is gone. */
struct shim_conn *shim_handle_conn(libusb_device_handle *h);

/* ---- hotplug ------------------------------------------------------------ */
struct shim_hotplug_cb {
    int      handle;
    int      events;
    int      vendor_id, product_id, dev_class;
    libusb_hotplug_callback_fn fn;
    void    *user_data;
    bool     deregistered;
    struct shim_hotplug_cb *next;
};

struct shim_hotplug_event {
    libusb_device *dev;                 /* holds a reference */
    libusb_hotplug_event event;
    struct shim_hotplug_event *next;
};

/* ---- context ------------------------------------------------------------ */
struct libusb_context {
    pthread_mutex_t lock;
    pthread_cond_t  cond;               /* completions, hotplug, interrupts */
    int      refcount;                  /* the default context only */
    int      log_level;
    struct shim_server *servers;
    int      num_servers;

    pthread_mutex_t scan_lock;          /* one rescan at a time */
    libusb_device **devs;               /* the devices seen last, ref'd */
    size_t   num_devs;
    uint64_t last_scan_ns;
    bool     scanned;

    libusb_device_handle *handles;

    struct shim_transfer *done_head, *done_tail;
    int      event_pipe[2];             /* readable while done queue is not empty */
    bool     interrupted;
    unsigned event_generation;          /* bumps on every event, for waiters */

    struct shim_hotplug_cb *hotplug_cbs;
    struct shim_hotplug_event *hotplug_head, *hotplug_tail;
    int      next_hotplug_handle;

    /* libusb_lock_events() & co., for applications that drive events
     * themselves; our own event handling needs no such lock. */
    pthread_mutex_t events_lock;
    pthread_mutex_t waiters_lock;
    pthread_cond_t  waiters_cond;

    libusb_pollfd_added_cb pollfd_added;
    libusb_pollfd_removed_cb pollfd_removed;
    void    *pollfd_user_data;
};

/* NULL -> the default context (or NULL when libusb_init(NULL) was not
 * called). */
libusb_context *shim_ctx(libusb_context *ctx);
/* Refreshes ctx->devs from every server; queues hotplug events. */
void shim_ctx_rescan(libusb_context *ctx);
void shim_ctx_signal(libusb_context *ctx);
void shim_ctx_add_handle(libusb_context *ctx, libusb_device_handle *h);
void shim_ctx_remove_handle(libusb_context *ctx, libusb_device_handle *h);
/* Drops queued completions of transfers of a closing handle. */
void shim_io_forget_handle(libusb_context *ctx, libusb_device_handle *h);
/* Delivers queued hotplug events (outside any lock). */
void shim_hotplug_deliver(libusb_context *ctx);
void shim_hotplug_free_all(libusb_context *ctx);
bool shim_hotplug_wanted(libusb_context *ctx);

#endif
