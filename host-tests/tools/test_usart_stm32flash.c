/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Debian's stm32flash 0.7 against the ROM's USART face (AN3155), on the
 * board's USART1 pty (`vstm32 run --board PART:usart -- stm32flash {tty}`).
 *
 * Depth per part, to keep the tier fast: the full set (info, write +
 * verify + go with the firmware's console line, read back, readout
 * protect with the read refused, readout unprotect with the mass erase,
 * erase) on one part of each protocol and controller kind -- f103xb (V2.2,
 * Erase 0x43, F0/F1), f407xg (F2/F4), l476xg (L4, two banks), h743zi (H7);
 * write + verify + go on every other part whose PID stm32flash 0.7 knows;
 * and on the parts it does not know (h723zg, wb55rg, l552ze, u575zi) the
 * exact "Unknown/unsupported device" line, which proves the ROM's Get ID.
 * h563zi's USART face is not modelled: the board is refused.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-tests/tools/stlink_fixture.h"

#define USART_TIMEOUT_S 60

static struct proc_result run_usart(const char *part, const char *state, const char *const *extra,
                                    const char *script)
{
    char board[64];
    snprintf(board, sizeof board, "%s:usart", part);
    char *tool[] = {"sh", "-c", (char *)script, NULL};
    return run_board_opts(board, state, extra, tool, USART_TIMEOUT_S);
}

static void expect_ok(struct proc_result *r, const char *what)
{
    cr_assert_eq(r->status, 0, "%s: exit %d\n%s", what, r->status, r->output);
}

static void expect_out(struct proc_result *r, const char *text)
{
    cr_expect(strstr(r->output, text) != NULL, "missing '%s' in:\n%s", text, r->output);
}

/* -w hello.bin -v -g 0x0: written, verified, started; the firmware's
 * console line comes out of the board afterwards. */
static void write_verify_go(const char *part, const char *state)
{
    char script[512], console[64];
    snprintf(script, sizeof script, "stm32flash -w '%s' -v -g 0x0 {tty}",
             firmware_path(part, "hello.bin"));
    snprintf(console, sizeof console, "hello from %s", part);
    const char *extra[] = {"--expect-console", console, NULL};
    struct proc_result r = run_usart(part, state, extra, script);
    expect_ok(&r, "stm32flash -w -v -g");
    expect_out(&r, "Interface serial_posix: 57600 8E1");
    expect_out(&r, "(100.00%) Done.");
    expect_out(&r, "Starting execution at address 0x08000000...");
    expect_out(&r, console);
    proc_result_free(&r);
}

static void full_set(const char *part, const char *version_line, const char *id_line)
{
    char *scratch;
    char *state = state_new(part, &scratch);
    char hello[PATH_MAX];
    cr_assert_not_null(realpath(firmware_path(part, "hello.bin"), hello));
    size_t hello_len;
    uint8_t *image = proc_read_file(hello, &hello_len);
    cr_assert_not_null(image);

    /* info */
    struct proc_result r = run_usart(part, state, NULL, "stm32flash {tty}");
    expect_ok(&r, "stm32flash (info)");
    expect_out(&r, version_line);
    expect_out(&r, "Option 1     : 0x00");
    expect_out(&r, id_line);
    proc_result_free(&r);

    write_verify_go(part, state);

    /* read back */
    char script[PATH_MAX + 256];
    snprintf(script, sizeof script,
             "stm32flash -r back.bin -S 0x08000000:%zu {tty} && cmp back.bin '%s' && echo SAME",
             hello_len, hello);
    char cwd_script[2 * PATH_MAX + 512];
    snprintf(cwd_script, sizeof cwd_script, "cd '%s' && %s", scratch, script);
    r = run_usart(part, state, NULL, cwd_script);
    expect_ok(&r, "stm32flash -r");
    expect_out(&r, "SAME");
    proc_result_free(&r);

    /* readout protect: RDP 1 after the ROM's reset, the read refused,
     * the flash kept */
    snprintf(cwd_script, sizeof cwd_script,
             "cd '%s' && stm32flash -j {tty} && ! stm32flash -r x.bin -S 0x08000000:16 {tty}",
             scratch);
    r = run_usart(part, state, NULL, cwd_script);
    expect_ok(&r, "stm32flash -j, then -r refused");
    expect_out(&r, "Read-Protecting flash\nDone.");
    expect_out(&r, "Got NACK from device on command 0x11");
    proc_result_free(&r);
    cr_expect_eq(inspect_rdp(state), 1);
    size_t flen;
    uint8_t *flash = state_flash(state, &flen);
    cr_expect_arr_eq(flash, image, hello_len, "readout protect erases nothing");
    free(flash);

    /* readout unprotect: RDP 0, main flash mass-erased */
    r = run_usart(part, state, NULL, "stm32flash -k {tty}");
    expect_ok(&r, "stm32flash -k");
    expect_out(&r, "Read-UnProtecting flash\nDone.");
    proc_result_free(&r);
    cr_expect_eq(inspect_rdp(state), 0);
    flash = state_flash(state, &flen);
    expect_fill(flash, 0, flen, 0xFF, "after readout unprotect");
    free(flash);

    /* erase: write, then -o (mass erase) */
    snprintf(script, sizeof script, "stm32flash -w '%s' {tty} && stm32flash -o {tty}", hello);
    r = run_usart(part, state, NULL, script);
    expect_ok(&r, "stm32flash -w, -o");
    expect_out(&r, "Erasing flash");
    proc_result_free(&r);
    flash = state_flash(state, &flen);
    expect_fill(flash, 0, flen, 0xFF, "after stm32flash -o");
    free(flash);

    free(image);
    proc_rmtree(scratch);
    free(scratch);
}

