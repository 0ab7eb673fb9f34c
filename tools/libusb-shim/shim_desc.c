/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Descriptors: the device descriptor, configuration descriptors parsed
 * into libusb's structs the way libusb's descriptor.c does (class-specific
 * descriptors kept in `extra` of the config, interface or endpoint they
 * follow -- dfu-util finds the DFU functional descriptor there), and
 * libusb_get_string_descriptor_ascii().
 */
#include "tools/libusb-shim/shim.h"

#include <stdlib.h>
#include <string.h>

/* A descriptor that ends the `extra` run of the one before it. */
static bool is_structural(uint8_t type)
{
    return type == LIBUSB_DT_ENDPOINT || type == LIBUSB_DT_INTERFACE
        || type == LIBUSB_DT_CONFIG || type == LIBUSB_DT_DEVICE;
}

/* Length of the run of class/vendor descriptors at buf, or <0. */
static int extra_run(const uint8_t *buf, int size)
{
    int len = 0;
    while (size - len >= 2) {
        uint8_t bLength = buf[len], type = buf[len + 1];
        if (bLength < 2)
            return LIBUSB_ERROR_IO;
        if (is_structural(type))
            break;
        if (bLength > size - len)   /* libusb: truncated, keep what there is */
            return size;
        len += bLength;
    }
    return len;
}

static int copy_extra(const uint8_t *buf, int len, const unsigned char **extra, int *extra_len)
{
    *extra = NULL;
    *extra_len = 0;
    if (len <= 0)
        return 0;
    unsigned char *copy = malloc((size_t)len);
    if (!copy)
        return LIBUSB_ERROR_NO_MEM;
    memcpy(copy, buf, (size_t)len);
    *extra = copy;
    *extra_len = len;
    return 0;
}

/* Returns bytes consumed, 0 when what follows is not an endpoint, <0 on
 * error. */
static int parse_endpoint(struct libusb_endpoint_descriptor *ep, const uint8_t *buf, int size)
{
    if (size < 2)
        return LIBUSB_ERROR_IO;
    if (buf[1] != LIBUSB_DT_ENDPOINT)
        return 0;
    if (buf[0] < LIBUSB_DT_ENDPOINT_SIZE)
        return LIBUSB_ERROR_IO;
    if (buf[0] > size)
        return 0;
    ep->bLength = buf[0];
    ep->bDescriptorType = buf[1];
    ep->bEndpointAddress = buf[2];
    ep->bmAttributes = buf[3];
    ep->wMaxPacketSize = ld_le16(buf + 4);
    ep->bInterval = buf[6];
    if (buf[0] >= LIBUSB_DT_ENDPOINT_AUDIO_SIZE) {
        ep->bRefresh = buf[7];
        ep->bSynchAddress = buf[8];
    }
    int used = buf[0];
    int run = extra_run(buf + used, size - used);
    if (run < 0)
        return run;
    int r = copy_extra(buf + used, run, &ep->extra, &ep->extra_length);
    return r < 0 ? r : used + run;
}

static void free_interface(struct libusb_interface *itf)
{
    for (int a = 0; a < itf->num_altsetting; a++) {
        struct libusb_interface_descriptor *alt =
            (struct libusb_interface_descriptor *)&itf->altsetting[a];
        if (alt->endpoint) {
            for (int e = 0; e < alt->bNumEndpoints; e++)
                free((void *)alt->endpoint[e].extra);
            free((void *)alt->endpoint);
        }
        free((void *)alt->extra);
    }
    free((void *)itf->altsetting);
    itf->altsetting = NULL;
    itf->num_altsetting = 0;
}

/* One interface: every consecutive alternate setting with the same
 * bInterfaceNumber.  Returns bytes consumed or <0. */
