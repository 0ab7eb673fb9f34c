/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usbfs-probe NODE CHECK [CMD...]: raw open/ioctl/poll/read on a usbfs node,
 * nothing else, run under LD_PRELOAD=build/usbfs/libvstm32-usbfs.so by
 * host-tests/tools/test_usbfs_preload.c.  Prints what it saw, one
 * "name: value" line each; the test compares them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* ST-Link/V2 (emulator/stlink/stlink_desc.c): bulk OUT 0x02, IN 0x81 */
#define STL_OUT 0x02
#define STL_IN  0x81

static int fd;

static void hex(const char *name, const uint8_t *p, int n)
{
    printf("%s:", name);
    for (int i = 0; i < n; i++)
        printf(" %02x", p[i]);
    printf("\n");
}

static const char *err(int rc)
{
    return rc < 0 ? strerrorname_np(errno) : "ok";
}

static int control(uint8_t type, uint8_t req, uint16_t value, uint16_t index, void *data,
                   uint16_t len)
{
    struct usbdevfs_ctrltransfer c = { type, req, value, index, len, 5000, data };
    return ioctl(fd, USBDEVFS_CONTROL, &c);
}

static void check_devdesc(void)
{
    uint8_t d[18], r[64];
    int n = control(0x80, 6, 0x0100, 0, d, sizeof d);
    if (n != 18) {
        printf("devdesc: %s %d\n", err(n), n);
        return;
    }
    hex("devdesc", d, n);
    ssize_t got = read(fd, r, sizeof r);        /* devio.c usbdev_read() */
    hex("read", r, got > 27 ? 27 : (int)got);
    printf("lseek: %ld\n", (long)lseek(fd, 0, SEEK_SET));
    got = read(fd, r, 4);
    hex("reread", r, (int)got);
    struct stat st;
    fstat(fd, &st);
    printf("fstat: chr %d rdev %u:%u\n", S_ISCHR(st.st_mode), major(st.st_rdev),
           minor(st.st_rdev));
}

static void check_getstatus(void)
{
    uint8_t st[6];
    int n = control(0xA1, 3, 0, 0, st, sizeof st);
    if (n < 0)
        printf("getstatus: %s\n", err(n));
    else
        hex("getstatus", st, n);
}

static const uint8_t get_version[16] = { 0xF1 };

static void check_stlink_bulk(void)
{
    unsigned intf = 0;
    printf("claim: %s\n", err(ioctl(fd, USBDEVFS_CLAIMINTERFACE, &intf)));
    uint8_t reply[6];
    struct usbdevfs_bulktransfer out = { STL_OUT, 16, 5000, (void *)get_version };
    struct usbdevfs_bulktransfer in = { STL_IN, 6, 5000, reply };
    int n = ioctl(fd, USBDEVFS_BULK, &out);
    printf("bulk out: %d\n", n);
    n = ioctl(fd, USBDEVFS_BULK, &in);
    if (n < 0)
        printf("bulk in: %s\n", err(n));
    else
        hex("version", reply, n);
}

static short poll_now(int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    return poll(&p, 1, timeout_ms) > 0 ? p.revents : 0;
}

/* Reaps one URB once poll says so; returns it (NULL on failure). */
static struct usbdevfs_urb *poll_and_reap(void)
{
    for (int i = 0; i < 10; i++) {
        if (!(poll_now(1000) & POLLOUT))
            continue;
        struct usbdevfs_urb *u = NULL;
        if (ioctl(fd, USBDEVFS_REAPURB, &u) < 0) {
            printf("reap: %s\n", err(-1));
            return NULL;
        }
        return u;
    }
    printf("reap: poll never said POLLOUT\n");
    return NULL;
}

