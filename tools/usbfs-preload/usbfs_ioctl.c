/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The usbfs ioctls, with devio.c's checks and errors (the function names in
 * the comments are devio.c's; the structs are include/uapi/linux/
 * usbdevice_fs.h's).  Every length from the caller is checked before use,
 * and every copy from or to the caller faults as -EFAULT.
 */
#include "tools/usbfs-preload/usbfs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/ioctl.h>

#include "lib/bytes.h"

/* include/linux/usb.h transfer_flags, carried by USB/IP */
#define URB_SHORT_NOT_OK 0x0001
#define URB_ZERO_PACKET  0x0040

/* devio.c: USBFS_XFER_MAX, and usb_control_msg()'s page-size limit */
#define USBFS_XFER_MAX   (UINT32_MAX / 2 - 1000000)
#define CONTROL_MAX      4096

#define CAPS (USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_NO_PACKET_SIZE_LIM \
              | USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_DROP_PRIVILEGES \
              | USBDEVFS_CAP_CONNINFO_EX)

/* claimintf() */
static int claim(struct usbfs_dev *dev, unsigned ifnum)
{
    if (ifnum >= 32)
        return -EINVAL;
    if (dev->privileges_dropped && !(dev->allowed_mask & (1u << ifnum)))
        return -EACCES;
    if (!usbfs_has_interface(dev, ifnum))
        return -ENOENT;
    dev->claimed |= 1u << ifnum;
    return 0;
}

static int get_uint(const void *arg, unsigned *v)
{
    return usbfs_copy_in(v, arg, sizeof *v);
}

static int do_control(struct usbfs_dev *dev, void *arg)
{
    struct usbdevfs_ctrltransfer c;
    int rc = usbfs_copy_in(&c, arg, sizeof c);
    if (rc < 0)
        return rc;
    if (c.wLength > CONTROL_MAX)        /* proc_control() */
        return -EINVAL;
    uint8_t buf[CONTROL_MAX];
    bool in = c.bRequestType & 0x80;
    if (!in && (rc = usbfs_copy_in(buf, c.data, c.wLength)) < 0)
        return rc;
    rc = usbfs_control(dev, c.bRequestType, c.bRequest, c.wValue, c.wIndex, buf, c.wLength,
                       c.timeout);
    USBFS_TRACE("%s: CONTROL %02x %02x %04x %04x len %u: %d", dev->busid, c.bRequestType,
                c.bRequest, c.wValue, c.wIndex, c.wLength, rc);
    if (rc > 0 && in && usbfs_copy_out(c.data, buf, (size_t)rc) < 0)
        return -EFAULT;
    return rc;
}

/* proc_bulk(): bulk or interrupt endpoint, synchronous. */
static int do_bulk(struct usbfs_dev *dev, void *arg)
{
    struct usbdevfs_bulktransfer b;
    int rc = usbfs_copy_in(&b, arg, sizeof b);
    if (rc < 0)
        return rc;
    const struct usbfs_endpoint *ep = usbfs_find_ep(dev, (uint8_t)b.ep);
    if (b.ep > 0xff || !ep || ep->type == 0 || ep->type == 1)
        return -EINVAL;                 /* no such bulk/interrupt endpoint */
    if ((rc = claim(dev, ep->ifnum)) < 0)
        return rc;
    if (b.len >= USBFS_XFER_MAX)
        return -EINVAL;
    if (b.len > USBFS_MAX_URB_BYTES)
        return -ENOMEM;
    struct usbfs_urb *urb = calloc(1, sizeof *urb);
    if (!urb || !(urb->buf = malloc(b.len ? b.len : 1))) {
        free(urb);
        return -ENOMEM;
    }
    urb->type = ep->type == 3 ? USBDEVFS_URB_TYPE_INTERRUPT : USBDEVFS_URB_TYPE_BULK;
    urb->ep = ep->addr;
    urb->dir_in = ep->addr & 0x80;
    urb->len = b.len;
    if (!urb->dir_in)
        rc = usbfs_copy_in(urb->buf, b.data, b.len);
    if (rc == 0)
        rc = usbfs_conn_submit(dev, urb);
    if (rc == 0)
        rc = usbfs_conn_wait(dev, urb, b.timeout);
    if (rc == 0 || rc == -EREMOTEIO) {
        rc = (int)urb->actual;
        if (urb->dir_in && usbfs_copy_out(b.data, urb->buf, urb->actual) < 0)
            rc = -EFAULT;
    }
    USBFS_TRACE("%s: BULK ep %02x len %u: %d", dev->busid, ep->addr, b.len, rc);
    usbfs_urb_free(urb);
    return rc;
}

