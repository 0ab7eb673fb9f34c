/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hotplug: callbacks run from event handling when a rescan of the servers'
 * device lists (every libusb_get_device_list(), and periodically from
 * libusb_handle_events*() while callbacks are registered) finds boards
 * that came or went.
 */
#include "tools/libusb-shim/shim.h"

#include <stdlib.h>

static bool cb_matches(const struct shim_hotplug_cb *cb, libusb_device *dev,
                       libusb_hotplug_event event)
{
    if (cb->deregistered || !(cb->events & (int)event))
        return false;
    struct libusb_device_descriptor d;
    libusb_get_device_descriptor(dev, &d);
    return (cb->vendor_id == LIBUSB_HOTPLUG_MATCH_ANY || cb->vendor_id == d.idVendor)
        && (cb->product_id == LIBUSB_HOTPLUG_MATCH_ANY || cb->product_id == d.idProduct)
        && (cb->dev_class == LIBUSB_HOTPLUG_MATCH_ANY || cb->dev_class == d.bDeviceClass);
}

/* Runs cb for dev; a callback returning 1 is deregistered, as in libusb. */
static void run_cb(libusb_context *ctx, struct shim_hotplug_cb *cb, libusb_device *dev,
                   libusb_hotplug_event event)
{
    SHIM_TRACE("hotplug: %s %s", event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? "arrived" : "left",
               dev->info.busid);
    if (cb->fn(ctx, dev, event, cb->user_data)) {
        pthread_mutex_lock(&ctx->lock);
        cb->deregistered = true;
        pthread_mutex_unlock(&ctx->lock);
    }
}

/* ctx->lock held: unlink and free deregistered callbacks. */
static void reap(libusb_context *ctx)
{
    struct shim_hotplug_cb **pp = &ctx->hotplug_cbs;
    while (*pp) {
        struct shim_hotplug_cb *cb = *pp;
        if (cb->deregistered) {
            *pp = cb->next;
            free(cb);
        } else {
            pp = &cb->next;
        }
    }
}

/* Callbacks run without ctx->lock; a callback may (de)register others, so
 * the walk is by handle number, one event at a time, and nothing is freed
 * until the walk ends. */
void shim_hotplug_deliver(libusb_context *ctx)
{
    static pthread_mutex_t deliver_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&deliver_lock);
    for (;;) {
        pthread_mutex_lock(&ctx->lock);
        struct shim_hotplug_event *ev = ctx->hotplug_head;
        if (ev) {
            ctx->hotplug_head = ev->next;
            if (!ctx->hotplug_head)
                ctx->hotplug_tail = NULL;
        }
        pthread_mutex_unlock(&ctx->lock);
        if (!ev)
            break;
        int last = 0;
        for (;;) {
            pthread_mutex_lock(&ctx->lock);
            struct shim_hotplug_cb *next = NULL;
            for (struct shim_hotplug_cb *cb = ctx->hotplug_cbs; cb; cb = cb->next)
                if (cb->handle > last && (!next || cb->handle < next->handle)
                    && cb_matches(cb, ev->dev, ev->event))
                    next = cb;
            pthread_mutex_unlock(&ctx->lock);
            if (!next)
                break;
            last = next->handle;
            run_cb(ctx, next, ev->dev, ev->event);
        }
        libusb_unref_device(ev->dev);
        free(ev);
    }
    pthread_mutex_lock(&ctx->lock);
    reap(ctx);
    pthread_mutex_unlock(&ctx->lock);
    pthread_mutex_unlock(&deliver_lock);
}

bool shim_hotplug_wanted(libusb_context *ctx)
{
    for (struct shim_hotplug_cb *cb = ctx->hotplug_cbs; cb; cb = cb->next)
        if (!cb->deregistered)
            return true;
    return false;
}

void shim_hotplug_free_all(libusb_context *ctx)
{
    while (ctx->hotplug_cbs) {
        struct shim_hotplug_cb *cb = ctx->hotplug_cbs;
        ctx->hotplug_cbs = cb->next;
        free(cb);
    }
    while (ctx->hotplug_head) {
        struct shim_hotplug_event *ev = ctx->hotplug_head;
        ctx->hotplug_head = ev->next;
        libusb_unref_device(ev->dev);
        free(ev);
    }
    ctx->hotplug_tail = NULL;
}

