/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 usbfs preload: /dev/bus/usb/BBB/DDD file descriptors that behave
 * like Linux usbfs device files (drivers/usb/core/devio.c,
 * include/uapi/linux/usbdevice_fs.h), served in-process over USB/IP.
 *
 * Shape:
 *   usbfs_open.c   the interposed libc calls (open*, close, read, write,
 *                  lseek, fstat), the fd table, finding and importing the
 *                  device (DEVLIST, IMPORT), the descriptors read at open
 *   usbfs_conn.c   one imported device: URBs keyed by seqnum, what a
 *                  RET_SUBMIT/RET_UNLINK does to them, the completed queue
 *                  and the readiness pipe
 *   usbfs_reader.c who reads the socket: a waiting thread, else the reader
 *                  thread
 *   usbfs_ioctl.c  the usbfs ioctls
 *   usbfs_poll.c   poll()/ppoll() on our fds: the waiting thread reads
 *
 * Readiness: the fd handed out is the write end of a pipe whose read end we
 * keep.  The pipe is kept full while no completed URB waits (no POLLOUT),
 * drained while one does (POLLOUT|POLLWRNORM, as usbdev_poll()), and its
 * read end is closed when the device goes away (POLLERR).  So poll, epoll
 * and select sleep in the kernel, and libusb's event loop with them.
 *
 * Who reads the socket: one thread at a time (dev->reading).  A thread
 * that waits for an answer -- in poll() on the fd, for a sync URB, in a
 * blocking REAPURB -- reads it itself when no other thread does; else it
 * waits for the one that does.  The reader thread reads when no thread has
 * waited for READER_STANDBY_NS (epoll, select, signals, REAPURBNDELAY
 * loops: nobody here waits) and steps aside when a poll() asks.
 *
 * Lock order: dev->write_lock (whole messages on the socket), dev->lock.
 */
#ifndef VSTM32_USBFS_H
#define VSTM32_USBFS_H

#include <linux/usbdevice_fs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/usbip_proto.h"

#define USBFS_API __attribute__((visibility("default")))

#define USBFS_MAX_FD         4096       /* fds we can hand out: below this */
#define USBFS_MAX_CONFIGS    8
#define USBFS_MAX_ENDPOINTS  32
#define USBFS_NET_TIMEOUT_MS 5000
/* devio.c: usbfs_memory_mb defaults to 16 MiB of URB buffers */
#define USBFS_MAX_URB_BYTES  (16u * 1024 * 1024)

/* ---- logging (VSTM32_USBFS_DEBUG=1) ---------------------------------------- */
extern int usbfs_debug;
void usbfs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define USBFS_TRACE(...) do { if (usbfs_debug) usbfs_log(__VA_ARGS__); } while (0)

