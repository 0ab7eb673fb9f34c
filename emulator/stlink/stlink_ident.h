/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ST-Link probe identities: which probe (V2, V2-1, V3 and its USB product
 * ids) runs which firmware, and what that firmware tells a host about
 * itself — USB ids and strings, serial number descriptor, GET_VERSION and
 * GET_VERSION_EX, the mode it idles in at plug-in, the target voltage it
 * measures — one row per firmware (stlink_ident.c), each value with its
 * source.  A board chooses one with `--board PART:stlink-v3@V3J7M3B5S1`.
 *
 * Firmware names are written as OpenOCD 0.12 prints them ("STLINK
 * V2J37S7 (API v2)"): V<hw> J<jtag> [M<msd>] [B<bridge>] [S<swim>].
 */
#ifndef VSTM32_STLINK_IDENT_H
#define VSTM32_STLINK_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The probe hardware a board names (`:stlink-v2`, `:stlink-v2-1`, `:stlink-v3`). */
enum stlink_version { STLINK_V2, STLINK_V2_1, STLINK_V3 };

/* How the probe's iSerialNumber string descriptor is written. */
enum stlink_serial_style {
    STL_SERIAL_HEX24,   /* 24 ASCII hex characters of the UID, UTF-16 (bLength 50) */
    STL_SERIAL_RAW12,   /* old V2 DFU: the 12 UID bytes, each in the low byte of a
                         * UTF-16 unit, no conversion (bLength 26) */
};

struct stlink_ident {
    const char *fw;                 /* "V2J37S7", as OpenOCD prints it */
    enum stlink_version kind;
    const char *model;              /* "ST-LINK/V2", "STLINK-V3E", ... */
    bool is_default;                /* the kind's identity when no @VERSION is given */
    /* GET_VERSION / GET_VERSION_EX fields */
    uint8_t hw, jtag, swim, msd, bridge;
    const char *fw_src;
    uint16_t pid;
    const char *pid_src;
    uint16_t bcd_device;
    const char *bcd_src;
    const char *manufacturer, *product;
    const char *strings_src;
    enum stlink_serial_style serial;
    const char *serial_src;
    uint8_t mode_at_plug;           /* GET_CURRENT_MODE before any command: 1 mass */
    const char *mode_src;
    /* GET_TARGET_VOLTAGE: adc0 (the 1.2 V reference), adc1 (VAPP / 2) */
    uint32_t volt_adc0, volt_adc1;
    const char *volt_src;
};

/* The table, for whoever lists it (the fidelity ledger): row i of n. */
size_t stlink_ident_count(void);
const struct stlink_ident *stlink_ident_at(size_t i);
/* The identity a kind has without @VERSION. */
const struct stlink_ident *stlink_ident_default(enum stlink_version kind);
const char *stlink_kind_name(enum stlink_version kind);     /* "stlink-v2-1" */

/* One fact of a row as the ledger shows it: name, the value as text, the
 * source tag ("[O file]" a real log, "[T file]" a tool's source, "[I ...]"
 * inferred from logs, "guess: ..."). */
struct stlink_fact {
    const char *name;
    char value[64];
    const char *src;
};
#define STLINK_IDENT_NFACTS 9
/* Fills out[STLINK_IDENT_NFACTS]; returns how many were filled. */
size_t stlink_ident_facts(const struct stlink_ident *id, struct stlink_fact *out);

/* The firmware's reply to GET_VERSION (0xF1, 6 bytes) and to
 * GET_VERSION_EX (0xFB, 12 bytes; V3 only: returns false on V2). */
void stlink_ident_version_reply(const struct stlink_ident *id, uint8_t out[6]);
bool stlink_ident_version_ex_reply(const struct stlink_ident *id, uint8_t out[12]);

/* A board modifier "stlink-v2", "stlink-v2-1", "stlink-v3" (also "stlink",
 * V2), optionally "@VERSION": a firmware name of that kind, or a prefix of
 * one that ends where a field ends ("V3J7M3" names V3J7M3B5S1; where a
 * prefix names several, the kind's default if it is one of them), case
 * insensitive.  Returns 1 and sets *kind and *id when it is such a
 * modifier; 0 when the modifier is not an ST-Link one at all; -1 with one
 * line in err when it is one but wrong (unknown kind or version, a version
 * of another kind). */
int stlink_ident_parse(const char *mod, enum stlink_version *kind,
                       const struct stlink_ident **id, char *err, size_t errlen);

#endif
