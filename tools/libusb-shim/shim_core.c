/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Contexts (the default one and explicit ones), options, version, error
 * names, and the device list that every libusb_get_device_list() refreshes
 * from the servers named in VSTM32_USBIP.
 */
#include "tools/libusb-shim/shim.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static libusb_context *default_ctx;
static int default_log_level;           /* set_option(NULL, ...) before init */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static libusb_log_cb global_log_cb;

libusb_context *shim_ctx(libusb_context *ctx)
{
    if (ctx)
        return ctx;
    pthread_mutex_lock(&default_lock);
    ctx = default_ctx;
    pthread_mutex_unlock(&default_lock);
    return ctx;
}

static libusb_context *ctx_new(void)
{
    libusb_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (pipe2(ctx->event_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(ctx);
        return NULL;
    }
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_mutex_init(&ctx->scan_lock, NULL);
    pthread_mutex_init(&ctx->events_lock, NULL);
    pthread_mutex_init(&ctx->waiters_lock, NULL);
    shim_cond_init_monotonic(&ctx->cond);
    shim_cond_init_monotonic(&ctx->waiters_cond);
    ctx->log_level = default_log_level;
    ctx->next_hotplug_handle = 1;
    ctx->num_servers = shim_servers_parse(getenv("VSTM32_USBIP"), &ctx->servers);
    SHIM_TRACE("libusb_init: context %p, %d server(s)", (void *)ctx, ctx->num_servers);
    return ctx;
}

static void ctx_free(libusb_context *ctx)
{
    /* libusb warns about handles left open; we close them so that no
     * reader thread outlives its context. */
    for (;;) {
        pthread_mutex_lock(&ctx->lock);
        libusb_device_handle *h = ctx->handles;
        pthread_mutex_unlock(&ctx->lock);
        if (!h)
            break;
        SHIM_TRACE("libusb_exit: closing a handle left open");
        libusb_close(h);
    }
    for (size_t i = 0; i < ctx->num_devs; i++)
        libusb_unref_device(ctx->devs[i]);
    free(ctx->devs);
    shim_hotplug_free_all(ctx);
    close(ctx->event_pipe[0]);
    close(ctx->event_pipe[1]);
    free(ctx->servers);
    pthread_mutex_destroy(&ctx->lock);
    pthread_mutex_destroy(&ctx->scan_lock);
    pthread_mutex_destroy(&ctx->events_lock);
    pthread_mutex_destroy(&ctx->waiters_lock);
    pthread_cond_destroy(&ctx->cond);
    pthread_cond_destroy(&ctx->waiters_cond);
    free(ctx);
}

SHIM_API int libusb_init(libusb_context **context)
{
    pthread_once(&log_once, shim_log_init);
    if (context) {
        libusb_context *ctx = ctx_new();
        if (!ctx)
            return LIBUSB_ERROR_NO_MEM;
        *context = ctx;
        return LIBUSB_SUCCESS;
    }
    pthread_mutex_lock(&default_lock);
    if (!default_ctx) {
        default_ctx = ctx_new();
        if (!default_ctx) {
            pthread_mutex_unlock(&default_lock);
            return LIBUSB_ERROR_NO_MEM;
        }
    }
    default_ctx->refcount++;
    pthread_mutex_unlock(&default_lock);
    return LIBUSB_SUCCESS;
}

SHIM_API void libusb_exit(libusb_context *ctx)
{
    SHIM_TRACE("libusb_exit(%p)", (void *)ctx);
    if (ctx) {
        ctx_free(ctx);
        return;
    }
    pthread_mutex_lock(&default_lock);
    libusb_context *victim = NULL;
    if (default_ctx && --default_ctx->refcount == 0) {
        victim = default_ctx;
        default_ctx = NULL;
    }
    pthread_mutex_unlock(&default_lock);
    if (victim)
        ctx_free(victim);
}

SHIM_API void libusb_set_debug(libusb_context *ctx, int level)
{
    ctx = shim_ctx(ctx);
    if (ctx)
        ctx->log_level = level;
}

SHIM_API void libusb_set_log_cb(libusb_context *ctx, libusb_log_cb cb, int mode)
{
    /* Accepted and kept; the shim's own lines go to stderr regardless. */
    global_log_cb = cb;
}

SHIM_API int libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)
{
    int r = LIBUSB_SUCCESS;
    va_list ap;
    va_start(ap, option);
    switch (option) {
    case LIBUSB_OPTION_LOG_LEVEL: {
        int level = va_arg(ap, int);
        if (level < LIBUSB_LOG_LEVEL_NONE || level > LIBUSB_LOG_LEVEL_DEBUG) {
            r = LIBUSB_ERROR_INVALID_PARAM;
            break;
        }
        libusb_context *c = shim_ctx(ctx);
        if (c)
            c->log_level = level;
        if (!ctx)
            default_log_level = level;
        break;
    }
    case LIBUSB_OPTION_USE_USBDK:
        r = LIBUSB_ERROR_NOT_SUPPORTED;     /* as libusb on Linux */
        break;
    case LIBUSB_OPTION_NO_DEVICE_DISCOVERY:
        break;
    default:
        r = LIBUSB_ERROR_INVALID_PARAM;
        break;
    }
    va_end(ap);
    SHIM_TRACE("libusb_set_option(%p, %d) = %d", (void *)ctx, (int)option, r);
    return r;
}

