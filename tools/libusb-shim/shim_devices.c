/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device objects: one per entry of a server's OP_REP_DEVLIST, with the
 * descriptors read once through a short-lived import -- the shim's
 * equivalent of libusb reading sysfs on Linux.  Bus number = the server's
 * place in VSTM32_USBIP (1, 2, ...), address = the server's devnum, port
 * path = the busid after the dash ("1-1.2" -> 1, 2).
 */
#include "tools/libusb-shim/shim.h"

#include <stdlib.h>
#include <string.h>

/* Linux enum usb_device_speed, as USB/IP carries it. */
static int speed_from_linux(uint32_t speed)
{
    switch (speed) {
    case 1: return LIBUSB_SPEED_LOW;
    case 2: return LIBUSB_SPEED_FULL;
    case 3: return LIBUSB_SPEED_HIGH;
    case 4: return LIBUSB_SPEED_HIGH;        /* wireless */
    case 5: return LIBUSB_SPEED_SUPER;
    case 6: return LIBUSB_SPEED_SUPER_PLUS;
    default: return LIBUSB_SPEED_UNKNOWN;
    }
}

static void parse_ports(libusb_device *dev, const char *busid)
{
    const char *p = strchr(busid, '-');
    dev->num_ports = 0;
    if (!p)
        return;
    p++;
    while (*p && dev->num_ports < SHIM_MAX_PORTS) {
        char *end;
        unsigned long port = strtoul(p, &end, 10);
        if (end == p || port > 255)
            break;
        dev->port_numbers[dev->num_ports++] = (uint8_t)port;
        if (*end != '.')
            break;
        p = end + 1;
    }
}

libusb_device *shim_device_new(libusb_context *ctx, int server_index,
                               const struct usbip_usb_device *info)
{
    libusb_device *dev = calloc(1, sizeof *dev);
    if (!dev)
        return NULL;
    atomic_init(&dev->refcount, 1);
    dev->ctx = ctx;
    dev->server_index = server_index;
    dev->bus_number = (uint8_t)(server_index + 1);
    dev->device_address = (uint8_t)info->devnum;
    dev->speed = speed_from_linux(info->speed);
    dev->info = *info;
    parse_ports(dev, info->busid);

    /* Until the real descriptor is read: what the devlist tells. */
    uint8_t *d = dev->device_desc;
    d[0] = LIBUSB_DT_DEVICE_SIZE;
    d[1] = LIBUSB_DT_DEVICE;
    d[2] = 0x00; d[3] = 0x02;
    d[4] = info->bDeviceClass;
    d[5] = info->bDeviceSubClass;
    d[6] = info->bDeviceProtocol;
    d[7] = 64;
    st_le16(d + 8, info->idVendor);
    st_le16(d + 10, info->idProduct);
    st_le16(d + 12, info->bcdDevice);
    d[17] = info->bNumConfigurations;
    atomic_init(&dev->active_config, info->bConfigurationValue);
    return dev;
}

bool shim_device_matches(const libusb_device *dev, int server_index,
                         const struct usbip_usb_device *info)
{
    return dev->server_index == server_index
        && strcmp(dev->info.busid, info->busid) == 0
        && dev->info.devnum == info->devnum
        && dev->info.idVendor == info->idVendor
        && dev->info.idProduct == info->idProduct
        && dev->info.bcdDevice == info->bcdDevice
        && dev->info.bNumConfigurations == info->bNumConfigurations;
}

