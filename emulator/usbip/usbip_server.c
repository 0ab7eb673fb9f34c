/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB/IP server: listening socket, the poll() loop, the table of exported
 * devices and the watched fds.  Connections and their buffers live in
 * usbip_conn.c, the protocol in usbip_op.c (handshake) and usbip_urb.c
 * (URB traffic).
 */
#include "emulator/usbip/usbip_server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- exports ----------------------------------------------------------------- */

static struct usbip_export *export_of(const struct usbip_server *srv,
                                      const struct usb_device *dev, unsigned *index)
{
    for (unsigned i = 0; i < srv->n_exports; i++) {
        if (srv->exports[i]->dev == dev) {
            if (index)
                *index = i;
            return srv->exports[i];
        }
    }
    return NULL;
}

struct usbip_export *usbip_export_by_busid(struct usbip_server *srv, const char *busid)
{
    for (unsigned i = 0; i < srv->n_exports; i++)
        if (strcmp(srv->exports[i]->busid, busid) == 0)
            return srv->exports[i];
    return NULL;
}

static bool devnum_in_use(const struct usbip_server *srv, uint32_t busnum, uint32_t devnum)
{
    for (unsigned i = 0; i < srv->n_exports; i++)
        if (srv->exports[i]->busnum == busnum && srv->exports[i]->devnum == devnum)
            return true;
    return false;
}

