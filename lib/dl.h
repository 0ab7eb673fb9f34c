/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A shared library loaded with dlopen when first needed instead of linked
 * (libunicorn, libmicrohttpd, libumockdev: see their loaders), and its
 * symbols resolved into the function pointers of an API table.
 */
#ifndef VSTM32_DL_H
#define VSTM32_DL_H

#include <stddef.h>

/* dlopen(soname, flags), then *slots[i] = dlsym(names[i]) for i < n.
 * Returns the handle, or NULL with why in err: dlerror()'s text and the
 * Debian package that carries soname, or the first symbol missing. */
void *dl_load(const char *soname, const char *package, int flags, const char *const *names,
              void **const *slots, size_t n, char *err, size_t cap);

#endif