int shim_device_fetch_descriptors(libusb_device *dev, struct shim_conn *conn,
                                  uint8_t desc[LIBUSB_DT_DEVICE_SIZE],
                                  uint8_t **configs, uint16_t *lens, int *count)
{
    *count = 0;
    int r = shim_conn_control(conn, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                              LIBUSB_DT_DEVICE << 8, 0, desc, LIBUSB_DT_DEVICE_SIZE,
                              SHIM_CONTROL_TIMEOUT_MS);
    if (r < 0)
        return r;
    if (r < LIBUSB_DT_DEVICE_SIZE || desc[1] != LIBUSB_DT_DEVICE)
        return LIBUSB_ERROR_IO;
    int n = desc[17] < SHIM_MAX_CONFIGS ? desc[17] : SHIM_MAX_CONFIGS;
    for (int i = 0; i < n; i++) {
        uint8_t head[LIBUSB_DT_CONFIG_SIZE];
        r = shim_conn_control(conn, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                              (uint16_t)((LIBUSB_DT_CONFIG << 8) | i), 0, head, sizeof head,
                              SHIM_CONTROL_TIMEOUT_MS);
        if (r < (int)sizeof head || head[1] != LIBUSB_DT_CONFIG)
            goto fail;
        uint16_t total = ld_le16(head + 2);
        if (total < LIBUSB_DT_CONFIG_SIZE)
            goto fail;
        uint8_t *full = malloc(total);
        if (!full)
            goto fail;
        r = shim_conn_control(conn, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                              (uint16_t)((LIBUSB_DT_CONFIG << 8) | i), 0, full, total,
                              SHIM_CONTROL_TIMEOUT_MS);
        if (r < LIBUSB_DT_CONFIG_SIZE) {
            free(full);
            goto fail;
        }
        configs[i] = full;
        lens[i] = (uint16_t)r;      /* a short answer is kept as libusb does */
        (*count)++;
    }
    return 0;
fail:
    for (int i = 0; i < *count; i++)
        free(configs[i]);
    *count = 0;
    return r < 0 ? r : LIBUSB_ERROR_IO;
}

static void adopt_descriptors(libusb_device *dev, struct shim_conn *conn)
{
    uint8_t desc[LIBUSB_DT_DEVICE_SIZE];
    uint8_t *configs[SHIM_MAX_CONFIGS];
    uint16_t lens[SHIM_MAX_CONFIGS];
    int count = 0;
    int r = shim_device_fetch_descriptors(dev, conn, desc, configs, lens, &count);
    if (r < 0) {
        SHIM_TRACE("%s: reading descriptors failed (%d)", dev->info.busid, r);
        return;
    }
    memcpy(dev->device_desc, desc, sizeof desc);
    for (int i = 0; i < count; i++) {
        dev->configs[i] = configs[i];
        dev->config_len[i] = lens[i];
    }
    /* Published last: readers go by num_configs and descriptors_read. */
    dev->num_configs = count;
    dev->descriptors_read = true;
    /* On a Linux host the kernel picks configuration 1 at enumeration, so
     * an unconfigured device is seen already configured. */
    if (atomic_load(&dev->active_config) == 0 && count > 0)
        atomic_store(&dev->active_config, dev->configs[0][5]);
    SHIM_TRACE("%s: %04x:%04x, %d configuration(s)", dev->info.busid, dev->info.idVendor,
               dev->info.idProduct, count);
}

void shim_device_read_descriptors(libusb_device *dev)
{
    libusb_context *ctx = dev->ctx;
    struct usbip_usb_device info;
    int err = 0;
    struct shim_conn *conn = shim_conn_open(ctx, &ctx->servers[dev->server_index],
                                            dev->info.busid, false, &info, &err);
    if (!conn) {
        SHIM_TRACE("%s: cannot import to read descriptors (%d); using the devlist's",
                   dev->info.busid, err);
        return;
    }
    adopt_descriptors(dev, conn);
    shim_conn_close(conn);
}

void shim_device_complete_descriptors(libusb_device *dev, struct shim_conn *conn)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    if (!dev->descriptors_read)
        adopt_descriptors(dev, conn);
    pthread_mutex_unlock(&lock);
}

const uint8_t *shim_device_config_by_value(const libusb_device *dev, uint8_t value,
                                           uint16_t *len)
{
    for (int i = 0; i < dev->num_configs; i++) {
        if (dev->configs[i][5] == value) {
            *len = dev->config_len[i];
            return dev->configs[i];
        }
    }
    return NULL;
}

