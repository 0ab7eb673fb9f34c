/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device handles: libusb_open() imports the device on a connection of its
 * own; configuration, interfaces, halts, reset, and the kernel-driver calls
 * answered as on a Linux host where no driver is bound to the device.
 */
#include "tools/libusb-shim/shim.h"

#include <stdlib.h>
#include <string.h>

struct shim_conn *shim_handle_conn(libusb_device_handle *h)
{
    pthread_mutex_lock(&h->lock);
    struct shim_conn *conn = h->gone ? NULL : h->conn;
    if (conn)
        shim_conn_get(conn);
    pthread_mutex_unlock(&h->lock);
    return conn;
}

static bool config_has_interface(libusb_device *dev, int number, int alt)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) < 0)
        return false;
    bool found = false;
    for (int i = 0; i < cfg->bNumInterfaces && !found; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        for (int a = 0; a < itf->num_altsetting; a++)
            if (itf->altsetting[a].bInterfaceNumber == number
                && (alt < 0 || itf->altsetting[a].bAlternateSetting == alt))
                found = true;
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

static int num_altsettings(libusb_device *dev, int number)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) < 0)
        return 0;
    int n = 0;
    for (int i = 0; i < cfg->bNumInterfaces; i++)
        for (int a = 0; a < cfg->interface[i].num_altsetting; a++)
            n += cfg->interface[i].altsetting[a].bInterfaceNumber == number;
    libusb_free_config_descriptor(cfg);
    return n;
}

static bool config_has_endpoint(libusb_device *dev, unsigned char endpoint)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) < 0)
        return false;
    bool found = false;
    for (int i = 0; i < cfg->bNumInterfaces && !found; i++)
        for (int a = 0; a < cfg->interface[i].num_altsetting; a++) {
            const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[a];
            for (int e = 0; e < alt->bNumEndpoints; e++)
                found |= alt->endpoint[e].bEndpointAddress == endpoint;
        }
    libusb_free_config_descriptor(cfg);
    return found;
}

/* The kernel configures a device when it enumerates; a device served
 * unconfigured gets the SET_CONFIGURATION the kernel would have sent. */
static void configure_like_kernel(libusb_device *dev, struct shim_conn *conn)
{
    uint8_t value = 0;
    int r = shim_conn_control(conn, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_CONFIGURATION, 0, 0,
                              &value, 1, SHIM_CONTROL_TIMEOUT_MS);
    if (r == 1 && value != 0) {
        atomic_store(&dev->active_config, value);
        return;
    }
    if (r != 1 || dev->num_configs == 0)
        return;
    uint8_t first = dev->configs[0][5];
    if (shim_conn_control(conn, LIBUSB_RECIPIENT_DEVICE, LIBUSB_REQUEST_SET_CONFIGURATION, first,
                          0, NULL, 0, SHIM_CONTROL_TIMEOUT_MS) == 0)
        atomic_store(&dev->active_config, first);
}

static int open_conn(libusb_device *dev, struct shim_conn **out)
{
    libusb_context *ctx = dev->ctx;
    struct usbip_usb_device info;
    int err = 0;
    struct shim_conn *conn = shim_conn_open(ctx, &ctx->servers[dev->server_index],
                                            dev->info.busid, true, &info, &err);
    if (!conn)
        return err;
    /* The busid now holds another device: ours is gone. */
    if (info.devnum != dev->info.devnum || info.idVendor != dev->info.idVendor
        || info.idProduct != dev->info.idProduct) {
        shim_conn_close(conn);
        return LIBUSB_ERROR_NO_DEVICE;
    }
    *out = conn;
    return 0;
}

