/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A board's chip memories, resident only where written.
 *
 * Flash reads as its erased value (0xFF on most parts) until programmed,
 * so a farm of 1024 F407s would hold 1 GiB of 0xFF with malloc and memset.
 * Here every large block filled with a non-zero value is a private,
 * copy-on-write mapping of one shared memfd that holds that value: a page
 * nobody wrote is the shared page (or no page at all until read), a page a
 * host programmed becomes the board's own.  Zero-filled blocks (SRAM) are
 * anonymous mappings, zero pages until written.  Small blocks (option
 * areas, a few bytes of system memory) stay on the heap.
 *
 * Installed by board_new() for every chip a board makes (chip_set_mem_ops,
 * models/chip.h); models/ itself does no I/O.
 */
#include "emulator/board/board_mem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "models/chip.h"

#define LAZY_MIN (64u << 10)    /* smaller blocks: the heap */
#define MAX_FILLS 4             /* distinct non-zero fill values seen at once */

struct fill_file {
    int fd;
    uint8_t value;
    size_t size;                /* bytes of `value` in the file */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fill_file files[MAX_FILLS];
static unsigned nfiles;

static size_t page_round(size_t n)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    return (n + pg - 1) / pg * pg;
}

/* The shared file of `value`, at least n bytes long; -1 if none. */
static int fill_fd(uint8_t value, size_t n)
{
    struct fill_file *f = NULL;
    for (unsigned i = 0; i < nfiles && !f; i++)
        if (files[i].value == value)
            f = &files[i];
    if (!f) {
        if (nfiles == MAX_FILLS)
            return -1;
        int fd = memfd_create("vstm32-erased", MFD_CLOEXEC);
        if (fd < 0)
            return -1;
        f = &files[nfiles++];
        *f = (struct fill_file){ .fd = fd, .value = value };
    }
    if (f->size < n) {
        uint8_t chunk[65536];
        memset(chunk, value, sizeof chunk);
        for (size_t off = f->size; off < n; off += sizeof chunk) {
            size_t len = n - off < sizeof chunk ? n - off : sizeof chunk;
            if (pwrite(f->fd, chunk, len, (off_t)off) != (ssize_t)len)
                return -1;
        }
        f->size = n;
    }
    return f->fd;
}

static void *lazy_alloc(size_t n, uint8_t fill)
{
    if (n < LAZY_MIN) {
        uint8_t *b = malloc(n ? n : 1);
        if (b)
            memset(b, fill, n);
        return b;
    }
    size_t len = page_round(n);
    void *p = MAP_FAILED;
    if (fill != 0) {
        pthread_mutex_lock(&lock);
        int fd = fill_fd(fill, len);
        if (fd >= 0)
            p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        pthread_mutex_unlock(&lock);
    }
    if (p == MAP_FAILED) {
        /* zero-filled, or no shared file to map: anonymous pages (filled
         * here when they must not read as zero, and then all resident) */
        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        if (fill != 0)
            memset(p, fill, n);
    }
    return p;
}

static void lazy_release(void *p, size_t n)
{
    if (n < LAZY_MIN)
        free(p);
    else
        munmap(p, page_round(n));
}

static const struct chip_mem_ops lazy_ops = { lazy_alloc, lazy_release };

void board_mem_install(void)
{
    chip_set_mem_ops(&lazy_ops);
}