SHIM_API const struct libusb_version *libusb_get_version(void)
{
    static const struct libusb_version version = {
        .major = 1, .minor = 0, .micro = 26, .nano = 11724,
        .rc = "", .describe = "https://libusb.info",
    };
    return &version;
}

SHIM_API int libusb_has_capability(uint32_t capability)
{
    switch (capability) {
    case LIBUSB_CAP_HAS_CAPABILITY:
    case LIBUSB_CAP_HAS_HOTPLUG:
    case LIBUSB_CAP_SUPPORTS_DETACH_KERNEL_DRIVER:
        return 1;
    default:
        return 0;
    }
}

SHIM_API const char *libusb_error_name(int errcode)
{
    switch (errcode) {
    case LIBUSB_ERROR_IO:            return "LIBUSB_ERROR_IO";
    case LIBUSB_ERROR_INVALID_PARAM: return "LIBUSB_ERROR_INVALID_PARAM";
    case LIBUSB_ERROR_ACCESS:        return "LIBUSB_ERROR_ACCESS";
    case LIBUSB_ERROR_NO_DEVICE:     return "LIBUSB_ERROR_NO_DEVICE";
    case LIBUSB_ERROR_NOT_FOUND:     return "LIBUSB_ERROR_NOT_FOUND";
    case LIBUSB_ERROR_BUSY:          return "LIBUSB_ERROR_BUSY";
    case LIBUSB_ERROR_TIMEOUT:       return "LIBUSB_ERROR_TIMEOUT";
    case LIBUSB_ERROR_OVERFLOW:      return "LIBUSB_ERROR_OVERFLOW";
    case LIBUSB_ERROR_PIPE:          return "LIBUSB_ERROR_PIPE";
    case LIBUSB_ERROR_INTERRUPTED:   return "LIBUSB_ERROR_INTERRUPTED";
    case LIBUSB_ERROR_NO_MEM:        return "LIBUSB_ERROR_NO_MEM";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "LIBUSB_ERROR_NOT_SUPPORTED";
    case LIBUSB_ERROR_OTHER:         return "LIBUSB_ERROR_OTHER";
    case LIBUSB_TRANSFER_ERROR:      return "LIBUSB_TRANSFER_ERROR";
    case LIBUSB_TRANSFER_TIMED_OUT:  return "LIBUSB_TRANSFER_TIMED_OUT";
    case LIBUSB_TRANSFER_CANCELLED:  return "LIBUSB_TRANSFER_CANCELLED";
    case LIBUSB_TRANSFER_STALL:      return "LIBUSB_TRANSFER_STALL";
    case LIBUSB_TRANSFER_NO_DEVICE:  return "LIBUSB_TRANSFER_NO_DEVICE";
    case LIBUSB_TRANSFER_OVERFLOW:   return "LIBUSB_TRANSFER_OVERFLOW";
    case 0:                          return "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED";
    default:                         return "**UNKNOWN**";
    }
}