/* proc_do_submiturb() */
static int submit_urb(struct usbfs_dev *dev, void *arg)
{
    struct usbdevfs_urb u;
    int rc = usbfs_copy_in(&u, arg, sizeof u);
    if (rc < 0)
        return rc;
    if (u.flags & ~(USBDEVFS_URB_ISO_ASAP | USBDEVFS_URB_SHORT_NOT_OK
                    | USBDEVFS_URB_BULK_CONTINUATION | USBDEVFS_URB_NO_FSBR
                    | USBDEVFS_URB_ZERO_PACKET | USBDEVFS_URB_NO_INTERRUPT))
        return -EINVAL;
    if (u.buffer_length < 0 || (u.buffer_length > 0 && !u.buffer))
        return -EINVAL;
    if (u.signr != 0 && ((int)u.signr < SIGRTMIN || (int)u.signr > SIGRTMAX))
        return -EINVAL;
    if ((uint32_t)u.buffer_length >= USBFS_XFER_MAX)
        return -EINVAL;
    if ((uint32_t)u.buffer_length > USBFS_MAX_URB_BYTES)
        return -ENOMEM;
    uint8_t type_of_ep;
    unsigned ifnum = 0;
    if ((u.endpoint & 0x7f) == 0) {
        type_of_ep = 0;
    } else {
        const struct usbfs_endpoint *ep = usbfs_find_ep(dev, u.endpoint);
        if (!ep)
            return -ENOENT;
        type_of_ep = ep->type;
        ifnum = ep->ifnum;
    }
    uint8_t setup[8] = { 0 };
    uint32_t len = (uint32_t)u.buffer_length;
    bool in = u.endpoint & 0x80;
    /* A control URB's setup and OUT data in one copy (one system call
     * less per URB; issue 21); where that fails, the setup alone, as
     * devio.c reads it, and the data after. */
    uint8_t head[8 + 4096];
    size_t have = 0;
    switch (u.type) {
    case USBDEVFS_URB_TYPE_CONTROL:
        if (type_of_ep != 0 || len < 8)
            return -EINVAL;
        have = len < sizeof head ? len : sizeof head;
        if (usbfs_copy_in(head, u.buffer, have) == 0)
            memcpy(setup, head, 8);
        else if ((have = 0, rc = usbfs_copy_in(setup, u.buffer, 8)) < 0)
            return rc;
        if (ld_le16(setup + 6) > len - 8)
            return -EINVAL;
        len = ld_le16(setup + 6);
        in = setup[0] & 0x80;
        break;
    case USBDEVFS_URB_TYPE_BULK:
        if (type_of_ep == 3)            /* single-shot interrupt, as devio.c */
            u.type = USBDEVFS_URB_TYPE_INTERRUPT;
        else if (type_of_ep != 2)
            return -EINVAL;
        break;
    case USBDEVFS_URB_TYPE_INTERRUPT:
        if (type_of_ep != 3)
            return -EINVAL;
        break;
    default:
        /* ISO: none of our devices has an isochronous endpoint, so Linux
         * answers as here: the endpoint is not of that type. */
        return -EINVAL;
    }
    if (type_of_ep != 0 && (rc = claim(dev, ifnum)) < 0)
        return rc;

    struct usbfs_urb *urb = calloc(1, sizeof *urb);
    if (!urb || !(urb->buf = malloc(len ? len : 1))) {
        free(urb);
        return -ENOMEM;
    }
    urb->user = arg;
    urb->type = u.type;
    urb->ep = u.endpoint;
    urb->dir_in = in;
    urb->len = len;
    memcpy(urb->setup, setup, 8);
    urb->flags = (in && (u.flags & USBDEVFS_URB_SHORT_NOT_OK) ? URB_SHORT_NOT_OK : 0)
               | (!in && (u.flags & USBDEVFS_URB_ZERO_PACKET) ? URB_ZERO_PACKET : 0);
    uint8_t *data = (uint8_t *)u.buffer + (u.type == USBDEVFS_URB_TYPE_CONTROL ? 8 : 0);
    urb->user_data = data;
    if (!in && len && 8 + (size_t)len <= have)
        memcpy(urb->buf, head + 8, len);
    else if (!in && len)
        rc = usbfs_copy_in(urb->buf, data, len);
    if (rc == 0)
        rc = usbfs_conn_submit(dev, urb);
    USBFS_TRACE("%s: SUBMITURB %p type %u ep %02x len %u: %d", dev->busid, arg, u.type,
                u.endpoint, len, rc);
    if (rc < 0)
        usbfs_urb_free(urb);
    return rc;
}

/* processcompl(): status, lengths and IN data into the caller's URB, its
 * address into *arg. */