static void check_stlink_urb(void)
{
    uint8_t cmd[16], reply[6] = { 0 };
    memcpy(cmd, get_version, sizeof cmd);
    struct usbdevfs_urb out = { .type = USBDEVFS_URB_TYPE_BULK, .endpoint = STL_OUT,
                                .buffer = cmd, .buffer_length = 16 };
    struct usbdevfs_urb in = { .type = USBDEVFS_URB_TYPE_BULK, .endpoint = STL_IN,
                               .buffer = reply, .buffer_length = 6 };
    printf("idle revents: %#x\n", poll_now(0));
    printf("submit out: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &out)));
    printf("submit in: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &in)));
    struct usbdevfs_urb *a = poll_and_reap(), *b = a ? poll_and_reap() : NULL;
    printf("reaped: %s %s\n", a == &out ? "out" : a == &in ? "in" : "?",
           b == &out ? "out" : b == &in ? "in" : "?");
    printf("status: %d %d actual: %d %d\n", out.status, in.status, out.actual_length,
           in.actual_length);
    hex("version", reply, in.actual_length);
    printf("drained revents: %#x\n", poll_now(0));
}

static void check_discard(void)
{
    uint8_t buf[64];
    struct usbdevfs_urb in = { .type = USBDEVFS_URB_TYPE_BULK, .endpoint = STL_IN,
                               .buffer = buf, .buffer_length = sizeof buf };
    printf("submit: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &in)));
    printf("pending revents: %#x\n", poll_now(200));
    printf("discard: %s\n", err(ioctl(fd, USBDEVFS_DISCARDURB, &in)));
    struct usbdevfs_urb *u = poll_and_reap();
    printf("discarded: same %d status %d actual %d\n", u == &in, in.status, in.actual_length);
    printf("discard again: %s\n", err(ioctl(fd, USBDEVFS_DISCARDURB, &in)));
}

static void check_errors(void)
{
    uint8_t buf[16];
    struct usbdevfs_urb *u;
    printf("unknown ioctl: %s\n", err(ioctl(fd, _IO('U', 99), NULL)));
    printf("reap nothing: %s\n", err(ioctl(fd, USBDEVFS_REAPURBNDELAY, &u)));
    printf("control 5000: %s\n", err(control(0x80, 6, 0x0100, 0, buf, 5000)));
    printf("control null: %s\n", err(control(0x80, 6, 0x0100, 0, NULL, 18)));
    printf("control unmapped: %s\n", err(control(0x80, 6, 0x0100, 0, (void *)16, 18)));
    printf("ctrl arg unmapped: %s\n", err(ioctl(fd, USBDEVFS_CONTROL, (void *)16)));
    struct usbdevfs_urb bad = { .type = USBDEVFS_URB_TYPE_BULK, .endpoint = STL_IN,
                                .buffer = buf, .buffer_length = -1 };
    printf("urb length -1: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &bad)));
    bad = (struct usbdevfs_urb){ .type = USBDEVFS_URB_TYPE_CONTROL, .buffer = buf,
                                 .buffer_length = 4 };
    printf("control urb 4: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &bad)));
    bad = (struct usbdevfs_urb){ .type = USBDEVFS_URB_TYPE_BULK, .endpoint = 0x85,
                                 .buffer = buf, .buffer_length = 16 };
    printf("no endpoint: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &bad)));
    bad.type = USBDEVFS_URB_TYPE_ISO;
    bad.endpoint = STL_IN;
    printf("iso urb: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &bad)));
    unsigned intf = 7;
    printf("claim 7: %s\n", err(ioctl(fd, USBDEVFS_CLAIMINTERFACE, &intf)));
    struct usbdevfs_getdriver gd = { .interface = 0 };
    printf("getdriver: %s\n", err(ioctl(fd, USBDEVFS_GETDRIVER, &gd)));
    uint32_t caps = 0;
    ioctl(fd, USBDEVFS_GET_CAPABILITIES, &caps);
    printf("caps: %#x\n", caps);
    printf("speed: %d\n", ioctl(fd, USBDEVFS_GET_SPEED));
}

/* ---- several threads on one fd (issue 21: the waiting thread reads) ------ */

/* The F446 ROM's GETSTATUS while in dfuERROR (check_getstatus) */
static const uint8_t dfu_error_status[6] = { 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00 };

#define THREADS     3                  /* and a blocking reaper */
#define THREAD_URBS 100

struct status_urb {
    struct usbdevfs_urb urb;
    uint8_t buf[8 + 6];                 /* setup, then the 6 status bytes */
    atomic_int reaped;                  /* by any thread */
};

static atomic_int reaped_total, reaped_twice, bad_status, bad_data, reap_errors;

static void status_urb_init(struct status_urb *s)
{
    static const uint8_t setup[8] = { 0xA1, 3, 0, 0, 0, 0, 6, 0 };   /* GETSTATUS */
    memset(s, 0, sizeof *s);
    memcpy(s->buf, setup, sizeof setup);
    s->urb = (struct usbdevfs_urb){ .type = USBDEVFS_URB_TYPE_CONTROL, .endpoint = 0,
                                    .buffer = s->buf, .buffer_length = sizeof s->buf,
                                    .usercontext = s };
}

/* A reaped URB, whoever submitted it: counted and checked. */
static void account(struct usbdevfs_urb *u)
{
    struct status_urb *s = u->usercontext;
    if (atomic_fetch_add(&s->reaped, 1) != 0)
        atomic_fetch_add(&reaped_twice, 1);
    atomic_fetch_add(&reaped_total, 1);
    if (u->status != 0 || u->actual_length != 6)
        atomic_fetch_add(&bad_status, 1);
    else if (memcmp(s->buf + 8, dfu_error_status, 6) != 0)
        atomic_fetch_add(&bad_data, 1);
}

/* Polls until mine has been reaped by any thread, reaping whatever is
 * there. */
static void wait_reaped(struct status_urb *mine)
{
    for (int spins = 0; spins < 200 && !atomic_load(&mine->reaped); spins++) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        if (poll(&p, 1, 100) <= 0)
            continue;
        struct usbdevfs_urb *u = NULL;
        while (ioctl(fd, USBDEVFS_REAPURBNDELAY, &u) == 0)
            account(u);
        if (errno != EAGAIN)
            atomic_fetch_add(&reap_errors, 1);
    }
}

static void *submitter_main(void *arg)
{
    struct status_urb *urbs = arg;
    for (int i = 0; i < THREAD_URBS; i++) {
        status_urb_init(&urbs[i]);
        if (ioctl(fd, USBDEVFS_SUBMITURB, &urbs[i].urb) < 0) {
            atomic_fetch_add(&reap_errors, 1);
            continue;
        }
        wait_reaped(&urbs[i]);
    }
    return NULL;
}

/* Blocks in REAPURB, again and again, until it reaps the sentinel. */
static void *reaper_main(void *sentinel)
{
    for (;;) {
        struct usbdevfs_urb *u = NULL;
        if (ioctl(fd, USBDEVFS_REAPURB, &u) < 0) {
            atomic_fetch_add(&reap_errors, 1);
            return NULL;
        }
        if (u == sentinel)
            return NULL;
        account(u);
    }
}

/* Threads submit GETSTATUS URBs on the one fd and wait for them in poll(),
 * each reaping whatever is there, while another thread blocks in REAPURB
 * and takes what it can: URBs are reaped by threads other than their
 * submitters, while one thread or another reads the socket.  Each comes
 * back once, with its own data. */
static void check_threads(void)
{
    static struct status_urb urbs[THREADS][THREAD_URBS], sentinel;
    pthread_t t[THREADS], reaper;
    pthread_create(&reaper, NULL, reaper_main, &sentinel.urb);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, submitter_main, urbs[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    status_urb_init(&sentinel);
    if (ioctl(fd, USBDEVFS_SUBMITURB, &sentinel.urb) == 0)
        pthread_join(reaper, NULL);
    struct usbdevfs_urb *u;
    printf("threads: reaped %d of %d, twice %d, bad status %d, bad data %d, errors %d\n",
           atomic_load(&reaped_total), THREADS * THREAD_URBS, atomic_load(&reaped_twice),
           atomic_load(&bad_status), atomic_load(&bad_data), atomic_load(&reap_errors));
    printf("left over: %s\n", err(ioctl(fd, USBDEVFS_REAPURBNDELAY, &u)));
}

static void *blocking_reaper_main(void *arg)
{
    struct usbdevfs_urb **out = arg;
    if (ioctl(fd, USBDEVFS_REAPURB, out) < 0)
        *out = NULL;
    return NULL;
}

/* A thread blocks in REAPURB before the URB is even submitted; the
 * submitter then polls with a short time-out, which must not take the
 * answer from it for good. */
static void check_reap_in_other_thread(void)
{
    static struct status_urb s;
    status_urb_init(&s);
    struct usbdevfs_urb *got = NULL;
    pthread_t t;
    pthread_create(&t, NULL, blocking_reaper_main, &got);
    struct timespec pause = { 0, 50 * 1000 * 1000 };
    nanosleep(&pause, NULL);            /* the reaper is waiting */
    printf("submit: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &s.urb)));
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    poll(&p, 1, 100);
    pthread_join(t, NULL);
    printf("other thread reaped: same %d status %d actual %d\n", got == &s.urb, s.urb.status,
           s.urb.actual_length);
    hex("status", s.buf + 8, s.urb.actual_length);
}

/* DISCARDURB right behind SUBMITURB, again and again: the answer and the
 * unlink race.  Each URB comes back once, done (0, its data) or unlinked
 * (-ENOENT), and nothing is left behind. */
static void check_unlink_race(void)
{
    enum { ROUNDS = 200 };
    int once = 0, done = 0, unlinked = 0, other = 0;
    static struct status_urb s;
    for (int i = 0; i < ROUNDS; i++) {
        status_urb_init(&s);
        if (ioctl(fd, USBDEVFS_SUBMITURB, &s.urb) < 0)
            break;
        int d = ioctl(fd, USBDEVFS_DISCARDURB, &s.urb);
        if (d < 0 && errno != EINVAL)
            other++;
        struct usbdevfs_urb *u = poll_and_reap();
        if (u != &s.urb) {
            other++;
            continue;
        }
        once++;
        if (s.urb.status == 0 && s.urb.actual_length == 6 && !memcmp(s.buf + 8, dfu_error_status, 6))
            done++;
        else if (s.urb.status == -ENOENT && s.urb.actual_length == 0)
            unlinked++;
        else
            other++;
    }
    struct usbdevfs_urb *u;
    printf("unlink race: %d rounds, reaped %d, done or unlinked %d, other %d\n", ROUNDS, once,
           done + unlinked, other);
    printf("left over: %s\n", err(ioctl(fd, USBDEVFS_REAPURBNDELAY, &u)));
}

/* A caller that waits in epoll, not poll(), right after one that polled:
 * nobody we see is waiting, so the reader thread must read (after its
 * standby). */
static void check_epoll_after_poll(void)
{
    static struct status_urb s;
    status_urb_init(&s);
    printf("submit: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &s.urb)));
    struct usbdevfs_urb *first = poll_and_reap();
    status_urb_init(&s);
    printf("submit: %s\n", err(ioctl(fd, USBDEVFS_SUBMITURB, &s.urb)));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLOUT }, got;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    int n = epoll_wait(ep, &got, 1, 5000);
    close(ep);
    struct usbdevfs_urb *u = NULL;
    int r = n == 1 ? ioctl(fd, USBDEVFS_REAPURBNDELAY, &u) : -1;
    printf("epoll: ready %d out %d reap %s same %d%d status %d\n", n,
           n == 1 && (got.events & EPOLLOUT), err(r), first == &s.urb, u == &s.urb, s.urb.status);
}

/* Runs cmd (which makes the device re-enumerate), then looks at the fd. */
static void check_gone(char **cmd)
{
    check_getstatus();
    pid_t pid = fork();
    if (pid == 0) {
        execvp(cmd[0], cmd);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("cmd exit: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    short rev = poll_now(10000);
    printf("gone revents: err %d\n", (rev & POLLERR) != 0);
    uint8_t st[6];
    printf("control after: %s\n", err(control(0xA1, 3, 0, 0, st, sizeof st)));
    struct usbdevfs_urb *u;
    printf("reap after: %s\n", err(ioctl(fd, USBDEVFS_REAPURBNDELAY, &u)));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: usbfs-probe NODE devdesc|getstatus|stlink-bulk|stlink-urb|"
                        "discard|errors|threads|reap-other-thread|unlink-race|epoll-after-poll|"
                        "gone CMD...\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    fd = open(argv[1], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        printf("open: %s\n", strerrorname_np(errno));
        return 1;
    }
    const char *c = argv[2];
    if (!strcmp(c, "devdesc"))
        check_devdesc();
    else if (!strcmp(c, "getstatus"))
        check_getstatus();
    else if (!strcmp(c, "stlink-bulk"))
        check_stlink_bulk();
    else if (!strcmp(c, "stlink-urb"))
        check_stlink_urb();
    else if (!strcmp(c, "discard"))
        check_discard();
    else if (!strcmp(c, "errors"))
        check_errors();
    else if (!strcmp(c, "threads"))
        check_threads();
    else if (!strcmp(c, "reap-other-thread"))
        check_reap_in_other_thread();
    else if (!strcmp(c, "unlink-race"))
        check_unlink_race();
    else if (!strcmp(c, "epoll-after-poll"))
        check_epoll_after_poll();
    else if (!strcmp(c, "gone") && argc > 3)
        check_gone(argv + 3);
    else
        return 2;
    printf("close: %s\n", err(close(fd)));
    return 0;
}
