/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transfers: the asynchronous API (alloc/submit/cancel/free, callbacks run
 * from libusb_handle_events*) and the synchronous wrappers.
 *
 * Completions come from the connections' reader threads.  A finished
 * asynchronous transfer is queued on its context; the event pipe is
 * readable while that queue is not empty, for applications that poll the
 * fds of libusb_get_pollfds().  Time-outs are enforced by the readers, so
 * libusb_pollfds_handle_timeouts() is 1 and libusb_get_next_timeout() has
 * nothing to report -- as with libusb on Linux, which uses a timerfd.
 */
#include "tools/libusb-shim/shim.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* libusb_handle_events() and _completed() wait at most this long. */
#define SHIM_DEFAULT_EVENT_WAIT_MS 60000
/* Boards come and go: with hotplug callbacks registered, event handling
 * looks at the servers' device lists this often. */
#define SHIM_HOTPLUG_RESCAN_NS (500ull * 1000 * 1000)

void shim_io_transfer_finished(struct shim_conn *conn, struct shim_transfer *t)
{
    if (t->sync) {
        t->sync_done = true;
        pthread_cond_broadcast(&conn->cond);
        return;
    }
    libusb_context *ctx = conn->ctx;
    pthread_mutex_lock(&ctx->lock);
    t->next_done = NULL;
    if (ctx->done_tail)
        ctx->done_tail->next_done = t;
    else
        ctx->done_head = t;
    ctx->done_tail = t;
    uint8_t b = 1;
    ssize_t r = write(ctx->event_pipe[1], &b, 1);
    (void)r;
    ctx->event_generation++;
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);

    pthread_mutex_lock(&ctx->waiters_lock);
    pthread_cond_broadcast(&ctx->waiters_cond);
    pthread_mutex_unlock(&ctx->waiters_lock);
}

/* ctx->lock held. */
static void drain_event_pipe(libusb_context *ctx)
{
    uint8_t sink[64];
    while (read(ctx->event_pipe[0], sink, sizeof sink) > 0)
        ;
}

/* ctx->lock held. */
static void unqueue(libusb_context *ctx, struct shim_transfer *t)
{
    struct shim_transfer *prev = NULL;
    for (struct shim_transfer *q = ctx->done_head; q; prev = q, q = q->next_done) {
        if (q != t)
            continue;
        if (prev)
            prev->next_done = q->next_done;
        else
            ctx->done_head = q->next_done;
        if (ctx->done_tail == q)
            ctx->done_tail = prev;
        break;
    }
    t->next_done = NULL;
    if (!ctx->done_head)
        drain_event_pipe(ctx);
}

void shim_io_forget_handle(libusb_context *ctx, libusb_device_handle *h)
{
    pthread_mutex_lock(&ctx->lock);
    struct shim_transfer *t = ctx->done_head;
    while (t) {
        struct shim_transfer *following = t->next_done;
        if (SHIM_XFER_PUB(t)->dev_handle == h) {
            unqueue(ctx, t);
            t->state = SHIM_XFER_IDLE;
        }
        t = following;
    }
    pthread_mutex_unlock(&ctx->lock);
}

/* ---- asynchronous API --------------------------------------------------- */

SHIM_API struct libusb_transfer *libusb_alloc_transfer(int iso_packets)
{
    if (iso_packets < 0)
        return NULL;
    size_t size = SHIM_XFER_PUB_OFFSET + sizeof(struct libusb_transfer)
                + (size_t)iso_packets * sizeof(struct libusb_iso_packet_descriptor);
    struct shim_transfer *t = calloc(1, size);
    if (!t)
        return NULL;
    t->num_iso_alloc = iso_packets;
    struct libusb_transfer *pub = SHIM_XFER_PUB(t);
    pub->num_iso_packets = iso_packets;
    return pub;
}

SHIM_API void libusb_free_transfer(struct libusb_transfer *transfer)
{
    if (!transfer)
        return;
    struct shim_transfer *t = SHIM_XFER_PRIV(transfer);
    if (t->state == SHIM_XFER_INFLIGHT || t->state == SHIM_XFER_CANCELLING) {
        /* libusb: undefined.  The reader still owns it; leak, do not crash. */
        shim_log("libusb_free_transfer: transfer %p still in flight, not freed", (void *)transfer);
        return;
    }
    if (t->state == SHIM_XFER_DONE && transfer->dev_handle) {
        libusb_context *ctx = transfer->dev_handle->dev->ctx;
        pthread_mutex_lock(&ctx->lock);
        unqueue(ctx, t);
        pthread_mutex_unlock(&ctx->lock);
    }
    if ((transfer->flags & LIBUSB_TRANSFER_FREE_BUFFER) && transfer->buffer)
        free(transfer->buffer);
    free(t);
}

