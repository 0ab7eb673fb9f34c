/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware fixtures (fixtures/firmware, built by `make firmware`) run
 * on the core of every part: `hello` prints its line over semihosting,
 * `bad-vector` ends in the HardFault handler with the bad target stacked,
 * `ecc-reader` reports its range, or takes the flash ECC NMI on L4/G0/G4
 * and names the failing address; on H7 (h743zi, h723zg) the same read is
 * a bus error, and its HardFault handler names the flash word from the
 * bank's FLASH_ECC_FAxR.
 * A part whose image has not been built is skipped, saying so.
 */
#include <stdio.h>
#include <stdlib.h>

#include "host-tests/unit/test_cpu_util.h"
#include "models/periph.h"

TestSuite(cpu_firmware, .fini = bench_teardown);

static const char *const fw_parts[] = {
    "f042x6", "f072xb", "f103xb", "f401xe", "f407xg", "f446xe", "f411xe", "f405xg",
    "l073xz", "l412xb", "l476xg", "g071xb", "g474xe",
    "f107vc", "f205rg", "f303vc", "l4r5zi", "g0b1re", "wb55rg",
};

/* Load build/firmware/PART/NAME.bin into a fresh chip's flash; false if absent. */
static bool load_fixture(const char *part, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "build/firmware/%s/%s.bin", part, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    static uint8_t image[64 * 1024];
    size_t n = fread(image, 1, sizeof image, f);
    fclose(f);
    bench_chip(part, NULL, 0);
    put_bytes(B.chip->part->flash_base, image, n);
    return true;
}

static void run_until_output(const char *text, uint64_t max_cycles)
{
    uint64_t done = 0;
    while (done < max_cycles && !strstr(B.out, text) && cpu_get_state(B.cpu) == CPU_RUNNING)
        done += cpu_run(B.cpu, 100000);
}

Test(cpu_firmware, hello_prints_its_line_on_every_part)
{
    unsigned ran = 0;
    for (size_t i = 0; i < sizeof fw_parts / sizeof fw_parts[0]; i++) {
        if (!load_fixture(fw_parts[i], "hello"))
            continue;
        bench_core();
        char want[64];
        snprintf(want, sizeof want, "hello from %s\n", fw_parts[i]);
        run_until_output(want, 20000000);
        cr_expect(strstr(B.out, want), "%s: semihosting output '%s'", fw_parts[i], B.out);
        cr_expect_eq(cpu_get_state(B.cpu), CPU_RUNNING, "%s: still toggling its LED", fw_parts[i]);
        ran++;
        bench_teardown();
    }
    if (!ran)
        cr_assert_fail("no firmware fixtures built (make firmware)");
}

static char usart_out[256];

static void on_usart(void *arg, const char *bytes, size_t len)
{
    (void)arg;
    size_t have = strlen(usart_out);
    if (len > sizeof usart_out - 1 - have)
        len = sizeof usart_out - 1 - have;
    memcpy(usart_out + have, bytes, len);
    usart_out[have + len] = '\0';
}

/* WB has no USART2: hello sets up USART1 and PB6 (part_facts.h from the
 * row's console, RM0434, DS11929 PB6 AF7) and its line comes out there. */
Test(cpu_firmware, hello_on_wb55rg_prints_over_usart1_on_pb6)
{
    if (!load_fixture("wb55rg", "hello"))
        cr_assert_fail("build/firmware/wb55rg/hello.bin not built (make firmware)");
    usart_out[0] = '\0';
    periph_set_console(B.chip, on_usart, NULL);
    bench_core();
    run_until_output("hello from wb55rg\n", 20000000);
    cr_expect_str_eq(B.out, "hello from wb55rg\n", "semihosting");
    cr_expect_str_eq(usart_out, "hello from wb55rg\n", "USART1");
    cr_expect_eq(mem32(0x58000060) & (1u << 14), 1u << 14, "RCC_APB2ENR USART1EN");
    cr_expect_eq(mem32(0x5800004C) & 3u, 3u, "RCC_AHB2ENR GPIOAEN|GPIOBEN");
    cr_expect_eq((mem32(0x48000400) >> 12) & 3u, 2u, "GPIOB MODER6 = alternate function");
    cr_expect_eq((mem32(0x48000420) >> 24) & 0xFu, 7u, "GPIOB AFRL6 = AF7");
}

Test(cpu_firmware, bad_vector_ends_in_hardfault_with_the_target_stacked)
{
    unsigned ran = 0;
    for (size_t i = 0; i < sizeof fw_parts / sizeof fw_parts[0]; i++) {
        if (!load_fixture(fw_parts[i], "bad-vector"))
            continue;
        bench_core();
        cpu_run(B.cpu, 10000);
        cr_expect_eq(cpu_get_state(B.cpu), CPU_RUNNING, "%s", fw_parts[i]);
        uint32_t ipsr = halt_and_reg(16) & 0x1FF;
        cr_expect_eq(ipsr, 3, "%s: IPSR %u", fw_parts[i], ipsr);
        cr_expect_eq(mem32(reg(13) + 24), 0x08000040, "%s: stacked PC", fw_parts[i]);
        ran++;
        bench_teardown();
    }
    if (!ran)
        cr_assert_fail("no firmware fixtures built (make firmware)");
}