static int reap(struct usbfs_dev *dev, void *arg, bool wait)
{
    pthread_mutex_lock(&dev->lock);
    struct usbfs_urb *urb;
    while (!(urb = usbfs_conn_take_done(dev)) && wait && !dev->gone)
        usbfs_conn_wait_news(dev, 0);
    bool gone = dev->gone;
    pthread_mutex_unlock(&dev->lock);
    if (!urb) {
        USBFS_TRACE("%s: REAPURB%s: %s", dev->busid, wait ? "" : "NDELAY",
                    gone ? "ENODEV" : "EAGAIN");
        return gone ? -ENODEV : -EAGAIN;
    }
    /* processcompl(): the IN data to the buffer given at submit, then
     * status, actual_length, error_count, then the URB's address; one
     * system call for all (issue 21). */
    struct usbdevfs_urb *u = urb->user;
    int status = urb->status, actual = (int)urb->actual, errors = 0;
    struct iovec local[5], remote[5];
    unsigned n = 0;
    if (urb->dir_in && urb->actual) {
        local[n] = (struct iovec){ urb->buf, urb->actual };
        remote[n++] = (struct iovec){ urb->user_data, urb->actual };
    }
    local[n] = (struct iovec){ &status, sizeof status };
    remote[n++] = (struct iovec){ &u->status, sizeof u->status };
    local[n] = (struct iovec){ &actual, sizeof actual };
    remote[n++] = (struct iovec){ &u->actual_length, sizeof u->actual_length };
    local[n] = (struct iovec){ &errors, sizeof errors };
    remote[n++] = (struct iovec){ &u->error_count, sizeof u->error_count };
    local[n] = (struct iovec){ &u, sizeof u };
    remote[n++] = (struct iovec){ arg, sizeof u };
    int rc = usbfs_copy_outv(local, remote, n);
    USBFS_TRACE("%s: REAPURB%s %p: status %d, %u bytes", dev->busid, wait ? "" : "NDELAY",
                (void *)u, urb->status, urb->actual);
    usbfs_urb_free(urb);
    return rc;
}

/* proc_ioctl(): no kernel driver is ever bound to our interfaces. */
static int driver_ioctl(struct usbfs_dev *dev, void *arg)
{
    struct usbdevfs_ioctl c;
    int rc = usbfs_copy_in(&c, arg, sizeof c);
    if (rc < 0)
        return rc;
    if (dev->privileges_dropped)
        return -EACCES;
    if (dev->config_value == 0)
        return -EHOSTUNREACH;
    if (c.ifno < 0 || !usbfs_has_interface(dev, (unsigned)c.ifno))
        return -EINVAL;
    switch (c.ioctl_code) {
    case USBDEVFS_DISCONNECT: return -ENODATA;
    case USBDEVFS_CONNECT:    return 0;
    default:                  return -ENOTTY;
    }
}

static int conninfo_ex(struct usbfs_dev *dev, void *arg, size_t size)
{
    struct usbdevfs_conninfo_ex ci = {
        .size = sizeof ci, .busnum = dev->busnum, .devnum = dev->devnum, .speed = dev->speed,
    };
    /* ports: the busid after the dash, "1-2.3" -> 2, 3 */
    const char *p = strchr(dev->busid, '-');
    while (p && *++p && ci.num_ports < sizeof ci.ports) {
        ci.ports[ci.num_ports++] = (uint8_t)strtoul(p, (char **)&p, 10);
        if (*p != '.')
            break;
    }
    return usbfs_copy_out(arg, &ci, size < sizeof ci ? size : sizeof ci);
}

