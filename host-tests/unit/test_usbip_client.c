/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/usbip_client.c against a scripted peer: the exact request bytes of
 * OP_REQ_DEVLIST and OP_REQ_IMPORT (tools/usb/usbip/src/usbip_network.h),
 * and every way a reply can break the protocol -- a count past the
 * caller's bound, a wrong code or version, a reply cut short, silence, a
 * status no errno can be confused with.  The peer is the other end of a
 * socketpair: its replies are written before the call, its received
 * request read after.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/usbip_client.h"
#include "lib/usbip_proto.h"

#define T_MS 5000

static int client_fd, peer_fd;

static void pair_up(void)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    client_fd = sv[0];
    peer_fd = sv[1];
}

static void pair_down(void)
{
    close(client_fd);
    if (peer_fd >= 0)
        close(peer_fd);
}

TestSuite(usbip_client, .init = pair_up, .fini = pair_down);

/* A new peer for the next case of the same test. */
static void fresh_pair(void)
{
    pair_down();
    pair_up();
}

static void peer_send(const void *data, size_t len)
{
    cr_assert_eq(write(peer_fd, data, len), (ssize_t)len);
}

static void peer_op(uint16_t code, uint32_t status)
{
    uint8_t wire[USBIP_OP_COMMON_SIZE];
    struct usbip_op_common op = { USBIP_VERSION, code, status };
    usbip_op_common_pack(&op, wire);
    peer_send(wire, sizeof wire);
}

static void peer_u32(uint32_t v)
{
    uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    peer_send(be, 4);
}

static void peer_device(const char *busid, uint16_t pid, uint8_t nintf)
{
    struct usbip_usb_device d = { .busnum = 1, .devnum = 7, .speed = 2, .idVendor = 0x0483,
                                  .idProduct = pid, .bNumInterfaces = nintf };
    snprintf(d.path, sizeof d.path, "/sys/devices/vstm32/%s", busid);
    snprintf(d.busid, sizeof d.busid, "%s", busid);
    uint8_t wire[USBIP_USB_DEVICE_SIZE];
    usbip_usb_device_pack(&d, wire);
    peer_send(wire, sizeof wire);
    for (uint8_t k = 0; k < nintf; k++) {
        struct usbip_usb_interface in = { .bInterfaceClass = 0xFE, .bInterfaceSubClass = k,
                                          .bInterfaceProtocol = 2 };
        uint8_t iw[USBIP_USB_INTERFACE_SIZE];
        usbip_usb_interface_pack(&in, iw);
        peer_send(iw, sizeof iw);
    }
}

/* What the client sent, all of it (the peer end is non-blocking here). */
static size_t peer_received(uint8_t *buf, size_t cap)
{
    fcntl(peer_fd, F_SETFL, O_NONBLOCK);
    ssize_t n = read(peer_fd, buf, cap);
    return n < 0 ? 0 : (size_t)n;
}