Test(cpu_firmware, ecc_reader_reports_an_erased_range)
{
    if (!load_fixture("l476xg", "ecc-reader"))
        cr_assert_fail("build/firmware/l476xg/ecc-reader.bin not built (make firmware)");
    bench_core();
    run_until_output("512 erased", 20000000);
    cr_assert(strstr(B.out, "ecc-reader: 0x08004000..0x080047ff: 512 words, 512 erased"),
              "output: %s", B.out);
}

/* A double word left bad (an interrupted write) in the range ecc-reader
 * reads: the NMI line names its address, as the firmware decodes FLASH_ECCR
 * with the part's ECC layout (build/firmware/PART/part_facts.h) from what
 * the flash model latched. */
static void ecc_nmi_names_the_address(const char *part)
{
    if (!load_fixture(part, "ecc-reader"))
        cr_assert_fail("build/firmware/%s/ecc-reader.bin not built (make firmware)", part);
    uint32_t dw = (0x08004010u - 0x08000000u) / 8;
    B.chip->ecc_bad[dw / 8] |= (uint8_t)(1u << (dw % 8));
    bench_core();
    run_until_output("NMI at", 20000000);
    cr_assert(strstr(B.out, "ecc-reader: NMI at 0x08004010"), "%s output: %s", part, B.out);
}

Test(cpu_firmware, ecc_double_error_raises_the_nmi_on_l476)
{
    ecc_nmi_names_the_address("l476xg");
}

/* G0 latches a double-word index (RM0444 FLASH_ECCR ADDR_ECC[13:0]). */
Test(cpu_firmware, ecc_double_error_raises_the_nmi_on_g071)
{
    ecc_nmi_names_the_address("g071xb");
}

Test(cpu_firmware, ecc_double_error_raises_the_nmi_on_g474)
{
    ecc_nmi_names_the_address("g474xe");
}

/* H7: ECC covers a 256-bit flash word (RM0433 4.3.9), and a double error
 * on a read is a precise bus error, not an NMI (zephyr PR #34374, PX4 PR
 * #27642; embassy #4777 on H723).  One bad double word at 0x08004010 makes
 * the flash word at 0x08004000 fail: the first load of the range faults
 * (BFAR 0x08004000), DBECCERR1 is set, and FLASH_ECC_FA1R holds word
 * index 0x4000 / 32 = 0x200 (RM0433 4.9.23, FAIL_ECC_ADDR1 in flash words
 * from the bank's start).  The handler clears DBECCERR1 through CCR1,
 * which resets ECC_FA1R. */
static void ecc_bus_error_names_the_flash_word(const char *part)
{
    if (!load_fixture(part, "ecc-reader"))
        cr_assert_fail("build/firmware/%s/ecc-reader.bin not built (make firmware)", part);
    uint32_t dw = 0x4010u / 8;
    B.chip->ecc_bad[dw / 8] |= (uint8_t)(1u << (dw % 8));
    bench_core();
    run_until_output("ecc-reader: HardFault", 20000000);
    cr_assert(strstr(B.out, "ecc-reader: HardFault, bus error at 0x08004000 "
                            "(ECC_FA1R=0x00000200, BFAR=0x08004000, pc 0x08"),
              "%s output: %s", part, B.out);
    cr_expect_null(strstr(B.out, "NMI"), "%s: no NMI on H7: %s", part, B.out);
    cr_expect_null(strstr(B.out, "words,"), "%s: the range is never reported: %s", part, B.out);
    uint32_t sr1 = 0, fa1 = 0;
    cr_assert_eq(chip_read(B.chip, 0x52002010u, 4, &sr1, BUS_DEBUG), BUS_OK);
    cr_assert_eq(chip_read(B.chip, 0x52002060u, 4, &fa1, BUS_DEBUG), BUS_OK);
    cr_expect_eq(sr1 & (1u << 26), 0, "%s: DBECCERR1 cleared by the handler (SR1 0x%08x)", part, sr1);
    cr_expect_eq(fa1, 0, "%s: ECC_FA1R reset with DBECCERR1 (0x%08x)", part, fa1);
    uint32_t ipsr = halt_and_reg(16) & 0x1FF;
    cr_expect_eq(ipsr, 3, "%s: hangs in HardFault (IPSR %u)", part, ipsr);
}

Test(cpu_firmware, ecc_double_error_is_a_bus_error_on_h743)
{
    ecc_bus_error_names_the_flash_word("h743zi");
}

/* H723 (RM0468): one bank, the same bank-1 registers. */
Test(cpu_firmware, ecc_double_error_is_a_bus_error_on_h723)
{
    ecc_bus_error_names_the_flash_word("h723zg");
}