static int simple(struct usbfs_dev *dev, unsigned long req, void *arg)
{
    unsigned v = 0;
    int rc;
    switch (req) {
    case USBDEVFS_CLAIMINTERFACE:
        return (rc = get_uint(arg, &v)) < 0 ? rc : claim(dev, v);
    case USBDEVFS_RELEASEINTERFACE:
        if ((rc = get_uint(arg, &v)) < 0)
            return rc;
        if (v >= 32 || !(dev->claimed & (1u << v)))
            return -EINVAL;
        dev->claimed &= ~(1u << v);
        return 0;
    case USBDEVFS_SETINTERFACE: {
        struct usbdevfs_setinterface s;
        if ((rc = usbfs_copy_in(&s, arg, sizeof s)) < 0 || (rc = claim(dev, s.interface)) < 0)
            return rc;
        rc = usbfs_control(dev, 0x01, 11, (uint16_t)s.altsetting, (uint16_t)s.interface,
                           NULL, 0, USBFS_NET_TIMEOUT_MS);
        return rc < 0 ? rc : 0;
    }
    case USBDEVFS_SETCONFIGURATION: {
        if ((rc = get_uint(arg, &v)) < 0)
            return rc;
        int cfg = (int)v == -1 ? 0 : (int)v;
        if (cfg < 0 || cfg > 255)
            return -EINVAL;
        rc = usbfs_control(dev, 0x00, 9, (uint16_t)cfg, 0, NULL, 0, USBFS_NET_TIMEOUT_MS);
        if (rc < 0)
            return rc;
        dev->config_value = (uint8_t)cfg;
        dev->claimed = 0;
        usbfs_parse_endpoints(dev);
        return 0;
    }
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP: {
        if ((rc = get_uint(arg, &v)) < 0)
            return rc;
        const struct usbfs_endpoint *ep = usbfs_find_ep(dev, (uint8_t)v);
        if (v > 0xff || !ep)
            return -ENOENT;
        if ((rc = claim(dev, ep->ifnum)) < 0 || req == USBDEVFS_RESETEP)
            return rc;
        /* CLEAR_FEATURE(ENDPOINT_HALT) */
        rc = usbfs_control(dev, 0x02, 1, 0, ep->addr, NULL, 0, USBFS_NET_TIMEOUT_MS);
        return rc < 0 ? rc : 0;
    }
    case USBDEVFS_GETDRIVER: {
        struct usbdevfs_getdriver g;
        if ((rc = usbfs_copy_in(&g, arg, sizeof g)) < 0)
            return rc;
        return usbfs_has_interface(dev, g.interface) ? -ENODATA : -EINVAL;
    }
    case USBDEVFS_DISCONNECT_CLAIM: {
        struct usbdevfs_disconnect_claim d;
        if ((rc = usbfs_copy_in(&d, arg, sizeof d)) < 0)
            return rc;
        return claim(dev, d.interface);
    }
    case USBDEVFS_CONNECTINFO: {
        struct usbdevfs_connectinfo ci = { .devnum = dev->devnum, .slow = dev->speed == 1 };
        return usbfs_copy_out(arg, &ci, sizeof ci);
    }
    case USBDEVFS_GET_CAPABILITIES:
        v = CAPS;
        return usbfs_copy_out(arg, &v, sizeof v);
    case USBDEVFS_DROP_PRIVILEGES:
        if ((rc = get_uint(arg, &v)) < 0)
            return rc;
        dev->allowed_mask = dev->privileges_dropped ? dev->allowed_mask & v : v;
        dev->privileges_dropped = true;
        return 0;
    case USBDEVFS_GET_SPEED:
        return (int)dev->speed;
    case USBDEVFS_CONTROL:
        return do_control(dev, arg);
    case USBDEVFS_BULK:
        return do_bulk(dev, arg);
    case USBDEVFS_SUBMITURB:
        return submit_urb(dev, arg);
    case USBDEVFS_DISCARDURB:
        rc = usbfs_conn_discard(dev, arg);
        USBFS_TRACE("%s: DISCARDURB %p: %d", dev->busid, arg, rc);
        return rc;
    case USBDEVFS_IOCTL:
        return driver_ioctl(dev, arg);
    case USBDEVFS_RESET:
        if (dev->privileges_dropped)
            return -EACCES;
        usbfs_conn_stop(dev);
        pthread_mutex_lock(&dev->lock);
        dev->closing = false;
        pthread_mutex_unlock(&dev->lock);
        rc = usbfs_reset(dev);
        if (rc < 0) {
            pthread_mutex_lock(&dev->lock);
            dev->gone = true;
            usbfs_update_ready(dev);
            pthread_mutex_unlock(&dev->lock);
            return -ENODEV;
        }
        return 0;
    case USBDEVFS_FORBID_SUSPEND:
    case USBDEVFS_ALLOW_SUSPEND:
        return 0;                       /* nothing suspends here */
    default:
        if (_IOC_TYPE(req) == 'U' && _IOC_NR(req) == 32 && _IOC_DIR(req) == _IOC_READ)
            return conninfo_ex(dev, arg, _IOC_SIZE(req));
        return -ENOTTY;
    }
}

int usbfs_ioctl(struct usbfs_dev *dev, unsigned long req, void *arg)
{
    if (dev->accmode == O_RDONLY)       /* usbdev_do_ioctl(): FMODE_WRITE */
        return -EPERM;
    /* Reap operations are allowed even after disconnection. */
    if (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY)
        return reap(dev, arg, req == USBDEVFS_REAPURB);
    pthread_mutex_lock(&dev->lock);
    bool gone = dev->gone;
    pthread_mutex_unlock(&dev->lock);
    if (gone) {
        USBFS_TRACE("%s: ioctl %#lx: device gone", dev->busid, req);
        return -ENODEV;
    }
    int rc = simple(dev, req, arg);
    if (req != USBDEVFS_SUBMITURB && req != USBDEVFS_CONTROL && req != USBDEVFS_BULK
        && req != USBDEVFS_DISCARDURB)
        USBFS_TRACE("%s: ioctl %#lx: %d", dev->busid, req, rc);
    return rc;
}
