/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/dl.c: a library loaded when first needed, its symbols into a table. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <string.h>

#include "lib/dl.h"

struct m_api {
    double (*cos)(double);
    double (*sqrt)(double);
};

Test(dl, resolves_every_name_into_its_slot)
{
    struct m_api m = {0};
    static const char *const names[] = {"cos", "sqrt"};
    void **slots[] = {(void **)&m.cos, (void **)&m.sqrt};
    char err[256] = "";
    void *lib = dl_load("libm.so.6", "libc6", RTLD_NOW | RTLD_LOCAL, names, slots, 2, err,
                        sizeof err);
    cr_assert_not_null(lib, "%s", err);
    cr_expect_eq(m.sqrt(16.0), 4.0);
    cr_expect_eq(m.cos(0.0), 1.0);
    dlclose(lib);
}

Test(dl, a_missing_library_names_its_debian_package)
{
    static const char *const names[] = {"x"};
    void *x = NULL;
    void **slots[] = {&x};
    char err[256] = "";
    cr_expect_null(dl_load("libvstm32-no-such.so.7", "libvstm32-no-such7", RTLD_NOW, names, slots,
                           1, err, sizeof err));
    cr_expect(strstr(err, "libvstm32-no-such.so.7"), "%s", err);
    cr_expect(strstr(err, "(Debian package libvstm32-no-such7)"), "%s", err);
}

Test(dl, a_missing_symbol_is_named_and_nothing_is_kept)
{
    struct m_api m = {0};
    static const char *const names[] = {"cos", "vstm32_no_such_symbol"};
    void **slots[] = {(void **)&m.cos, (void **)&m.sqrt};
    char err[256] = "";
    cr_expect_null(dl_load("libm.so.6", "libc6", RTLD_NOW | RTLD_LOCAL, names, slots, 2, err,
                           sizeof err));
    cr_expect_str_eq(err, "libm.so.6 has no vstm32_no_such_symbol");
}