/* ---- the next definitions (libc, or umockdev's preload) --------------------- */
struct usbfs_next {
    int     (*open)(const char *, int, ...);
    int     (*open64)(const char *, int, ...);
    int     (*openat)(int, const char *, int, ...);
    int     (*openat64)(int, const char *, int, ...);
    int     (*open_2)(const char *, int);
    int     (*open64_2)(const char *, int);
    int     (*close)(int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    off_t   (*lseek)(int, off_t, int);
    off64_t (*lseek64)(int, off64_t, int);
    int     (*ioctl)(int, unsigned long, ...);
    int     (*fstat)(int, struct stat *);
    int     (*fstat64)(int, struct stat64 *);
    int     (*poll)(struct pollfd *, nfds_t, int);
    int     (*ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
};
extern struct usbfs_next usbfs_next;
void usbfs_resolve_next(void);

/* ---- URBs ------------------------------------------------------------------- */
enum usbfs_urb_state { URB_INFLIGHT, URB_UNLINKING, URB_DONE };

struct usbfs_urb {
    struct usbdevfs_urb *user;          /* the caller's URB (NULL: sync) */
    uint8_t  type;                      /* USBDEVFS_URB_TYPE_* */
    uint8_t  ep;                        /* endpoint address, 0x80 = IN */
    bool     dir_in;
    uint32_t flags;                     /* USBIP/Linux transfer_flags */
    uint8_t  setup[8];
    uint8_t *buf;                       /* our copy: OUT data / IN room */
    void    *user_data;                 /* the caller's data (after a setup) */
    uint32_t len;
    uint32_t seqnum, unlink_seqnum;
    int      unlink_status;             /* status it ends with once unlinked */
    enum usbfs_urb_state state;
    int32_t  status;                    /* 0 or a negative errno */
    uint32_t actual;
    struct usbfs_urb *next;
};

/* ---- one open device file ---------------------------------------------------- */
struct usbfs_endpoint {
    uint8_t addr, type, ifnum;
};

struct usbfs_dev {
    int      fd;                        /* the caller's fd: write end */
    int      rd;                        /* read end, ours; -1 once gone */
    int      wr;                        /* our dup of the write end */
    size_t   pipe_cap;                  /* bytes that fill the pipe */
    bool     drained;                   /* the pipe is empty: POLLOUT */
    int      accmode;                   /* O_RDONLY / O_WRONLY / O_RDWR */
    char     host[256], port[16];
    char     unix_path[108];            /* VSTM32_USBIP_UNIX, or "": TCP */
    char     busid[USBIP_BUSID_SIZE];
    uint32_t busnum, devnum, speed;
    int      sock;
    pthread_t reader;
    bool     reader_running;
    int      wake;                      /* eventfd: wakes whoever reads */

    pthread_mutex_t lock;
    pthread_mutex_t write_lock;
    pthread_cond_t  cond;               /* completions, socket free, reader exit */
    pthread_cond_t  reader_cond;        /* wakes the standing-by reader thread */
    bool     reading;                   /* a thread reads the socket */
    bool     reader_reading;            /* ... and it is the reader thread */
    uint64_t standby_until_ns;          /* the reader thread keeps away till then */
    unsigned long read_by_waiters, read_by_reader;  /* answers, for the trace */
    uint32_t next_seqnum;
    struct usbfs_urb *pending;          /* sent, not finished */
    struct usbfs_urb *done_head, *done_tail;
    uint32_t abandoned[16];             /* seqnums whose answers we drop */
    unsigned n_abandoned;
    bool     gone;                      /* connection lost: ENODEV */
    bool     closing;
    bool     reader_done;

    /* descriptors as usbfs read() gives them: device, then each config */
    uint8_t *desc;
    size_t   desc_len;
    off_t    pos;
    uint8_t  config_value;              /* active bConfigurationValue */
    struct usbfs_endpoint eps[USBFS_MAX_ENDPOINTS];
    unsigned n_eps;
    uint32_t claimed;                   /* interfaces 0..31 */
    bool     privileges_dropped;
    uint32_t allowed_mask;
};

/* The device behind fd, or NULL when fd is not ours. */
struct usbfs_dev *usbfs_lookup(int fd);

/* usbfs_conn.c */
/* Reads one RET_SUBMIT/RET_UNLINK and finishes its URB (the caller reads
 * the socket, usbfs_reader.c).  0 or -errno: the connection is broken. */
int  usbfs_conn_read_message(struct usbfs_dev *dev);
/* dev->lock held: the connection ended (rc: why); what was in flight
 * finishes -ESHUTDOWN, the device is gone unless closing. */
void usbfs_conn_ended(struct usbfs_dev *dev, int rc);

/* usbfs_reader.c */
int  usbfs_conn_start(struct usbfs_dev *dev);
/* Half-closes, waits (bounded) for the server's FIN, joins the reader. */
void usbfs_conn_stop(struct usbfs_dev *dev);
/* Wakes whoever reads the socket (in its ppoll): a URB finished meanwhile,
 * or the reader thread is asked to step aside. */
void usbfs_reader_wake(struct usbfs_dev *dev);
/* dev->lock held: waits once for news of the device, reading one message
 * from the socket itself when no other thread reads it, else waiting for
 * the one that does.  false once deadline_ns (0: none) has passed. */
bool usbfs_conn_wait_news(struct usbfs_dev *dev, uint64_t deadline_ns);
/* For poll(): the socket and the wake-up eventfd, when no finished URB
 * waits, the device is there and no other thread reads (with may_wait,
 * the reader thread is asked to step aside, ≤ 1 ms).  true: this thread
 * reads until usbfs_conn_give_socket(). */
bool usbfs_conn_take_socket(struct usbfs_dev *dev, bool may_wait, int *sock, int *wake);
/* Reads one message (the socket is readable).  true when a finished URB
 * waits to be reaped or the device is gone: the caller's poll is over. */
bool usbfs_conn_read_socket(struct usbfs_dev *dev);
/* After a wake-up on the eventfd: drains it; true as read_socket. */
bool usbfs_conn_woken(struct usbfs_dev *dev);
/* Gives the socket back; returns what poll() of the fd for events says
 * now (the pipe's POLLOUT|POLLWRNORM, POLLERR), without asking it. */
short usbfs_conn_give_socket(struct usbfs_dev *dev, short events);
/* usbfs_conn.c */
/* Sends urb (filled in); it finishes on the done queue when urb->user is
 * set, else the caller waits with usbfs_conn_wait().  0 or -errno. */
int  usbfs_conn_submit(struct usbfs_dev *dev, struct usbfs_urb *urb);
/* Waits for a sync urb until timeout_ms (0: no limit); on time-out unlinks
 * it and returns -ETIMEDOUT once it is finished.  Else its status. */
int  usbfs_conn_wait(struct usbfs_dev *dev, struct usbfs_urb *urb, unsigned timeout_ms);
/* CMD_UNLINK of a pending user URB; waits until it is finished (it then
 * waits on the done queue with -ENOENT unless it completed first).
 * -EINVAL when no such URB is pending. */
int  usbfs_conn_discard(struct usbfs_dev *dev, const void *user);
/* The oldest finished URB (dev->lock held), or NULL. */
struct usbfs_urb *usbfs_conn_take_done(struct usbfs_dev *dev);
/* A sync control transfer: bytes, or -errno. */
int  usbfs_control(struct usbfs_dev *dev, uint8_t type, uint8_t req, uint16_t value,
                   uint16_t index, void *data, uint16_t len, unsigned timeout_ms);
void usbfs_urb_free(struct usbfs_urb *urb);
/* dev->lock held: pipe drained iff a completed URB waits, closed if gone. */
void usbfs_update_ready(struct usbfs_dev *dev);

/* usbfs_open.c */
/* Parses the active configuration's endpoints into dev->eps. */
void usbfs_parse_endpoints(struct usbfs_dev *dev);
const struct usbfs_endpoint *usbfs_find_ep(const struct usbfs_dev *dev, uint8_t addr);
bool usbfs_has_interface(const struct usbfs_dev *dev, unsigned ifnum);
/* Copies to/from the caller's memory: 0, or -EFAULT where it is not
 * mapped (process_vm_readv/writev on ourselves, as copy_*_user). */
int usbfs_copy_in(void *dst, const void *user, size_t len);
int usbfs_copy_out(void *user, const void *src, size_t len);
/* n copies to the caller's memory in one system call: 0, or -EFAULT (those
 * before the first bad one done, as put_user() after put_user()). */
struct iovec;
int usbfs_copy_outv(const struct iovec *local, const struct iovec *remote, unsigned n);

/* usbfs_ioctl.c */
int usbfs_ioctl(struct usbfs_dev *dev, unsigned long req, void *arg);
/* USBDEVFS_RESET: re-import the same busid.  0 or -errno. */
int usbfs_reset(struct usbfs_dev *dev);

#endif
