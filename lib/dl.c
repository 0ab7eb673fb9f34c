/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lib/dl.h"

#include <dlfcn.h>
#include <stdio.h>

void *dl_load(const char *soname, const char *package, int flags, const char *const *names,
              void **const *slots, size_t n, char *err, size_t cap)
{
    void *lib = dlopen(soname, flags);
    if (!lib) {
        snprintf(err, cap, "%s (Debian package %s)", dlerror(), package);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        /* POSIX dlsym: a data pointer converts to a function pointer */
        if (!(*slots[i] = dlsym(lib, names[i]))) {
            snprintf(err, cap, "%s has no %s", soname, names[i]);
            dlclose(lib);
            return NULL;
        }
    }
    return lib;
}