SHIM_API int libusb_open(libusb_device *dev, libusb_device_handle **dev_handle)
{
    if (!dev || !dev_handle)
        return LIBUSB_ERROR_INVALID_PARAM;
    struct shim_conn *conn = NULL;
    int r = open_conn(dev, &conn);
    if (r < 0) {
        SHIM_TRACE("libusb_open(%s) = %d", dev->info.busid, r);
        return r;
    }
    libusb_device_handle *h = calloc(1, sizeof *h);
    if (!h) {
        shim_conn_close(conn);
        return LIBUSB_ERROR_NO_MEM;
    }
    pthread_mutex_init(&h->lock, NULL);
    h->dev = libusb_ref_device(dev);
    h->conn = conn;
    shim_device_complete_descriptors(dev, conn);
    configure_like_kernel(dev, conn);
    shim_ctx_add_handle(dev->ctx, h);
    *dev_handle = h;
    SHIM_TRACE("libusb_open(%s) = %p", dev->info.busid, (void *)h);
    return 0;
}

SHIM_API void libusb_close(libusb_device_handle *dev_handle)
{
    if (!dev_handle)
        return;
    libusb_device_handle *h = dev_handle;
    libusb_context *ctx = h->dev->ctx;
    SHIM_TRACE("libusb_close(%p)", (void *)h);
    shim_ctx_remove_handle(ctx, h);
    pthread_mutex_lock(&h->lock);
    struct shim_conn *conn = h->conn;
    h->conn = NULL;
    h->gone = true;
    pthread_mutex_unlock(&h->lock);
    shim_conn_close(conn);
    shim_io_forget_handle(ctx, h);
    libusb_unref_device(h->dev);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

SHIM_API libusb_device *libusb_get_device(libusb_device_handle *dev_handle)
{
    return dev_handle->dev;
}

SHIM_API libusb_device_handle *libusb_open_device_with_vid_pid(libusb_context *ctx,
                                                               uint16_t vendor_id,
                                                               uint16_t product_id)
{
    libusb_device **list;
    libusb_device_handle *h = NULL;
    if (libusb_get_device_list(ctx, &list) < 0)
        return NULL;
    for (libusb_device **p = list; *p; p++) {
        struct libusb_device_descriptor desc;
        libusb_get_device_descriptor(*p, &desc);
        if (desc.idVendor == vendor_id && desc.idProduct == product_id) {
            if (libusb_open(*p, &h) < 0)
                h = NULL;
            break;
        }
    }
    libusb_free_device_list(list, 1);
    return h;
}

/* A standard request on the handle's connection; LIBUSB_ERROR_* or >= 0. */
static int handle_request(libusb_device_handle *h, uint8_t type, uint8_t request,
                          uint16_t value, uint16_t index)
{
    struct shim_conn *conn = shim_handle_conn(h);
    if (!conn)
        return LIBUSB_ERROR_NO_DEVICE;
    int r = shim_conn_control(conn, type, request, value, index, NULL, 0,
                              SHIM_CONTROL_TIMEOUT_MS);
    shim_conn_put(conn);
    return r;
}

SHIM_API int libusb_get_configuration(libusb_device_handle *dev_handle, int *config)
{
    /* libusb on Linux answers from sysfs, without bus traffic. */
    if (dev_handle->gone)
        return LIBUSB_ERROR_NO_DEVICE;
    *config = atomic_load(&dev_handle->dev->active_config);
    SHIM_TRACE("libusb_get_configuration = %d", *config);
    return 0;
}

SHIM_API int libusb_set_configuration(libusb_device_handle *dev_handle, int configuration)
{
    libusb_device_handle *h = dev_handle;
    if (configuration < -1 || configuration > 255)
        return LIBUSB_ERROR_INVALID_PARAM;
    uint8_t value = configuration == -1 ? 0 : (uint8_t)configuration;
    pthread_mutex_lock(&h->lock);
    uint32_t claimed = h->claimed;
    pthread_mutex_unlock(&h->lock);
    if (claimed)
        return LIBUSB_ERROR_BUSY;           /* usbfs: EBUSY */
    uint16_t len;
    if (value && !shim_device_config_by_value(h->dev, value, &len) && h->dev->descriptors_read)
        return LIBUSB_ERROR_NOT_FOUND;      /* usbfs: EINVAL */
    int r = handle_request(h, LIBUSB_RECIPIENT_DEVICE, LIBUSB_REQUEST_SET_CONFIGURATION, value, 0);
    SHIM_TRACE("libusb_set_configuration(%d) = %d", configuration, r);
    if (r < 0)
        return r;
    atomic_store(&h->dev->active_config, value);
    pthread_mutex_lock(&h->lock);
    memset(h->alt_setting, 0, sizeof h->alt_setting);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

/* An interface number the handle may name: in range, device present, and
 * in the configuration once its descriptors are known. */
static int check_interface(libusb_device_handle *h, int interface_number)
{
    if (interface_number < 0 || interface_number >= SHIM_MAX_INTERFACES)
        return LIBUSB_ERROR_INVALID_PARAM;
    if (h->gone)
        return LIBUSB_ERROR_NO_DEVICE;
    if (h->dev->descriptors_read && !config_has_interface(h->dev, interface_number, -1))
        return LIBUSB_ERROR_NOT_FOUND;
    return 0;
}

SHIM_API int libusb_claim_interface(libusb_device_handle *dev_handle, int interface_number)
{
    libusb_device_handle *h = dev_handle;
    int r = check_interface(h, interface_number);
    if (r)
        return r;
    pthread_mutex_lock(&h->lock);
    h->claimed |= 1u << interface_number;
    pthread_mutex_unlock(&h->lock);
    SHIM_TRACE("libusb_claim_interface(%d) = 0", interface_number);
    return 0;
}

SHIM_API int libusb_release_interface(libusb_device_handle *dev_handle, int interface_number)
{
    libusb_device_handle *h = dev_handle;
    if (interface_number < 0 || interface_number >= SHIM_MAX_INTERFACES)
        return LIBUSB_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&h->lock);
    if (!(h->claimed & (1u << interface_number))) {
        pthread_mutex_unlock(&h->lock);
        return LIBUSB_ERROR_NOT_FOUND;
    }
    h->claimed &= ~(1u << interface_number);
    uint8_t alt = h->alt_setting[interface_number];
    h->alt_setting[interface_number] = 0;
    bool gone = h->gone;
    pthread_mutex_unlock(&h->lock);
    /* Linux usb_unbind_interface(): an interface left in a non-zero
     * altsetting is put back to 0.  The device may have left already
     * (DfuSe :leave), which is no error for the caller. */
    if (alt != 0 && !gone)
        handle_request(h, LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_SET_INTERFACE, 0,
                       (uint16_t)interface_number);
    SHIM_TRACE("libusb_release_interface(%d) = 0", interface_number);
    return 0;
}

SHIM_API int libusb_set_interface_alt_setting(libusb_device_handle *dev_handle,
                                              int interface_number, int alternate_setting)
{
    libusb_device_handle *h = dev_handle;
    if (interface_number < 0 || interface_number >= SHIM_MAX_INTERFACES
        || alternate_setting < 0 || alternate_setting > 255)
        return LIBUSB_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&h->lock);
    bool claimed = h->claimed & (1u << interface_number);
    pthread_mutex_unlock(&h->lock);
    if (!claimed)
        return LIBUSB_ERROR_NOT_FOUND;
    if (h->dev->descriptors_read
        && !config_has_interface(h->dev, interface_number, alternate_setting))
        return LIBUSB_ERROR_NOT_FOUND;      /* usb_set_interface(): EINVAL */
    int r = handle_request(h, LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_SET_INTERFACE,
                           (uint16_t)alternate_setting, (uint16_t)interface_number);
    /* Linux usb_set_interface(): a STALL from a device whose interface has
     * a single altsetting is taken as success. */
    if (r == LIBUSB_ERROR_PIPE && num_altsettings(h->dev, interface_number) == 1)
        r = 0;
    SHIM_TRACE("libusb_set_interface_alt_setting(%d, %d) = %d", interface_number,
               alternate_setting, r);
    if (r < 0)
        return r;
    pthread_mutex_lock(&h->lock);
    h->alt_setting[interface_number] = (uint8_t)alternate_setting;
    pthread_mutex_unlock(&h->lock);
    return 0;
}

