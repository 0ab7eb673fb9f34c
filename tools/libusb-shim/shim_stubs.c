/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rest of libusb 1.0.26's export list: functions no tool vstm32
 * serves calls.  Each answers LIBUSB_ERROR_NOT_SUPPORTED (or NULL) and says
 * once on stderr that it was called, so a tool that needs one fails
 * visibly instead of crashing.
 */
#include "tools/libusb-shim/shim.h"

#include <stdlib.h>

#define UNIMPLEMENTED() shim_log_unimplemented(__func__)

SHIM_API int libusb_alloc_streams(libusb_device_handle *dev_handle, uint32_t num_streams,
                                  unsigned char *endpoints, int num_endpoints)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API int libusb_free_streams(libusb_device_handle *dev_handle, unsigned char *endpoints,
                                 int num_endpoints)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API unsigned char *libusb_dev_mem_alloc(libusb_device_handle *dev_handle, size_t length)
{
    /* NULL is libusb's documented "use a normal buffer" answer. */
    UNIMPLEMENTED();
    return NULL;
}

SHIM_API int libusb_dev_mem_free(libusb_device_handle *dev_handle, unsigned char *buffer,
                                 size_t length)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API int libusb_wrap_sys_device(libusb_context *ctx, intptr_t sys_dev,
                                    libusb_device_handle **dev_handle)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API int libusb_get_bos_descriptor(libusb_device_handle *dev_handle,
                                       struct libusb_bos_descriptor **bos)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void libusb_free_bos_descriptor(struct libusb_bos_descriptor *bos)
{
    UNIMPLEMENTED();
    free(bos);
}

SHIM_API int libusb_get_usb_2_0_extension_descriptor(libusb_context *ctx,
    struct libusb_bos_dev_capability_descriptor *dev_cap,
    struct libusb_usb_2_0_extension_descriptor **usb_2_0_extension)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void libusb_free_usb_2_0_extension_descriptor(
    struct libusb_usb_2_0_extension_descriptor *usb_2_0_extension)
{
    UNIMPLEMENTED();
    free(usb_2_0_extension);
}

SHIM_API int libusb_get_ss_usb_device_capability_descriptor(libusb_context *ctx,
    struct libusb_bos_dev_capability_descriptor *dev_cap,
    struct libusb_ss_usb_device_capability_descriptor **ss_usb_device_cap)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void libusb_free_ss_usb_device_capability_descriptor(
    struct libusb_ss_usb_device_capability_descriptor *ss_usb_device_cap)
{
    UNIMPLEMENTED();
    free(ss_usb_device_cap);
}

SHIM_API int libusb_get_container_id_descriptor(libusb_context *ctx,
    struct libusb_bos_dev_capability_descriptor *dev_cap,
    struct libusb_container_id_descriptor **container_id)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void libusb_free_container_id_descriptor(struct libusb_container_id_descriptor *container_id)
{
    UNIMPLEMENTED();
    free(container_id);
}

SHIM_API int libusb_get_ss_endpoint_companion_descriptor(libusb_context *ctx,
    const struct libusb_endpoint_descriptor *endpoint,
    struct libusb_ss_endpoint_companion_descriptor **ep_comp)
{
    UNIMPLEMENTED();
    return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void libusb_free_ss_endpoint_companion_descriptor(
    struct libusb_ss_endpoint_companion_descriptor *ep_comp)
{
    UNIMPLEMENTED();
    free(ep_comp);
}