SHIM_API int libusb_submit_transfer(struct libusb_transfer *transfer)
{
    struct shim_transfer *t = SHIM_XFER_PRIV(transfer);
    libusb_device_handle *h = transfer->dev_handle;
    if (!h)
        return LIBUSB_ERROR_INVALID_PARAM;
    if (t->state != SHIM_XFER_IDLE)
        return LIBUSB_ERROR_BUSY;
    switch (transfer->type) {
    case LIBUSB_TRANSFER_TYPE_CONTROL:
        if (transfer->length < (int)LIBUSB_CONTROL_SETUP_SIZE || !transfer->buffer)
            return LIBUSB_ERROR_INVALID_PARAM;
        if (transfer->length - (int)LIBUSB_CONTROL_SETUP_SIZE
            < ld_le16(transfer->buffer + 6))      /* wLength */
            return LIBUSB_ERROR_INVALID_PARAM;
        break;
    case LIBUSB_TRANSFER_TYPE_BULK:
    case LIBUSB_TRANSFER_TYPE_INTERRUPT:
        if (transfer->length < 0 || (transfer->length && !transfer->buffer))
            return LIBUSB_ERROR_INVALID_PARAM;
        break;
    default:
        /* Isochronous and bulk-stream transfers: not over this shim. */
        SHIM_TRACE("libusb_submit_transfer: type %u not supported", transfer->type);
        return LIBUSB_ERROR_NOT_SUPPORTED;
    }
    struct shim_conn *conn = shim_handle_conn(h);
    if (!conn)
        return LIBUSB_ERROR_NO_DEVICE;
    t->sync = false;
    t->sync_done = false;
    transfer->actual_length = 0;
    int r = shim_conn_submit(conn, t);
    shim_conn_put(conn);
    return r;
}

SHIM_API int libusb_cancel_transfer(struct libusb_transfer *transfer)
{
    struct shim_transfer *t = SHIM_XFER_PRIV(transfer);
    if (t->state != SHIM_XFER_INFLIGHT || !t->conn)
        return LIBUSB_ERROR_NOT_FOUND;
    int r = shim_conn_cancel(t->conn, t, LIBUSB_TRANSFER_CANCELLED);
    SHIM_TRACE("libusb_cancel_transfer(%p) = %d", (void *)transfer, r);
    return r;
}

SHIM_API void libusb_transfer_set_stream_id(struct libusb_transfer *transfer, uint32_t stream_id)
{
    SHIM_XFER_PRIV(transfer)->stream_id = stream_id;
}

SHIM_API uint32_t libusb_transfer_get_stream_id(struct libusb_transfer *transfer)
{
    return SHIM_XFER_PRIV(transfer)->stream_id;
}

/* ---- event handling ----------------------------------------------------- */