/* ---- public: identity ---------------------------------------------------- */

SHIM_API libusb_device *libusb_ref_device(libusb_device *dev)
{
    if (dev)
        atomic_fetch_add(&dev->refcount, 1);
    return dev;
}

SHIM_API void libusb_unref_device(libusb_device *dev)
{
    if (!dev || atomic_fetch_sub(&dev->refcount, 1) != 1)
        return;
    for (int i = 0; i < dev->num_configs; i++)
        free(dev->configs[i]);
    free(dev);
}

SHIM_API uint8_t libusb_get_bus_number(libusb_device *dev)
{
    return dev->bus_number;
}

SHIM_API uint8_t libusb_get_device_address(libusb_device *dev)
{
    return dev->device_address;
}

SHIM_API uint8_t libusb_get_port_number(libusb_device *dev)
{
    return dev->num_ports ? dev->port_numbers[dev->num_ports - 1] : 0;
}

SHIM_API int libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers,
                                     int port_numbers_len)
{
    if (port_numbers_len <= 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    if (dev->num_ports > port_numbers_len)
        return LIBUSB_ERROR_OVERFLOW;
    memcpy(port_numbers, dev->port_numbers, (size_t)dev->num_ports);
    return dev->num_ports;
}

SHIM_API int libusb_get_port_path(libusb_context *ctx, libusb_device *dev, uint8_t *path,
                                  uint8_t path_length)
{
    return libusb_get_port_numbers(dev, path, path_length);
}

SHIM_API libusb_device *libusb_get_parent(libusb_device *dev)
{
    /* The root hub of a USB/IP bus is not a device the shim lists. */
    return NULL;
}

SHIM_API int libusb_get_device_speed(libusb_device *dev)
{
    return dev->speed;
}

static const struct libusb_endpoint_descriptor *
find_endpoint(const struct libusb_config_descriptor *cfg, unsigned char endpoint)
{
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        for (int a = 0; a < itf->num_altsetting; a++) {
            const struct libusb_interface_descriptor *alt = &itf->altsetting[a];
            for (int e = 0; e < alt->bNumEndpoints; e++)
                if (alt->endpoint[e].bEndpointAddress == endpoint)
                    return &alt->endpoint[e];
        }
    }
    return NULL;
}

SHIM_API int libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)
{
    struct libusb_config_descriptor *cfg;
    int r = libusb_get_active_config_descriptor(dev, &cfg);
    if (r < 0)
        return LIBUSB_ERROR_NOT_FOUND;
    const struct libusb_endpoint_descriptor *ep = find_endpoint(cfg, endpoint);
    r = ep ? ep->wMaxPacketSize : LIBUSB_ERROR_NOT_FOUND;
    libusb_free_config_descriptor(cfg);
    return r;
}

SHIM_API int libusb_get_max_iso_packet_size(libusb_device *dev, unsigned char endpoint)
{
    struct libusb_config_descriptor *cfg;
    int r = libusb_get_active_config_descriptor(dev, &cfg);
    if (r < 0)
        return LIBUSB_ERROR_NOT_FOUND;
    const struct libusb_endpoint_descriptor *ep = find_endpoint(cfg, endpoint);
    if (!ep) {
        libusb_free_config_descriptor(cfg);
        return LIBUSB_ERROR_NOT_FOUND;
    }
    int type = ep->bmAttributes & 0x3;
    uint16_t val = ep->wMaxPacketSize;
    r = val & 0x07ff;
    /* USB 2.0 9.6.6: high-bandwidth periodic endpoints move up to three
     * packets per microframe. */
    if (dev->speed == LIBUSB_SPEED_HIGH && (type == LIBUSB_ENDPOINT_TRANSFER_TYPE_ISOCHRONOUS
                                            || type == LIBUSB_ENDPOINT_TRANSFER_TYPE_INTERRUPT))
        r *= 1 + ((val >> 11) & 3);
    libusb_free_config_descriptor(cfg);
    return r;
}