Test(usbip_client, devlist_sends_the_request_and_reads_devices_and_interfaces)
{
    peer_op(USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
    peer_u32(2);
    peer_device("1-1", 0xDF11, 2);
    peer_device("1-2", 0x3748, 0);
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_request_devlist(client_fd, 127, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(devs[0].udev.busid, "1-1");
    cr_assert_str_eq(devs[0].udev.path, "/sys/devices/vstm32/1-1");
    cr_assert_eq(devs[0].udev.idProduct, 0xDF11);
    cr_assert_eq(devs[0].intf[0].bInterfaceClass, 0xFE);
    cr_assert_eq(devs[0].intf[1].bInterfaceSubClass, 1);
    cr_assert_str_eq(devs[1].udev.busid, "1-2");
    cr_assert_eq(devs[1].udev.idProduct, 0x3748);
    free(devs);

    uint8_t req[64];
    static const uint8_t want[] = { 0x01, 0x11, 0x80, 0x05, 0, 0, 0, 0 };
    cr_assert_eq(peer_received(req, sizeof req), sizeof want);
    cr_assert_eq(memcmp(req, want, sizeof want), 0);
}

Test(usbip_client, devlist_keeps_in_step_past_32_interfaces)
{
    peer_op(USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
    peer_u32(2);
    peer_device("1-1", 0x0001, 40);    /* 8 records past USBIP_CLIENT_MAX_INTERFACES */
    peer_device("1-2", 0x0002, 1);
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_request_devlist(client_fd, 127, T_MS, &devs, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(devs[0].intf[31].bInterfaceSubClass, 31);
    cr_assert_str_eq(devs[1].udev.busid, "1-2");
    cr_assert_eq(devs[1].udev.idProduct, 0x0002);
    free(devs);
}

Test(usbip_client, devlist_count_past_the_bound_is_a_protocol_error)
{
    peer_op(USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
    peer_u32(128);
    struct usbip_client_device *devs = (void *)&devs;
    size_t n = 99;
    cr_assert_eq(usbip_request_devlist(client_fd, 127, T_MS, &devs, &n), -EPROTO);
    cr_assert_null(devs);
    cr_assert_eq(n, 0);
}

Test(usbip_client, devlist_answered_with_another_code_or_version_is_a_protocol_error)
{
    peer_op(USBIP_OP_REP_IMPORT, USBIP_ST_OK);
    peer_u32(0);
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_request_devlist(client_fd, 127, T_MS, &devs, &n), -EPROTO);

    fresh_pair();
    static const uint8_t v110[] = { 0x01, 0x10, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0 };
    peer_send(v110, sizeof v110);
    cr_assert_eq(usbip_request_devlist(client_fd, 127, T_MS, &devs, &n), -EPROTO);
}

Test(usbip_client, devlist_cut_short_is_a_reset_and_silence_a_timeout)
{
    peer_op(USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
    peer_u32(1);
    uint8_t half[USBIP_USB_DEVICE_SIZE / 2] = { 0 };
    peer_send(half, sizeof half);
    shutdown(peer_fd, SHUT_WR);
    struct usbip_client_device *devs;
    size_t n;
    cr_assert_eq(usbip_request_devlist(client_fd, 127, T_MS, &devs, &n), -ECONNRESET);
    cr_assert_null(devs);

    fresh_pair();
    cr_assert_eq(usbip_request_devlist(client_fd, 127, 20, &devs, &n), -ETIMEDOUT);
}

Test(usbip_client, import_sends_the_busid_nul_padded_and_reads_the_device)
{
    peer_op(USBIP_OP_REP_IMPORT, USBIP_ST_OK);
    peer_device("2-4", 0xDF11, 0);
    struct usbip_usb_device d;
    cr_assert_eq(usbip_request_import(client_fd, "2-4", T_MS, &d), 0);
    cr_assert_str_eq(d.busid, "2-4");
    cr_assert_eq(usbip_devid(d.busnum, d.devnum), (1u << 16) | 7u);

    uint8_t req[64], want[USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE] = {
        0x01, 0x11, 0x80, 0x03, 0, 0, 0, 0, '2', '-', '4',
    };
    cr_assert_eq(peer_received(req, sizeof req), sizeof want);
    cr_assert_eq(memcmp(req, want, sizeof want), 0);
}

Test(usbip_client, import_sends_a_32_byte_busid_without_a_nul)
{
    const char *busid = "1-1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";     /* 39 bytes */
    peer_op(USBIP_OP_REP_IMPORT, USBIP_ST_NODEV);
    cr_assert_eq(usbip_request_import(client_fd, busid, T_MS, NULL), USBIP_ST_NODEV);
    uint8_t req[64];
    cr_assert_eq(peer_received(req, sizeof req), USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE);
    cr_assert_eq(memcmp(req + USBIP_OP_COMMON_SIZE, busid, USBIP_BUSID_SIZE), 0);
}

Test(usbip_client, import_refusal_is_the_positive_status_and_a_huge_one_a_protocol_error)
{
    peer_op(USBIP_OP_REP_IMPORT, USBIP_ST_DEV_BUSY);
    cr_assert_eq(usbip_request_import(client_fd, "1-1", T_MS, NULL), USBIP_ST_DEV_BUSY);

    fresh_pair();
    peer_op(USBIP_OP_REP_IMPORT, 0x80000000u);
    cr_assert_eq(usbip_request_import(client_fd, "1-1", T_MS, NULL), -EPROTO);
}

/* A real TCP connection on loopback: blocking, with TCP_NODELAY. */
Test(usbip_client, connect_gives_a_blocking_socket_without_nagle)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(lfd, 1), 0);
    cr_assert_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)ntohs(a.sin_port));
    int gai = -1;
    int fd = usbip_net_connect("127.0.0.1", port, T_MS, &gai);
    cr_assert_geq(fd, 0, "connect: %s", strerror(-fd));
    cr_assert_eq(gai, 0);
    cr_assert_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    int nodelay = 0;
    socklen_t len = sizeof nodelay;
    cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
    cr_assert_eq(nodelay, 1);
    close(fd);
    close(lfd);
}

/* ---- usbip_net_send2 / usbip_net_recv (issue 21) ------------------------------- */

/* A CMD_SUBMIT header and its data leave in one sendmsg: on a
 * SOCK_SEQPACKET pair one record, read by one recv.  Two send() calls
 * (what the preload did) would be two records, and with TCP_NODELAY two
 * segments, the server waking for a header without its data. */
Test(usbip_client, send2_sends_header_and_data_as_one_message)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    uint8_t head[USBIP_HEADER_SIZE], data[2048], got[4096];
    for (size_t i = 0; i < sizeof head; i++)
        head[i] = (uint8_t)(0xa0 + i);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    cr_assert_eq(usbip_net_send2(sv[0], head, sizeof head, data, sizeof data,
                                 usbip_net_deadline(T_MS)), 0);
    ssize_t n = recv(sv[1], got, sizeof got, 0);
    cr_assert_eq(n, (ssize_t)(sizeof head + sizeof data), "one record of %zu bytes, got %zd",
                 sizeof head + sizeof data, n);
    cr_assert_arr_eq(got, head, sizeof head);
    cr_assert_arr_eq(got + sizeof head, data, sizeof data);
    /* no data: the header alone */
    cr_assert_eq(usbip_net_send2(sv[0], head, sizeof head, NULL, 0, usbip_net_deadline(T_MS)), 0);
    cr_assert_eq(recv(sv[1], got, sizeof got, 0), (ssize_t)sizeof head);
    cr_assert_arr_eq(got, head, sizeof head);
    close(sv[0]);
    close(sv[1]);
}