static uint64_t tv_to_ns(const struct timeval *tv)
{
    if (!tv)
        return (uint64_t)SHIM_DEFAULT_EVENT_WAIT_MS * 1000000u;
    if (tv->tv_sec < 0 || tv->tv_usec < 0)
        return 0;
    return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

/* Runs the callbacks of every queued transfer; ctx->lock held on entry
 * and exit, dropped around each callback. */
static void run_completions(libusb_context *ctx)
{
    while (ctx->done_head) {
        struct shim_transfer *t = ctx->done_head;
        unqueue(ctx, t);
        t->state = SHIM_XFER_IDLE;
        struct libusb_transfer *pub = SHIM_XFER_PUB(t);
        /* As libusb: the flags are read before the callback may change
         * or free the transfer. */
        uint8_t flags = pub->flags;
        pthread_mutex_unlock(&ctx->lock);
        if (pub->callback)
            pub->callback(pub);
        if (flags & LIBUSB_TRANSFER_FREE_TRANSFER)
            libusb_free_transfer(pub);
        pthread_mutex_lock(&ctx->lock);
    }
}

static int handle_events(libusb_context *ctx, uint64_t wait_ns, int *completed)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return LIBUSB_ERROR_INVALID_PARAM;
    uint64_t start = monotonic_ns();
    uint64_t deadline = start + wait_ns;
    pthread_mutex_lock(&ctx->lock);
    for (;;) {
        if (completed && *completed)
            break;
        if (ctx->interrupted) {
            ctx->interrupted = false;
            break;
        }
        if (ctx->done_head || ctx->hotplug_head) {
            run_completions(ctx);
            if (ctx->hotplug_head) {
                pthread_mutex_unlock(&ctx->lock);
                shim_hotplug_deliver(ctx);
                pthread_mutex_lock(&ctx->lock);
            }
            ctx->event_generation++;
            pthread_cond_broadcast(&ctx->cond);
            break;
        }
        uint64_t now = monotonic_ns();
        uint64_t wake = deadline;
        if (shim_hotplug_wanted(ctx)) {
            uint64_t rescan_at = ctx->last_scan_ns + SHIM_HOTPLUG_RESCAN_NS;
            if (now >= rescan_at) {
                pthread_mutex_unlock(&ctx->lock);
                shim_ctx_rescan(ctx);
                pthread_mutex_lock(&ctx->lock);
                continue;
            }
            if (rescan_at < wake)
                wake = rescan_at;
        }
        if (now >= deadline)
            break;
        struct timespec ts;
        shim_deadline_to_timespec(wake, &ts);
        pthread_cond_timedwait(&ctx->cond, &ctx->lock, &ts);
    }
    pthread_mutex_unlock(&ctx->lock);
    return 0;
}

SHIM_API int libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv,
                                                    int *completed)
{
    return handle_events(ctx, tv_to_ns(tv), completed);
}

SHIM_API int libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)
{
    return handle_events(ctx, tv_to_ns(tv), NULL);
}

SHIM_API int libusb_handle_events(libusb_context *ctx)
{
    return handle_events(ctx, tv_to_ns(NULL), NULL);
}

SHIM_API int libusb_handle_events_completed(libusb_context *ctx, int *completed)
{
    return handle_events(ctx, tv_to_ns(NULL), completed);
}

SHIM_API int libusb_handle_events_locked(libusb_context *ctx, struct timeval *tv)
{
    return handle_events(ctx, tv_to_ns(tv), NULL);
}

SHIM_API void libusb_interrupt_event_handler(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return;
    pthread_mutex_lock(&ctx->lock);
    ctx->interrupted = true;
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}

/* The event lock of libusb's "multi-threaded applications" API.  Our event
 * handling needs none, but applications that follow that recipe get a real
 * lock and a real wait. */
SHIM_API int libusb_try_lock_events(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    return ctx && pthread_mutex_trylock(&ctx->events_lock) == 0 ? 0 : 1;
}

SHIM_API void libusb_lock_events(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (ctx)
        pthread_mutex_lock(&ctx->events_lock);
}

SHIM_API void libusb_unlock_events(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return;
    pthread_mutex_unlock(&ctx->events_lock);
    pthread_mutex_lock(&ctx->waiters_lock);
    pthread_cond_broadcast(&ctx->waiters_cond);
    pthread_mutex_unlock(&ctx->waiters_lock);
}

SHIM_API int libusb_event_handling_ok(libusb_context *ctx)
{
    return 1;
}

SHIM_API int libusb_event_handler_active(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return 0;
    if (pthread_mutex_trylock(&ctx->events_lock) == 0) {
        pthread_mutex_unlock(&ctx->events_lock);
        return 0;
    }
    return 1;
}

SHIM_API void libusb_lock_event_waiters(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (ctx)
        pthread_mutex_lock(&ctx->waiters_lock);
}

SHIM_API void libusb_unlock_event_waiters(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (ctx)
        pthread_mutex_unlock(&ctx->waiters_lock);
}

SHIM_API int libusb_wait_for_event(libusb_context *ctx, struct timeval *tv)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return 1;
    if (!tv) {
        pthread_cond_wait(&ctx->waiters_cond, &ctx->waiters_lock);
        return 0;
    }
    struct timespec ts;
    shim_deadline_to_timespec(monotonic_ns() + tv_to_ns(tv), &ts);
    return pthread_cond_timedwait(&ctx->waiters_cond, &ctx->waiters_lock, &ts) == 0 ? 0 : 1;
}