SHIM_API int libusb_hotplug_register_callback(libusb_context *ctx, int events, int flags,
                                              int vendor_id, int product_id, int dev_class,
                                              libusb_hotplug_callback_fn cb_fn, void *user_data,
                                              libusb_hotplug_callback_handle *callback_handle)
{
    ctx = shim_ctx(ctx);
    if (!ctx || !cb_fn || !events
        || (events & ~(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT))
        || (flags & ~LIBUSB_HOTPLUG_ENUMERATE)
        || (vendor_id != LIBUSB_HOTPLUG_MATCH_ANY && (vendor_id & ~0xffff))
        || (product_id != LIBUSB_HOTPLUG_MATCH_ANY && (product_id & ~0xffff))
        || (dev_class != LIBUSB_HOTPLUG_MATCH_ANY && (dev_class & ~0xff)))
        return LIBUSB_ERROR_INVALID_PARAM;
    struct shim_hotplug_cb *cb = calloc(1, sizeof *cb);
    if (!cb)
        return LIBUSB_ERROR_NO_MEM;
    cb->events = events;
    cb->vendor_id = vendor_id;
    cb->product_id = product_id;
    cb->dev_class = dev_class;
    cb->fn = cb_fn;
    cb->user_data = user_data;

    /* The baseline against which arrivals and departures are judged. */
    pthread_mutex_lock(&ctx->lock);
    bool scanned = ctx->scanned;
    pthread_mutex_unlock(&ctx->lock);
    if (!scanned)
        shim_ctx_rescan(ctx);

    pthread_mutex_lock(&ctx->lock);
    cb->handle = ctx->next_hotplug_handle++;
    cb->next = ctx->hotplug_cbs;
    ctx->hotplug_cbs = cb;
    libusb_device **snapshot = NULL;
    size_t n = 0;
    if ((flags & LIBUSB_HOTPLUG_ENUMERATE) && (events & LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)) {
        snapshot = calloc(ctx->num_devs + 1, sizeof *snapshot);
        for (size_t i = 0; snapshot && i < ctx->num_devs; i++)
            snapshot[n++] = libusb_ref_device(ctx->devs[i]);
    }
    pthread_mutex_unlock(&ctx->lock);
    if (callback_handle)
        *callback_handle = cb->handle;

    /* libusb runs the enumeration callbacks before returning. */
    for (size_t i = 0; i < n; i++) {
        if (cb_matches(cb, snapshot[i], LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED))
            run_cb(ctx, cb, snapshot[i], LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED);
        libusb_unref_device(snapshot[i]);
    }
    free(snapshot);
    SHIM_TRACE("libusb_hotplug_register_callback = handle %d", cb->handle);
    return LIBUSB_SUCCESS;
}

SHIM_API void libusb_hotplug_deregister_callback(libusb_context *ctx,
                                                 libusb_hotplug_callback_handle callback_handle)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return;
    pthread_mutex_lock(&ctx->lock);
    for (struct shim_hotplug_cb *cb = ctx->hotplug_cbs; cb; cb = cb->next)
        if (cb->handle == callback_handle)
            cb->deregistered = true;
    /* Freed at the next delivery, which may be running callbacks now. */
    ctx->event_generation++;
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}

SHIM_API void *libusb_hotplug_get_user_data(libusb_context *ctx,
                                            libusb_hotplug_callback_handle callback_handle)
{
    ctx = shim_ctx(ctx);
    if (!ctx)
        return NULL;
    void *user_data = NULL;
    pthread_mutex_lock(&ctx->lock);
    for (struct shim_hotplug_cb *cb = ctx->hotplug_cbs; cb; cb = cb->next)
        if (cb->handle == callback_handle && !cb->deregistered)
            user_data = cb->user_data;
    pthread_mutex_unlock(&ctx->lock);
    return user_data;
}