Test(usart_stm32flash, full_set_f103xb, .timeout = 300)
{
    full_set("f103xb", "Version      : 0x22", "Device ID    : 0x0410 (STM32F10xxx Medium-density)");
}

Test(usart_stm32flash, full_set_f407xg, .timeout = 300)
{
    full_set("f407xg", "Version      : 0x31", "Device ID    : 0x0413 (STM32F40xxx/41xxx)");
}

Test(usart_stm32flash, full_set_l476xg, .timeout = 300)
{
    full_set("l476xg", "Version      : 0x31", "Device ID    : 0x0415 (STM32L47xxx/48xxx)");
}

Test(usart_stm32flash, full_set_h743zi, .timeout = 300)
{
    full_set("h743zi", "Version      : 0x31", "Device ID    : 0x0450 (STM32H74xxx/75xxx)");
}

/* write + verify + go on the other parts stm32flash 0.7 knows */
#define WRITE_VERIFY_GO(p) \
    Test(usart_stm32flash, write_verify_go_##p, .timeout = 120) { write_verify_go(#p, NULL); }
WRITE_VERIFY_GO(f042x6)
WRITE_VERIFY_GO(f072xb)
WRITE_VERIFY_GO(f105rc)
WRITE_VERIFY_GO(f107vc)
WRITE_VERIFY_GO(f205rg)
WRITE_VERIFY_GO(f303vc)
WRITE_VERIFY_GO(f401xe)
WRITE_VERIFY_GO(f405xg)
WRITE_VERIFY_GO(f411xe)
WRITE_VERIFY_GO(f446xe)
WRITE_VERIFY_GO(f722xe)
WRITE_VERIFY_GO(f746xg)
WRITE_VERIFY_GO(f767zi)
WRITE_VERIFY_GO(l073xz)
WRITE_VERIFY_GO(l152re)
WRITE_VERIFY_GO(l412xb)
WRITE_VERIFY_GO(l4r5zi)
WRITE_VERIFY_GO(g071xb)
WRITE_VERIFY_GO(g0b1re)
WRITE_VERIFY_GO(g474xe)
WRITE_VERIFY_GO(h750vb)

/* stm32flash 0.7's device table lacks these PIDs: it says so, naming the
 * PID the ROM's Get ID sent */
#define UNKNOWN_PID(p, pid) \
    Test(usart_stm32flash, stm32flash_07_does_not_know_##p, .timeout = 120) \
    { \
        struct proc_result r = run_usart(#p, NULL, NULL, "stm32flash {tty}"); \
        cr_expect_eq(r.status, 1, "%s", r.output); \
        expect_out(&r, "Unknown/unsupported device (Device ID: " pid ")"); \
        proc_result_free(&r); \
    }
UNKNOWN_PID(h723zg, "0x483")
UNKNOWN_PID(wb55rg, "0x495")
UNKNOWN_PID(l552ze, "0x472")
UNKNOWN_PID(u575zi, "0x482")

Test(usart_stm32flash, h563zi_usart_face_is_refused_as_not_modelled)
{
    struct proc_result r = run_usart("h563zi", NULL, NULL, "stm32flash {tty}");
    cr_expect_neq(r.status, 0);
    expect_out(&r, "STM32H563ZI: the ROM's USART bootloader is not modelled");
    proc_result_free(&r);
}

/* --time real: the ROM's erase and program times pass on the wall clock
 * and stm32flash's own time-outs (1 s per block write) still hold */
Test(usart_stm32flash, write_verify_in_real_time_f407xg, .timeout = 120)
{
    char script[512];
    snprintf(script, sizeof script, "stm32flash -w '%s' -v {tty}",
             firmware_path("f407xg", "hello.bin"));
    const char *extra[] = {"--time", "real", NULL};
    struct proc_result r = run_usart("f407xg", NULL, extra, script);
    expect_ok(&r, "stm32flash -w -v, --time real");
    expect_out(&r, "(100.00%) Done.");
    proc_result_free(&r);
}

/* ---- faults from the field ------------------------------------------------- */

Test(usart_stm32flash, host_that_sends_no_0x7f_gets_no_answer, .timeout = 120)
{
    /* -c: "resume the connection (don't send initial INIT)" -- on a ROM
     * that never saw 0x7F nothing answers; the ROM is still waiting, and a
     * host that sends it next gets in */
    struct proc_result r = run_usart("f103xb", NULL, NULL,
                                     "! stm32flash -c {tty} && stm32flash {tty}");
    expect_ok(&r, "stm32flash -c fails, stm32flash then works");
    expect_out(&r, "Failed to read ACK byte");
    expect_out(&r, "Device ID    : 0x0410");
    proc_result_free(&r);
}

Test(usart_stm32flash, host_at_8n1_gets_in_then_nacks_on_parity, .timeout = 120)
{
    /* 0x7F's even-parity bit is 1, the 8N1 stop bit sits there: the
     * handshake works; Get (0x00 0xFF) has a parity error: NACK */
    struct proc_result r = run_usart("f103xb", NULL, NULL, "stm32flash -m 8n1 {tty}");
    cr_expect_eq(r.status, 1, "%s", r.output);
    expect_out(&r, "Interface serial_posix: 57600 8N1");
    expect_out(&r, "Got NACK from device on command 0x00");
    proc_result_free(&r);
}

Test(usart_stm32flash, write_protected_page_refuses_until_write_unprotect, .timeout = 120)
{
    /* a chip whose WRP0 bit 0 protects pages 0-3 (RM0008 4.4.4) */
    char *scratch = proc_mkdtemp("usart-wrp");
    char state[600];
    snprintf(state, sizeof state, "%s/chip", scratch);
    char *newcmd[] = {(char *)proc_vstm32(), "new", "f103xb", state, "--ob", "WRP0=0xFE", NULL};
    struct proc_result r = proc_run(newcmd, NULL, 30);
    cr_assert_eq(r.status, 0, "%s", r.output);
    proc_result_free(&r);

    char script[1024];
    const char *hello = firmware_path("f103xb", "hello.bin");
    snprintf(script, sizeof script, "! stm32flash -w '%s' {tty}", hello);
    r = run_usart("f103xb", state, NULL, script);
    expect_ok(&r, "stm32flash -w on a protected page fails");
    expect_out(&r, "Failed to erase memory");
    proc_result_free(&r);
    size_t flen;
    uint8_t *flash = state_flash(state, &flen);
    expect_fill(flash, 0, 0x1000, 0xFF, "protected pages untouched");
    free(flash);

    /* -u: the ROM clears WRP and resets; the write then works */
    snprintf(script, sizeof script, "stm32flash -u {tty} && stm32flash -w '%s' -v {tty}", hello);
    r = run_usart("f103xb", state, NULL, script);
    expect_ok(&r, "stm32flash -u, then -w");
    expect_out(&r, "Write-unprotecting flash\nDone.");
    expect_out(&r, "(100.00%) Done.");
    proc_result_free(&r);
    cr_expect_eq(inspect_field(state, "WRP0"), 0xFF);
    proc_rmtree(scratch);
    free(scratch);
}

/* `vstm32 serve` gives the pty's path on the board's line ("tty=..."),
 * and a tool run against that server through `vstm32 run --connect` with
 * $VSTM32_TTY0 naming the pty gets its 8E1 framing carried (a bare pty
 * cannot carry parity: stm32flash alone fails "Failed to set terminal
 * flags"). */
Test(usart_stm32flash, serve_prints_the_tty_and_run_connect_reaches_it, .timeout = 120)
{
    char *dir = proc_mkdtemp("usart-serve");
    char vstm32[PATH_MAX];
    cr_assert_not_null(realpath(proc_vstm32(), vstm32));
    char script[2048 + 2 * PATH_MAX];
    snprintf(script, sizeof script,
             "cd '%s' || exit 9; '%s' serve --port 0 --board f103xb:usart >serve.out 2>serve.err & pid=$!; "
             "i=0; while [ $i -lt 200 ] && ! grep -q 'tty=' serve.out 2>/dev/null; do sleep 0.1; i=$((i+1)); done; "
             "cat serve.out; "
             "t=$(sed -n 's/^board 0 .* tty=\\([^ ]*\\)$/\\1/p' serve.out); "
             "a=$(sed -n 's/^listening //p' serve.out); "
             "[ -c \"$t\" ] && echo \"TTY IS A CHARACTER DEVICE\"; "
             "stm32flash \"$t\"; echo \"bare: $?\"; "
             "VSTM32_TTY0=$t '%s' run --connect \"$a\" -- stm32flash \"$t\"; rc=$?; "
             "kill $pid; wait $pid; exit $rc",
             dir, vstm32, vstm32);
    char *argv[] = {"sh", "-c", script, NULL};
    struct proc_result r = proc_run(argv, NULL, 100);
    expect_ok(&r, "serve + run --connect + stm32flash");
    expect_out(&r, "TTY IS A CHARACTER DEVICE");
    expect_out(&r, "Failed to set terminal flags");
    expect_out(&r, "bare: 1");
    expect_out(&r, "Interface serial_posix: 57600 8E1");
    expect_out(&r, "Device ID    : 0x0410 (STM32F10xxx Medium-density)");
    proc_result_free(&r);
    proc_rmtree(dir);
    free(dir);
}