SHIM_API const char *libusb_strerror(int errcode)
{
    switch (errcode) {
    case LIBUSB_SUCCESS:             return "Success";
    case LIBUSB_ERROR_IO:            return "Input/Output Error";
    case LIBUSB_ERROR_INVALID_PARAM: return "Invalid parameter";
    case LIBUSB_ERROR_ACCESS:        return "Access denied (insufficient permissions)";
    case LIBUSB_ERROR_NO_DEVICE:     return "No such device (it may have been disconnected)";
    case LIBUSB_ERROR_NOT_FOUND:     return "Entity not found";
    case LIBUSB_ERROR_BUSY:          return "Resource busy";
    case LIBUSB_ERROR_TIMEOUT:       return "Operation timed out";
    case LIBUSB_ERROR_OVERFLOW:      return "Overflow";
    case LIBUSB_ERROR_PIPE:          return "Pipe error";
    case LIBUSB_ERROR_INTERRUPTED:   return "System call interrupted (perhaps due to signal)";
    case LIBUSB_ERROR_NO_MEM:        return "Insufficient memory";
    case LIBUSB_ERROR_NOT_SUPPORTED: return "Operation not supported or unimplemented on this platform";
    case LIBUSB_ERROR_OTHER:         return "Other error";
    default:                         return "Unknown error";
    }
}

SHIM_API int libusb_setlocale(const char *locale)
{
    /* libusb 1.0.26 knows these; the shim's messages stay English. */
    static const char *const known[] = { "en", "nl", "fr", "ru", "de", "hu" };
    if (!locale || strlen(locale) < 2
        || (locale[2] != '\0' && locale[2] != '-' && locale[2] != '_' && locale[2] != '.'))
        return LIBUSB_ERROR_INVALID_PARAM;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncasecmp(known[i], locale, 2) == 0)
            return LIBUSB_SUCCESS;
    return LIBUSB_ERROR_NOT_FOUND;
}

/* ---- device list -------------------------------------------------------- */

void shim_ctx_signal(libusb_context *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    ctx->event_generation++;
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}

static bool list_has(libusb_device *const *list, size_t n, const libusb_device *dev)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == dev)
            return true;
    return false;
}

/* Debian's libusb 1.0.26 lists the newest enumerated device first
 * (libusb/core.c usbi_connect_device: list_add at the list's head; its
 * first scan enumerates in udev's sysfs-path order), and tools depend on
 * it: st-flash 1.7.0 walks the list backwards (scenario 21).  fresh is in
 * the servers' order; the devices new since old go first, the last one
 * first, then the known ones in old's order.  ctx->lock held. */
static void order_newest_first(libusb_device **fresh, size_t n, libusb_device *const *old,
                               size_t old_n)
{
    libusb_device **ordered = malloc((n ? n : 1) * sizeof *ordered);
    if (!ordered)
        return;
    size_t k = 0;
    for (size_t i = n; i-- > 0;)
        if (!list_has(old, old_n, fresh[i]))
            ordered[k++] = fresh[i];
    for (size_t i = 0; i < old_n && k < n; i++)
        if (list_has(fresh, n, old[i]))
            ordered[k++] = old[i];
    if (k == n)
        memcpy(fresh, ordered, n * sizeof *fresh);
    free(ordered);
}

/* ctx->lock held. */
static void queue_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event)
{
    struct shim_hotplug_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return;
    ev->dev = libusb_ref_device(dev);
    ev->event = event;
    if (ctx->hotplug_tail)
        ctx->hotplug_tail->next = ev;
    else
        ctx->hotplug_head = ev;
    ctx->hotplug_tail = ev;
}