SHIM_API int libusb_clear_halt(libusb_device_handle *dev_handle, unsigned char endpoint)
{
    libusb_device_handle *h = dev_handle;
    if (h->dev->descriptors_read && !config_has_endpoint(h->dev, endpoint))
        return LIBUSB_ERROR_NOT_FOUND;
    int r = handle_request(h, LIBUSB_RECIPIENT_ENDPOINT, LIBUSB_REQUEST_CLEAR_FEATURE,
                           0 /* ENDPOINT_HALT */, endpoint);
    SHIM_TRACE("libusb_clear_halt(%02x) = %d", endpoint, r);
    return r < 0 ? r : 0;
}

/* Reset = drop the connection and import again; the server treats the
 * reconnect as the bus reset.  A device that came back as something else,
 * or did not come back, is LIBUSB_ERROR_NOT_FOUND, as in libusb. */
SHIM_API int libusb_reset_device(libusb_device_handle *dev_handle)
{
    libusb_device_handle *h = dev_handle;
    libusb_device *dev = h->dev;
    pthread_mutex_lock(&h->lock);
    if (h->gone) {
        pthread_mutex_unlock(&h->lock);
        return LIBUSB_ERROR_NOT_FOUND;
    }
    struct shim_conn *old = h->conn;
    h->conn = NULL;
    h->gone = true;
    uint32_t claimed = h->claimed;
    pthread_mutex_unlock(&h->lock);
    shim_conn_close(old);

    struct shim_conn *conn = NULL;
    int r = open_conn(dev, &conn);
    if (r == 0 && dev->descriptors_read) {
        uint8_t desc[LIBUSB_DT_DEVICE_SIZE];
        uint8_t *configs[SHIM_MAX_CONFIGS];
        uint16_t lens[SHIM_MAX_CONFIGS];
        int count = 0;
        r = shim_device_fetch_descriptors(dev, conn, desc, configs, lens, &count);
        bool same = r == 0 && memcmp(desc, dev->device_desc, sizeof desc) == 0
                 && count == dev->num_configs;
        for (int i = 0; i < count; i++) {
            same = same && lens[i] == dev->config_len[i]
                && memcmp(configs[i], dev->configs[i], lens[i]) == 0;
            free(configs[i]);
        }
        if (!same)
            r = LIBUSB_ERROR_NOT_FOUND;
    }
    if (r < 0) {
        shim_conn_close(conn);
        SHIM_TRACE("libusb_reset_device: device did not come back the same (%d)", r);
        return LIBUSB_ERROR_NOT_FOUND;
    }
    /* As libusb on Linux: the configuration and claimed interfaces stay. */
    configure_like_kernel(dev, conn);
    pthread_mutex_lock(&h->lock);
    h->conn = conn;
    h->gone = false;
    h->claimed = claimed;
    memset(h->alt_setting, 0, sizeof h->alt_setting);
    pthread_mutex_unlock(&h->lock);
    SHIM_TRACE("libusb_reset_device = 0");
    return 0;
}

/* ---- kernel drivers: none is ever bound ---------------------------------- */

SHIM_API int libusb_kernel_driver_active(libusb_device_handle *dev_handle, int interface_number)
{
    int r = check_interface(dev_handle, interface_number);
    return r < 0 ? r : 0;
}

SHIM_API int libusb_detach_kernel_driver(libusb_device_handle *dev_handle, int interface_number)
{
    int r = check_interface(dev_handle, interface_number);
    return r < 0 ? r : LIBUSB_ERROR_NOT_FOUND;  /* usbfs: ENODATA, no driver */
}

SHIM_API int libusb_attach_kernel_driver(libusb_device_handle *dev_handle, int interface_number)
{
    int r = check_interface(dev_handle, interface_number);
    if (r < 0)
        return r;
    if (dev_handle->claimed & (1u << interface_number))
        return LIBUSB_ERROR_BUSY;
    return LIBUSB_ERROR_NOT_FOUND;              /* usbfs CONNECT bound nothing */
}

SHIM_API int libusb_set_auto_detach_kernel_driver(libusb_device_handle *dev_handle, int enable)
{
    return LIBUSB_SUCCESS;
}