static int parse_interface(struct libusb_interface *itf, const uint8_t *buf, int size)
{
    int consumed = 0, number = -1;
    while (size - consumed >= LIBUSB_DT_INTERFACE_SIZE) {
        const uint8_t *d = buf + consumed;
        if (d[1] != LIBUSB_DT_INTERFACE || d[0] < LIBUSB_DT_INTERFACE_SIZE || d[0] > size - consumed)
            return LIBUSB_ERROR_IO;
        if (number >= 0 && d[2] != number)
            break;
        number = d[2];
        struct libusb_interface_descriptor *alts =
            realloc((void *)itf->altsetting, (size_t)(itf->num_altsetting + 1) * sizeof *alts);
        if (!alts)
            return LIBUSB_ERROR_NO_MEM;
        itf->altsetting = alts;
        struct libusb_interface_descriptor *alt = &alts[itf->num_altsetting++];
        memset(alt, 0, sizeof *alt);
        alt->bLength = d[0];
        alt->bDescriptorType = d[1];
        alt->bInterfaceNumber = d[2];
        alt->bAlternateSetting = d[3];
        alt->bNumEndpoints = d[4];
        alt->bInterfaceClass = d[5];
        alt->bInterfaceSubClass = d[6];
        alt->bInterfaceProtocol = d[7];
        alt->iInterface = d[8];
        consumed += d[0];

        int run = extra_run(buf + consumed, size - consumed);
        if (run < 0)
            return run;
        int r = copy_extra(buf + consumed, run, &alt->extra, &alt->extra_length);
        if (r < 0)
            return r;
        consumed += run;

        if (alt->bNumEndpoints > 32)
            return LIBUSB_ERROR_IO;
        if (alt->bNumEndpoints) {
            struct libusb_endpoint_descriptor *eps = calloc(alt->bNumEndpoints, sizeof *eps);
            if (!eps)
                return LIBUSB_ERROR_NO_MEM;
            alt->endpoint = eps;
            for (int e = 0; e < alt->bNumEndpoints; e++) {
                r = parse_endpoint(&eps[e], buf + consumed, size - consumed);
                if (r < 0)
                    return r;
                if (r == 0) {           /* fewer endpoints than announced */
                    alt->bNumEndpoints = (uint8_t)e;
                    break;
                }
                consumed += r;
            }
        }
        if (size - consumed < LIBUSB_DT_INTERFACE_SIZE || buf[consumed + 1] != LIBUSB_DT_INTERFACE)
            break;
    }
    return consumed;
}

static void free_config(struct libusb_config_descriptor *cfg)
{
    if (!cfg)
        return;
    if (cfg->interface) {
        for (int i = 0; i < cfg->bNumInterfaces; i++)
            free_interface((struct libusb_interface *)&cfg->interface[i]);
        free((void *)cfg->interface);
    }
    free((void *)cfg->extra);
    free(cfg);
}

static int parse_config(const uint8_t *buf, int size, struct libusb_config_descriptor **out)
{
    if (size < LIBUSB_DT_CONFIG_SIZE || buf[1] != LIBUSB_DT_CONFIG
        || buf[0] < LIBUSB_DT_CONFIG_SIZE || buf[0] > size)
        return LIBUSB_ERROR_IO;
    struct libusb_config_descriptor *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return LIBUSB_ERROR_NO_MEM;
    cfg->bLength = buf[0];
    cfg->bDescriptorType = buf[1];
    cfg->wTotalLength = ld_le16(buf + 2);
    cfg->bNumInterfaces = buf[4];
    cfg->bConfigurationValue = buf[5];
    cfg->iConfiguration = buf[6];
    cfg->bmAttributes = buf[7];
    cfg->MaxPower = buf[8];
    if (cfg->wTotalLength < size)
        size = cfg->wTotalLength;
    if (cfg->bNumInterfaces > SHIM_MAX_INTERFACES) {
        free(cfg);
        return LIBUSB_ERROR_IO;
    }
    struct libusb_interface *itfs = calloc(cfg->bNumInterfaces ? cfg->bNumInterfaces : 1,
                                           sizeof *itfs);
    if (!itfs) {
        free(cfg);
        return LIBUSB_ERROR_NO_MEM;
    }
    cfg->interface = itfs;
    int consumed = cfg->bLength;
    int r = extra_run(buf + consumed, size - consumed);
    if (r >= 0)
        r = copy_extra(buf + consumed, r, &cfg->extra, &cfg->extra_length);
    if (r < 0)
        goto fail;
    consumed += cfg->extra_length;
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        if (size - consumed < LIBUSB_DT_INTERFACE_SIZE) {
            cfg->bNumInterfaces = (uint8_t)i;   /* as libusb: keep what is there */
            break;
        }
        r = parse_interface(&itfs[i], buf + consumed, size - consumed);
        if (r < 0)
            goto fail;
        consumed += r;
        /* Skip stray class descriptors between interfaces. */
        int run = extra_run(buf + consumed, size - consumed);
        if (run > 0)
            consumed += run;
    }
    *out = cfg;
    return 0;