SHIM_API int libusb_get_next_timeout(libusb_context *ctx, struct timeval *tv)
{
    return 0;
}

SHIM_API int libusb_pollfds_handle_timeouts(libusb_context *ctx)
{
    return 1;
}

SHIM_API const struct libusb_pollfd **libusb_get_pollfds(libusb_context *ctx)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return NULL;
    /* One block: the NULL-terminated pointer array, then the pollfd. */
    const struct libusb_pollfd **list = malloc(2 * sizeof *list + sizeof(struct libusb_pollfd));
    if (!list)
        return NULL;
    struct libusb_pollfd *pfd = (struct libusb_pollfd *)(list + 2);
    pfd->fd = ctx->event_pipe[0];
    pfd->events = POLLIN;
    list[0] = pfd;
    list[1] = NULL;
    return list;
}

SHIM_API void libusb_free_pollfds(const struct libusb_pollfd **pollfds)
{
    free((void *)pollfds);
}

SHIM_API void libusb_set_pollfd_notifiers(libusb_context *ctx, libusb_pollfd_added_cb added_cb,
                                          libusb_pollfd_removed_cb removed_cb, void *user_data)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return;
    /* Our only fd lives as long as the context, so these never fire. */
    pthread_mutex_lock(&ctx->lock);
    ctx->pollfd_added = added_cb;
    ctx->pollfd_removed = removed_cb;
    ctx->pollfd_user_data = user_data;
    pthread_mutex_unlock(&ctx->lock);
}

/* ---- synchronous transfers ---------------------------------------------- */

SHIM_API int libusb_control_transfer(libusb_device_handle *dev_handle, uint8_t bmRequestType,
                                     uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
                                     unsigned char *data, uint16_t wLength, unsigned int timeout)
{
    if (!dev_handle)
        return LIBUSB_ERROR_INVALID_PARAM;
    struct shim_conn *conn = shim_handle_conn(dev_handle);
    if (!conn) {
        SHIM_TRACE("control %02x %02x %04x %04x %u: no device", bmRequestType, bRequest, wValue,
                   wIndex, wLength);
        return LIBUSB_ERROR_NO_DEVICE;
    }
    int r = shim_conn_control(conn, bmRequestType, bRequest, wValue, wIndex, data, wLength,
                              timeout);
    shim_conn_put(conn);
    SHIM_TRACE("control %02x %02x %04x %04x %u timeout %u = %d", bmRequestType, bRequest, wValue,
               wIndex, wLength, timeout, r);
    return r;
}

static int sync_data_transfer(libusb_device_handle *h, uint8_t type, unsigned char endpoint,
                              unsigned char *data, int length, int *transferred,
                              unsigned int timeout)
{
    if (!h || length < 0 || (length && !data))
        return LIBUSB_ERROR_INVALID_PARAM;
    struct shim_conn *conn = shim_handle_conn(h);
    if (!conn) {
        if (transferred)
            *transferred = 0;
        return LIBUSB_ERROR_NO_DEVICE;
    }
    int actual = 0;
    enum libusb_transfer_status st = shim_conn_sync(conn, type, endpoint, NULL, data, length,
                                                    timeout, &actual);
    shim_conn_put(conn);
    if (transferred)
        *transferred = actual;
    int r = shim_status_to_error(st);
    SHIM_TRACE("%s ep %02x len %d timeout %u = %d (%d bytes)",
               type == LIBUSB_TRANSFER_TYPE_BULK ? "bulk" : "interrupt", endpoint, length,
               timeout, r, actual);
    return r;
}

SHIM_API int libusb_bulk_transfer(libusb_device_handle *dev_handle, unsigned char endpoint,
                                  unsigned char *data, int length, int *actual_length,
                                  unsigned int timeout)
{
    return sync_data_transfer(dev_handle, LIBUSB_TRANSFER_TYPE_BULK, endpoint, data, length,
                              actual_length, timeout);
}

SHIM_API int libusb_interrupt_transfer(libusb_device_handle *dev_handle, unsigned char endpoint,
                                       unsigned char *data, int length, int *actual_length,
                                       unsigned int timeout)
{
    return sync_data_transfer(dev_handle, LIBUSB_TRANSFER_TYPE_INTERRUPT, endpoint, data, length,
                              actual_length, timeout);
}