struct drain_arg {
    int fd;
    uint8_t *buf;
    size_t len;
    size_t got;
};

static void *drain_main(void *p)
{
    struct drain_arg *a = p;
    while (a->got < a->len) {
        ssize_t n = read(a->fd, a->buf + a->got, a->len - a->got);
        if (n <= 0)
            break;
        a->got += (size_t)n;
    }
    return NULL;
}

/* Far more than the socket buffer: sendmsg takes it in pieces (the
 * remainder of the header's iovec, then of the data's), nothing lost or
 * repeated. */
Test(usbip_client, send2_delivers_everything_past_a_full_socket_buffer)
{
    int small = 4096;
    setsockopt(client_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    enum { HEAD = 37, DATA = 1 << 20 };
    uint8_t *head = malloc(HEAD), *data = malloc(DATA), *got = malloc(HEAD + DATA);
    cr_assert(head && data && got);
    for (size_t i = 0; i < HEAD; i++)
        head[i] = (uint8_t)(i + 1);
    for (size_t i = 0; i < DATA; i++)
        data[i] = (uint8_t)(i ^ (i >> 9));
    struct drain_arg a = { peer_fd, got, HEAD + DATA, 0 };
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, drain_main, &a), 0);
    int rc = usbip_net_send2(client_fd, head, HEAD, data, DATA, usbip_net_deadline(T_MS));
    pthread_join(t, NULL);
    cr_assert_eq(rc, 0);
    cr_assert_eq(a.got, (size_t)(HEAD + DATA));
    cr_assert_arr_eq(got, head, HEAD);
    cr_assert_arr_eq(got + HEAD, data, DATA);
    free(head);
    free(data);
    free(got);
}

static void *dribble_main(void *p)
{
    int fd = *(int *)p;
    for (uint8_t i = 0; i < USBIP_HEADER_SIZE; i += 8) {
        uint8_t piece[8];
        for (uint8_t j = 0; j < 8; j++)
            piece[j] = (uint8_t)(i + j);
        if (write(fd, piece, sizeof piece) != (ssize_t)sizeof piece)
            break;
        usleep(2000);   /* only to split the message; nothing is timed */
    }
    return NULL;
}

/* No deadline: one blocking recv (MSG_WAITALL) that still returns the whole
 * message when it comes in pieces, and a reset when the peer goes away
 * in the middle of one. */
Test(usbip_client, recv_without_deadline_waits_for_the_whole_message)
{
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, dribble_main, &peer_fd), 0);
    uint8_t got[USBIP_HEADER_SIZE];
    cr_assert_eq(usbip_net_recv(client_fd, got, sizeof got, USBIP_NET_FOREVER), 0);
    pthread_join(t, NULL);
    for (size_t i = 0; i < sizeof got; i++)
        cr_assert_eq(got[i], (uint8_t)i);
    peer_send("abc", 3);
    close(peer_fd);
    peer_fd = -1;
    cr_assert_eq(usbip_net_recv(client_fd, got, sizeof got, USBIP_NET_FOREVER), -ECONNRESET);
}