fail:
    free_config(cfg);
    return r;
}

/* ---- public -------------------------------------------------------------- */

SHIM_API int libusb_get_device_descriptor(libusb_device *dev,
                                          struct libusb_device_descriptor *desc)
{
    const uint8_t *d = dev->device_desc;
    desc->bLength = d[0];
    desc->bDescriptorType = d[1];
    desc->bcdUSB = ld_le16(d + 2);
    desc->bDeviceClass = d[4];
    desc->bDeviceSubClass = d[5];
    desc->bDeviceProtocol = d[6];
    desc->bMaxPacketSize0 = d[7];
    desc->idVendor = ld_le16(d + 8);
    desc->idProduct = ld_le16(d + 10);
    desc->bcdDevice = ld_le16(d + 12);
    desc->iManufacturer = d[14];
    desc->iProduct = d[15];
    desc->iSerialNumber = d[16];
    desc->bNumConfigurations = d[17];
    return 0;
}

SHIM_API int libusb_get_config_descriptor(libusb_device *dev, uint8_t config_index,
                                          struct libusb_config_descriptor **config)
{
    if (config_index >= dev->device_desc[17])
        return LIBUSB_ERROR_NOT_FOUND;
    if (config_index >= dev->num_configs)
        return LIBUSB_ERROR_IO;     /* the device would not tell us */
    return parse_config(dev->configs[config_index], dev->config_len[config_index], config);
}

SHIM_API int libusb_get_config_descriptor_by_value(libusb_device *dev, uint8_t bConfigurationValue,
                                                   struct libusb_config_descriptor **config)
{
    uint16_t len;
    const uint8_t *raw = shim_device_config_by_value(dev, bConfigurationValue, &len);
    if (!raw)
        return LIBUSB_ERROR_NOT_FOUND;
    return parse_config(raw, len, config);
}

SHIM_API int libusb_get_active_config_descriptor(libusb_device *dev,
                                                 struct libusb_config_descriptor **config)
{
    int value = atomic_load(&dev->active_config);
    if (value == 0)
        return LIBUSB_ERROR_NOT_FOUND;      /* unconfigured */
    return libusb_get_config_descriptor_by_value(dev, (uint8_t)value, config);
}

SHIM_API void libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
    free_config(config);
}

SHIM_API int libusb_get_string_descriptor_ascii(libusb_device_handle *dev_handle,
                                                uint8_t desc_index, unsigned char *data,
                                                int length)
{
    uint8_t buf[255];
    if (desc_index == 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    if (length <= 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    int r = libusb_control_transfer(dev_handle, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                                    LIBUSB_DT_STRING << 8, 0, buf, 4, 1000);
    if (r < 0)
        return r;
    if (r != 4 || buf[0] < 4 || buf[1] != LIBUSB_DT_STRING)
        return LIBUSB_ERROR_IO;
    uint16_t langid = ld_le16(buf + 2);
    r = libusb_control_transfer(dev_handle, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
                                (uint16_t)((LIBUSB_DT_STRING << 8) | desc_index), langid, buf,
                                sizeof buf, 1000);
    if (r < 0)
        return r;
    if (r < 2 || buf[0] > r || buf[1] != LIBUSB_DT_STRING)
        return LIBUSB_ERROR_IO;
    int di = 0;
    for (int si = 2; si + 1 < buf[0]; si += 2) {
        if (di >= length - 1)
            break;
        uint16_t unit = ld_le16(buf + si);
        data[di++] = unit < 0x80 ? (unsigned char)unit : '?';
    }
    data[di] = 0;
    return di;
}