void shim_ctx_rescan(libusb_context *ctx)
{
    pthread_mutex_lock(&ctx->scan_lock);
    size_t cap = 8, n = 0;
    libusb_device **fresh = calloc(cap, sizeof *fresh);
    for (int s = 0; s < ctx->num_servers && fresh; s++) {
        struct usbip_client_device *infos = NULL;
        int count = shim_usbip_devlist(&ctx->servers[s], &infos);
        for (int i = 0; i < count; i++) {
            libusb_device *dev = NULL;
            pthread_mutex_lock(&ctx->lock);
            for (size_t k = 0; k < ctx->num_devs && !dev; k++)
                if (shim_device_matches(ctx->devs[k], s, &infos[i].udev))
                    dev = libusb_ref_device(ctx->devs[k]);
            pthread_mutex_unlock(&ctx->lock);
            if (!dev) {
                dev = shim_device_new(ctx, s, &infos[i].udev);
                if (!dev)
                    continue;
                shim_device_read_descriptors(dev);
            }
            if (n == cap) {
                libusb_device **bigger = realloc(fresh, 2 * cap * sizeof *fresh);
                if (!bigger) {
                    libusb_unref_device(dev);
                    continue;
                }
                fresh = bigger;
                cap *= 2;
            }
            fresh[n++] = dev;
        }
        free(infos);
    }
    if (!fresh) {
        pthread_mutex_unlock(&ctx->scan_lock);
        return;
    }

    pthread_mutex_lock(&ctx->lock);
    libusb_device **old = ctx->devs;
    size_t old_n = ctx->num_devs;
    bool events = false;
    if (ctx->hotplug_cbs) {
        for (size_t i = 0; i < old_n; i++)
            if (!list_has(fresh, n, old[i])) {
                queue_hotplug(ctx, old[i], LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT);
                events = true;
            }
        for (size_t i = 0; i < n; i++)
            if (!list_has(old, old_n, fresh[i])) {
                queue_hotplug(ctx, fresh[i], LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED);
                events = true;
            }
    }
    order_newest_first(fresh, n, old, old_n);
    ctx->devs = fresh;
    ctx->num_devs = n;
    ctx->scanned = true;
    ctx->last_scan_ns = monotonic_ns();
    if (events) {
        ctx->event_generation++;
        pthread_cond_broadcast(&ctx->cond);
    }
    pthread_mutex_unlock(&ctx->lock);
    for (size_t i = 0; i < old_n; i++)
        libusb_unref_device(old[i]);
    free(old);
    pthread_mutex_unlock(&ctx->scan_lock);
}

SHIM_API ssize_t libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
    ctx = shim_ctx(ctx);
    if (!ctx || !list)
        return LIBUSB_ERROR_INVALID_PARAM;
    shim_ctx_rescan(ctx);
    pthread_mutex_lock(&ctx->lock);
    libusb_device **out = calloc(ctx->num_devs + 1, sizeof *out);
    if (!out) {
        pthread_mutex_unlock(&ctx->lock);
        return LIBUSB_ERROR_NO_MEM;
    }
    size_t n = ctx->num_devs;
    for (size_t i = 0; i < n; i++)
        out[i] = libusb_ref_device(ctx->devs[i]);
    pthread_mutex_unlock(&ctx->lock);
    *list = out;
    SHIM_TRACE("libusb_get_device_list(%p) = %zu", (void *)ctx, n);
    return (ssize_t)n;
}

SHIM_API void libusb_free_device_list(libusb_device **list, int unref_devices)
{
    if (!list)
        return;
    if (unref_devices)
        for (libusb_device **p = list; *p; p++)
            libusb_unref_device(*p);
    free(list);
}

void shim_ctx_add_handle(libusb_context *ctx, libusb_device_handle *h)
{
    pthread_mutex_lock(&ctx->lock);
    h->next = ctx->handles;
    ctx->handles = h;
    pthread_mutex_unlock(&ctx->lock);
}

void shim_ctx_remove_handle(libusb_context *ctx, libusb_device_handle *h)
{
    pthread_mutex_lock(&ctx->lock);
    for (libusb_device_handle **pp = &ctx->handles; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
}