int usbip_server_export(struct usbip_server *srv, struct usb_device *dev, const char *busid)
{
    char auto_busid[USBIP_BUSID_SIZE];

    if (export_of(srv, dev, NULL))
        return -EEXIST;
    if (srv->n_exports >= srv->limits.max_devices)
        return -ENOSPC;
    if (!busid) {
        for (unsigned port = 1;; port++) {
            snprintf(auto_busid, sizeof(auto_busid), "1-%u", port);
            if (!usbip_export_by_busid(srv, auto_busid))
                break;
        }
        busid = auto_busid;
    }
    size_t len = strlen(busid);
    if (len == 0 || len >= USBIP_BUSID_SIZE)
        return -EINVAL;
    if (usbip_export_by_busid(srv, busid))
        return -EEXIST;
    if (srv->n_exports == srv->cap_exports) {
        unsigned cap = srv->cap_exports ? srv->cap_exports * 2 : 8;
        struct usbip_export **p = realloc(srv->exports, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        srv->exports = p;
        srv->cap_exports = cap;
    }
    struct usbip_export *exp = calloc(1, sizeof(*exp));
    if (!exp)
        return -ENOMEM;
    exp->dev = dev;
    memcpy(exp->busid, busid, len + 1);
    /* busid is "<bus>-<port>[.<port>...]", as in sysfs */
    char *end;
    unsigned long bus = strtoul(busid, &end, 10);
    exp->busnum = (end != busid && *end == '-' && bus > 0 && bus <= 0xffff) ? (uint32_t)bus : 1;
    /* USB addresses are 1..127 per bus (1 is the root hub's); a new one
     * on every enumeration.  A bus with all 126 taken has no room. */
    unsigned tries = 0;
    do {
        if (tries++ == 126) {
            free(exp);
            return -ENOSPC;
        }
        exp->devnum = srv->next_devnum;
        srv->next_devnum = srv->next_devnum >= 127 ? 2 : srv->next_devnum + 1;
    } while (devnum_in_use(srv, exp->busnum, exp->devnum));
    srv->exports[srv->n_exports++] = exp;

    if (dev->configuration == 0 && usb_device_config_value(dev) != 0)
        usb_device_set_configuration(dev, usb_device_config_value(dev));
    return 0;
}

void usbip_server_unexport(struct usbip_server *srv, struct usb_device *dev)
{
    unsigned index;
    struct usbip_export *exp = export_of(srv, dev, &index);

    if (!exp)
        return;
    struct usbip_conn *conn = exp->owner;
    if (conn) {
        usbip_log(srv, "%s: device %s withdrawn while imported", conn->peer, exp->busid);
        usbip_urb_cancel_all(conn, true);
        usbip_conn_release_device(conn);
        usbip_conn_linger(conn);
    }
    memmove(&srv->exports[index], &srv->exports[index + 1],
            (srv->n_exports - index - 1) * sizeof(srv->exports[0]));
    srv->n_exports--;
    free(exp);
}

const char *usbip_server_busid(const struct usbip_server *srv, const struct usb_device *dev)
{
    struct usbip_export *exp = export_of(srv, dev, NULL);
    return exp ? exp->busid : NULL;
}

int usbip_server_devid(const struct usbip_server *srv, const struct usb_device *dev,
                       uint32_t *busnum, uint32_t *devnum)
{
    struct usbip_export *exp = export_of(srv, dev, NULL);
    if (!exp)
        return -ENOENT;
    *busnum = exp->busnum;
    *devnum = exp->devnum;
    return 0;
}

bool usbip_server_is_imported(const struct usbip_server *srv, const struct usb_device *dev)
{
    struct usbip_export *exp = export_of(srv, dev, NULL);
    return exp && exp->owner;
}

/* ---- watched fds -------------------------------------------------------------- */

int usbip_server_watch_fd(struct usbip_server *srv, int fd, short events,
                          usbip_fd_callback cb, void *arg)
{
    for (unsigned i = 0; i < srv->n_watches; i++)
        if (srv->watches[i].fd == fd)
            return -EEXIST;
    if (srv->n_watches == srv->cap_watches) {
        unsigned cap = srv->cap_watches ? srv->cap_watches * 2 : 4;
        struct usbip_watch *p = realloc(srv->watches, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        srv->watches = p;
        srv->cap_watches = cap;
    }
    srv->watches[srv->n_watches++] = (struct usbip_watch){ fd, events, cb, arg };
    return 0;
}

void usbip_server_unwatch_fd(struct usbip_server *srv, int fd)
{
    /* Only marked here: the loop may be walking the table. */
    for (unsigned i = 0; i < srv->n_watches; i++)
        if (srv->watches[i].fd == fd)
            srv->watches[i].fd = -1;
}

static void compact_watches(struct usbip_server *srv)
{
    unsigned j = 0;
    for (unsigned i = 0; i < srv->n_watches; i++)
        if (srv->watches[i].fd >= 0)
            srv->watches[j++] = srv->watches[i];
    srv->n_watches = j;
}

/* ---- the loop --------------------------------------------------------------------- */

/* Device deadlines are waited for to the nanosecond (ppoll), and one
 * closer than DEADLINE_SPIN_NS is not slept for at all: poll() rounds up
 * to whole milliseconds and a sleep wakes some 50 us late (timer slack),
 * either of which, paid once per flash word in real time mode, made a
 * 16 us F4 word program cost over a millisecond (make bench, figure 3). */
#define DEADLINE_SPIN_NS 200000

static int64_t timeout_until(uint64_t now, uint64_t deadline, int64_t timeout_ns)
{
    if (deadline == 0)
        return timeout_ns;
    if (deadline <= now + DEADLINE_SPIN_NS)
        return 0;
    uint64_t ns = deadline - now;
    if (ns > INT64_MAX)
        ns = INT64_MAX;
    return (timeout_ns < 0 || (int64_t)ns < timeout_ns) ? (int64_t)ns : timeout_ns;
}

/* Answer, then keep polling a little before sleeping.  A client that
 * talks in round trips (a control transfer, then the next) sends its next
 * request within some microseconds of our answer; a loop asleep in ppoll()
 * then needs a wake-up from the CPU the request came in on -- an
 * inter-processor interrupt, the dearest part of a round trip in a VM
 * (make bench: floor_tcp_rtt_cross_cpu_p50 against floor_tcp_rtt_p50).
 * For ANSWER_SPIN_NS after a connection was served the loop polls without
 * sleeping, so a request in that window finds it awake; a quiet client
 * costs that much CPU once per answer, and an idle server none.  On one
 * CPU the spin would only keep the client from running: not done. */
#define ANSWER_SPIN_NS 50000

static int wait_events(struct usbip_server *srv, struct pollfd *pfd, nfds_t n, uint64_t now,
                       int64_t timeout)
{
    if (timeout != 0 && srv->spin_until_ns > now) {
        static const struct timespec zero;
        uint64_t t;
        do {
            int rc = ppoll(pfd, n, &zero, NULL);
            if (rc != 0)
                return rc;
            t = monotonic_ns();
        } while (t < srv->spin_until_ns);
        uint64_t spent = t - now;
        if (timeout > 0)
            timeout = (int64_t)spent >= timeout ? 0 : timeout - (int64_t)spent;
    }
    struct timespec ts = { (time_t)(timeout / 1000000000), (long)(timeout % 1000000000) };
    return ppoll(pfd, n, timeout < 0 ? NULL : &ts, NULL);
}

static int poll_devices(struct usbip_server *srv)
{
    int handled = 0;
    uint64_t now = monotonic_ns();

    /* By index, re-checked each step: a poll hook may not unexport, but a
     * slip here must not read past the table. */
    for (unsigned i = 0; i < srv->n_exports; i++) {
        struct usb_device *dev = srv->exports[i]->dev;
        if (!dev->ops || !dev->ops->next_deadline || !dev->ops->poll)
            continue;
        uint64_t dl = dev->ops->next_deadline(dev);
        if (dl != 0 && dl <= now) {
            dev->ops->poll(dev);
            handled++;
        }
    }
    return handled;
}

int usbip_server_run_once(struct usbip_server *srv, int max_wait_ms)
{
    unsigned cap = 3 + srv->stats.clients + srv->n_watches;
    int handled = 0;
    int64_t timeout = max_wait_ms < 0 ? -1 : (int64_t)max_wait_ms * 1000000;
    uint64_t now = monotonic_ns();
    nfds_t n = 0;

    if (atomic_exchange(&srv->stop_requested, false))
        return -ECANCELED;
    if (cap > srv->cap_poll) {
        struct pollfd *p = realloc(srv->pfd, cap * sizeof(*p));
        if (p)
            srv->pfd = p;
        struct usbip_poll_slot *sl = realloc(srv->slot, cap * sizeof(*sl));
        if (sl)
            srv->slot = sl;
        if (!p || !sl)
            return -ENOMEM;
        srv->cap_poll = cap;
    }
    struct pollfd *pfd = srv->pfd;
    struct usbip_poll_slot *slot = srv->slot;

    if (srv->accept_resume_ns <= now) {
        pfd[n] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
        slot[n++].kind = SLOT_LISTEN;
        if (srv->unix_fd >= 0) {
            pfd[n] = (struct pollfd){ .fd = srv->unix_fd, .events = POLLIN };
            slot[n++].kind = SLOT_LISTEN;
        }
    } else {
        timeout = timeout_until(now, srv->accept_resume_ns, timeout);
    }
    pfd[n] = (struct pollfd){ .fd = srv->wake_rd, .events = POLLIN };
    slot[n++].kind = SLOT_WAKE;
    for (struct usbip_conn *c = srv->conns; c && n < cap; c = c->next) {
        if (c->state == CONN_CLOSED)
            continue;
        short ev = 0;
        if (!c->peer_eof && (usbip_conn_reads_requests(c) || c->state == CONN_LINGER))
            ev |= POLLIN;
        if (usbip_buf_used(&c->out) > 0)
            ev |= POLLOUT;
        if (c->state == CONN_HANDSHAKE || c->state == CONN_LINGER)
            timeout = timeout_until(now, c->deadline_ns, timeout);
        if (c->held_back && !usbip_conn_backlogged(c))
            timeout = 0;
        pfd[n] = (struct pollfd){ .fd = c->fd, .events = ev };
        slot[n].kind = SLOT_CONN;
        slot[n++].conn = c;
    }
    for (unsigned i = 0; i < srv->n_watches && n < cap; i++) {
        pfd[n] = (struct pollfd){ .fd = srv->watches[i].fd, .events = srv->watches[i].events };
        slot[n].kind = SLOT_WATCH;
        slot[n++].watch_fd = srv->watches[i].fd;
    }
    for (unsigned i = 0; i < srv->n_exports; i++) {
        struct usb_device *dev = srv->exports[i]->dev;
        if (dev->ops && dev->ops->next_deadline && dev->ops->poll)
            timeout = timeout_until(now, dev->ops->next_deadline(dev), timeout);
    }

    int rc = wait_events(srv, pfd, n, now, timeout);
    if (rc < 0)
        return errno == EINTR ? 0 : -errno;
    bool conn_event = false;

    for (nfds_t i = 0; i < n; i++) {
        short rev = pfd[i].revents;
        if (!rev)
            continue;
        handled++;
        switch (slot[i].kind) {
        case SLOT_LISTEN:
            usbip_accept_clients(srv, pfd[i].fd);
            break;
        case SLOT_WAKE: {
            char drain[64];
            while (read(srv->wake_rd, drain, sizeof(drain)) > 0)
                ;
            break;
        }
        case SLOT_CONN: {
            struct usbip_conn *c = slot[i].conn;
            conn_event = true;
            if (c->state == CONN_CLOSED)
                break;
            if (rev & POLLOUT)
                usbip_conn_flush(c);
            if (c->state != CONN_CLOSED && (rev & (POLLIN | POLLHUP | POLLERR)))
                usbip_conn_read(c);
            break;
        }
        case SLOT_WATCH:
            for (unsigned w = 0; w < srv->n_watches; w++) {
                if (srv->watches[w].fd == slot[i].watch_fd && slot[i].watch_fd >= 0) {
                    srv->watches[w].cb(srv, slot[i].watch_fd, rev, srv->watches[w].arg);
                    break;
                }
            }
            break;
        }
    }

    /* Requests, then device time, then answers out. */
    for (struct usbip_conn *c = srv->conns; c; c = c->next)
        handled += usbip_conn_process(c);
    handled += poll_devices(srv);
    now = monotonic_ns();
    for (struct usbip_conn *c = srv->conns; c; c = c->next) {
        if (c->state == CONN_CLOSED)
            continue;
        usbip_conn_flush(c);
        if (c->state == CONN_CLOSED)
            continue;
        if (c->peer_eof && (c->state != CONN_LINGER || usbip_buf_used(&c->out) == 0)) {
            if (c->state == CONN_IMPORTED && c->n_kept)
                usbip_log(srv, "%s: client went away with %u transfers pending", c->peer,
                          c->n_kept);
            usbip_conn_close(c);
            continue;
        }
        if ((c->state == CONN_HANDSHAKE || c->state == CONN_LINGER) &&
            c->deadline_ns && now >= c->deadline_ns) {
            if (c->state == CONN_HANDSHAKE)
                usbip_log(srv, "%s: no request in %d ms; closing the connection",
                          c->peer, srv->limits.handshake_timeout_ms);
            usbip_conn_close(c);
        }
    }
    usbip_reap_connections(srv);
    compact_watches(srv);
    if (conn_event && srv->may_spin)
        srv->spin_until_ns = now + ANSWER_SPIN_NS;
    return handled;
}

int usbip_server_run(struct usbip_server *srv)
{
    for (;;) {
        int rc = usbip_server_run_once(srv, -1);
        if (rc == -ECANCELED)
            return 0;
        if (rc < 0)
            return rc;
    }
}

void usbip_server_stop(struct usbip_server *srv)
{
    atomic_store(&srv->stop_requested, true);
    char one = 1;
    ssize_t n = write(srv->wake_wr, &one, 1);
    (void)n;    /* a full pipe already wakes the loop */
}

/* ---- set-up ----------------------------------------------------------------------- */

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return true;
        return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

static int open_listener(const char *bind_addr, uint16_t port, uint16_t *bound_port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    char service[8];
    int fd = -1;

    snprintf(service, sizeof(service), "%u", (unsigned)port);
    int gai = getaddrinfo(bind_addr, service, &hints, &res);
    if (gai != 0) {
        usbip_log(NULL, "cannot resolve bind address %s: %s", bind_addr, gai_strerror(gai));
        return -EINVAL;
    }
    int err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
            if (!is_loopback(ai->ai_addr))
                usbip_log(NULL, "warning: listening on %s, not a loopback address; "
                          "USB/IP has no authentication, anyone who reaches the port "
                          "can import the devices", bind_addr);
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        usbip_log(NULL, "cannot listen on %s port %u: %s", bind_addr, (unsigned)port,
                  strerror(err ? err : EADDRNOTAVAIL));
        return -(err ? err : EADDRNOTAVAIL);
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

struct usbip_server *usbip_server_new(const char *bind_addr, uint16_t port)
{
    struct usbip_server *srv = calloc(1, sizeof(*srv));
    int pipefd[2];

    if (!srv)
        return NULL;
    if (!bind_addr)
        bind_addr = "127.0.0.1";
    srv->unix_fd = -1;
    cpu_set_t cpus;
    srv->may_spin = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1;
    srv->listen_fd = open_listener(bind_addr, port, &srv->port);
    if (srv->listen_fd < 0) {
        free(srv);
        return NULL;
    }
    if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) < 0) {
        usbip_log(NULL, "pipe: %s", strerror(errno));
        close(srv->listen_fd);
        free(srv);
        return NULL;
    }
    srv->wake_rd = pipefd[0];
    srv->wake_wr = pipefd[1];
    atomic_init(&srv->stop_requested, false);
    srv->next_devnum = 2;   /* 1 is the root hub's, as on a real bus */
    srv->limits = (struct usbip_server_limits){
        .max_transfer = USBIP_DEFAULT_MAX_TRANSFER,
        .max_urbs_per_client = USBIP_DEFAULT_MAX_URBS,
        .max_kept_bytes = 16u << 20,
        .max_clients = USBIP_DEFAULT_MAX_CLIENTS,
        .max_devices = USBIP_DEFAULT_MAX_DEVICES,
        .max_backlog = 4u << 20,
        .handshake_timeout_ms = 10000,
        .linger_timeout_ms = 2000,
    };
    return srv;
}

void usbip_server_free(struct usbip_server *srv)
{
    if (!srv)
        return;
    for (struct usbip_conn *c = srv->conns; c; c = c->next)
        usbip_conn_close(c);
    usbip_reap_connections(srv);
    for (unsigned i = 0; i < srv->n_exports; i++)
        free(srv->exports[i]);
    free(srv->exports);
    free(srv->watches);
    free(srv->pfd);
    free(srv->slot);
    close(srv->listen_fd);
    if (srv->unix_fd >= 0) {
        close(srv->unix_fd);
        unlink(srv->unix_path);
    }
    close(srv->wake_rd);
    close(srv->wake_wr);
    free(srv);
}

uint16_t usbip_server_port(const struct usbip_server *srv)
{
    return srv->port;
}

int usbip_server_listen_unix(struct usbip_server *srv, const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (srv->unix_fd >= 0 || strlen(path) >= sizeof sa.sun_path) {
        usbip_log(srv, "cannot listen on %s: %s", path,
                  srv->unix_fd >= 0 ? "already on a Unix socket" : "path too long");
        return -EINVAL;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, SOMAXCONN) < 0) {
        int err = errno;
        usbip_log(srv, "cannot listen on %s: %s", path, strerror(err));
        if (fd >= 0)
            close(fd);
        return -err;
    }
    srv->unix_fd = fd;
    memcpy(srv->unix_path, path, strlen(path) + 1);
    return 0;
}

void usbip_server_get_limits(const struct usbip_server *srv, struct usbip_server_limits *lim)
{
    *lim = srv->limits;
}

void usbip_server_set_limits(struct usbip_server *srv, const struct usbip_server_limits *lim)
{
    srv->limits = *lim;
}

void usbip_server_set_transfer_hook(struct usbip_server *srv, usbip_transfer_hook hook, void *arg)
{
    srv->hook = hook;
    srv->hook_arg = arg;
}

void usbip_server_get_stats(const struct usbip_server *srv, struct usbip_server_stats *st)
{
    *st = srv->stats;
}
