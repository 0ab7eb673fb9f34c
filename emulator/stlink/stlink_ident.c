/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ST-Link identity table: one row per firmware a public log shows,
 * plus each kind's default (the identity vstm32 had before identities
 * were selectable).  Every value names its source:
 *   [O file]  a public log of a real probe, excerpted with its source in
 *             host-tests/data/real-logs/<file> (the tools tier compares the
 *             real tools' output with those lines);
 *   [T ...]   an open-source tool's code (what it accepts or decodes);
 *   [I ...]   inferred from logs (said how);
 *   guess:    no public source; replace it when one turns up.
 *
 * Target voltage: OpenOCD prints 2 * adc1 * (float)(1.2 / adc0) with "%f";
 * the (adc0, adc1) pairs below are the integer pairs near a real probe's
 * readings (adc0 ~ 1500, the 1.2 V reference on a 3.3 V probe; ~1690 on
 * probes that run from ~2.9 V) that print exactly what the log shows.
 * They are derived from the printed value, not observed bytes.
 */
#include "emulator/stlink/stlink_ident.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/bytes.h"

#define ST_VID 0x0483

/* The logs (host-tests/data/real-logs/) */
#define LOG_OOCD    "[O stlink-openocd-versions-voltages.txt]"
#define LOG_STFLASH "[O stlink-stflash-debug-version.txt]"
#define LOG_STINFO  "[O stlink-stinfo-probe.txt]"
#define LOG_SERIAL  "[O stlink-old-v2-serial-descriptor.txt]"
#define LOG_LSUSB   "[O stlink-lsusb-v3e.txt]"
#define VOLT_DERIVED(v) "[O stlink-openocd-versions-voltages.txt] 'Target voltage: " v "' (pair derived)"

#define MODE_MASS 1
#define VOLT_GUESS_A0 1552u     /* guess: 3.253608 V, a board on a 3.3 V regulator */
#define VOLT_GUESS_A1 2104u
#define VOLT_GUESS "guess: no log of this firmware's voltage"

/* ST-LINK/V2 (0483:3748).  The standalone dongle's old DFU writes the raw
 * UID bytes as its serial (OpenOCD 4b4389a, stlink #716 V2J29S7, #1012
 * V2J37S7, the V2J34S7 clone of the st-flash log); the S0 firmware are
 * the Discovery boards' on-board V2 (no SWIM), whose st-info serial is
 * 24 ASCII hex characters (STM32F4DISCOVERY in the st-flash log). */
#define V2_ROW(name, j, s, ser, ser_src, a0, a1, vsrc, fsrc, dflt)                          \
    {                                                                                      \
        .fw = name, .kind = STLINK_V2, .model = "ST-LINK/V2", .is_default = dflt,          \
        .hw = 2, .jtag = j, .swim = s, .fw_src = fsrc,                                     \
        .pid = 0x3748, .pid_src = LOG_OOCD,                                                \
        .bcd_device = 0x0100, .bcd_src = "guess: the V3E's 1.00 (lsusb), no V2 log",        \
        .manufacturer = "STMicroelectronics", .product = "STM32 STLink",                   \
        .strings_src = "[T zephyr twister hardware map: product 'STM32 STLink']",           \
        .serial = ser, .serial_src = ser_src,                                              \
        .mode_at_plug = MODE_MASS, .mode_src = LOG_STFLASH " V2J34S7 'current mode: mass'", \
        .volt_adc0 = a0, .volt_adc1 = a1, .volt_src = vsrc,                                \
    }

/* ST-LINK/V2-1 (0483:374B, the Nucleo boards' on-board probe). */
#define V21_ROW(name, j, m, a0, a1, vsrc, fsrc, dflt)                                      \
    {                                                                                      \
        .fw = name, .kind = STLINK_V2_1, .model = "ST-LINK/V2-1", .is_default = dflt,      \
        .hw = 2, .jtag = j, .msd = m, .fw_src = fsrc,                                      \
        .pid = 0x374B, .pid_src = LOG_OOCD,                                                \
        .bcd_device = 0x0100, .bcd_src = "guess: the V3E's 1.00 (lsusb), no V2-1 log",      \
        .manufacturer = "STMicroelectronics", .product = "STM32 STLink",                   \
        .strings_src = "[T zephyr twister hardware map: product 'STM32 STLink']",           \
        .serial = STL_SERIAL_HEX24,                                                        \
        .serial_src = "[I OpenOCD 4b4389a: only the old standalone V2 DFU writes raw bytes]", \
        .mode_at_plug = MODE_MASS, .mode_src = LOG_STFLASH " V2J25M13 'current mode: mass'", \
        .volt_adc0 = a0, .volt_adc1 = a1, .volt_src = vsrc,                                \
    }

/* STLINK-V3 (high speed; GET_VERSION says only "V3", GET_VERSION_EX the rest). */
#define V3_ROW(name, mdl, p, psrc, j, m, b, s, a0, a1, vsrc, fsrc, dflt)                   \
    {                                                                                      \
        .fw = name, .kind = STLINK_V3, .model = mdl, .is_default = dflt,                   \
        .hw = 3, .jtag = j, .msd = m, .bridge = b, .swim = s, .fw_src = fsrc,              \
        .pid = p, .pid_src = psrc,                                                         \
        .bcd_device = 0x0100, .bcd_src = LOG_LSUSB " bcdDevice 1.00 (V3E)",                \
        .manufacturer = "STMicroelectronics", .product = "STLINK-V3",                      \
        .strings_src = LOG_LSUSB " iManufacturer/iProduct (V3E)",                          \
        .serial = STL_SERIAL_HEX24,                                                        \
        .serial_src = LOG_STINFO " 24-character ASCII serials of V3E, V3SET, V3MINI",      \
        .mode_at_plug = MODE_MASS, .mode_src = "guess: the V2/V2-1 logs' mass mode",       \
        .volt_adc0 = a0, .volt_adc1 = a1, .volt_src = vsrc,                                \
    }

#define RAW_SERIAL(why) LOG_SERIAL " " why
#define RAW_SERIAL_INFERRED "[I S7: a standalone V2, whose old DFU writes raw bytes (" \
    "stlink-old-v2-serial-descriptor.txt); no log of this firmware's serial]"
#define HEX_SERIAL_DISCO "[I st-flash log: STM32F4DISCOVERY on-board V2 serial 066CFF30...]"

static const struct stlink_ident idents[] = {
    /* ---- ST-LINK/V2 ---- */
    V2_ROW("V2J14S0", 14, 0, STL_SERIAL_HEX24, HEX_SERIAL_DISCO,
           1687u, 2043u, "guess: the log's 2.909473 has no integer pair; 2.906461's (V2J17S0)",
           LOG_OOCD " STM32F4DISCOVERY; " LOG_STFLASH " jtag 0xe swim 0x0", false),
    V2_ROW("V2J17S0", 17, 0, STL_SERIAL_HEX24, HEX_SERIAL_DISCO,
           1687u, 2043u, VOLT_DERIVED("2.906461"), LOG_OOCD, false),
    V2_ROW("V2J17S4", 17, 4, STL_SERIAL_RAW12, RAW_SERIAL_INFERRED,
           VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS, LOG_STFLASH " jtag 0x11 swim 0x4", false),
    V2_ROW("V2J28S7", 28, 7, STL_SERIAL_RAW12, RAW_SERIAL_INFERRED,
           1512u, 2041u, VOLT_DERIVED("3.239683"), LOG_OOCD, false),
    V2_ROW("V2J29S7", 29, 7, STL_SERIAL_RAW12, RAW_SERIAL("stlink #716: V2.J29.S7 lsusb iSerial binary"),
           1498u, 2042u, VOLT_DERIVED("3.271562"), LOG_OOCD, false),
    V2_ROW("V2J34S7", 34, 7, STL_SERIAL_RAW12, RAW_SERIAL("st-flash log: clone V2J34S7 12-byte serial"),
           VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS, LOG_STFLASH " jtag 0x22 swim 0x7", false),
    V2_ROW("V2J37S7", 37, 7, STL_SERIAL_RAW12, RAW_SERIAL("stlink #1012: V2J37S7 clone serial 573f6f06..."),
           1510u, 2042u, VOLT_DERIVED("3.245563"), LOG_OOCD, false),
    V2_ROW("V2J39S0", 39, 0, STL_SERIAL_HEX24, HEX_SERIAL_DISCO,
           1689u, 2042u, VOLT_DERIVED("2.901598"), LOG_OOCD, false),
    /* the default before identities (tools tier runs on it): kept */
    V2_ROW("V2J40S7", 40, 7, STL_SERIAL_HEX24,
           "guess: kept from before identities; the standalone V2 writes raw bytes",
           VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS,
           "guess: a released V2 firmware, no public log in facts", true),
    V2_ROW("V2J45S7", 45, 7, STL_SERIAL_RAW12, RAW_SERIAL_INFERRED,
           2471u, 3358u, VOLT_DERIVED("3.261514") " (no pair near 1500/2048)", LOG_OOCD, false),
    V2_ROW("V2J46S7", 46, 7, STL_SERIAL_RAW12, RAW_SERIAL_INFERRED,
           1525u, 2047u, VOLT_DERIVED("3.221508"), LOG_OOCD, false),

    /* ---- ST-LINK/V2-1 ---- */
    V21_ROW("V2J25M13", 25, 13, VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS,
            LOG_STFLASH " jtag 0x19 swim 0xd (NUCLEO)", false),
    V21_ROW("V2J25M14", 25, 14, 1523u, 2066u, VOLT_DERIVED("3.255680"), LOG_OOCD, false),
    V21_ROW("V2J29M18", 29, 18, 1496u, 2040u, VOLT_DERIVED("3.272727"), LOG_OOCD, false),
    V21_ROW("V2J35M26", 35, 26, 1521u, 2065u, VOLT_DERIVED("3.258383"), LOG_OOCD, false),
    V21_ROW("V2J37M26", 37, 26, 1818u, 2458u, VOLT_DERIVED("3.244884"), LOG_OOCD, false),
    V21_ROW("V2J40M27", 40, 27, 1514u, 2060u, VOLT_DERIVED("3.265522"), LOG_OOCD, true),
    V21_ROW("V2J45M30", 45, 30, 1682u, 2041u, VOLT_DERIVED("2.912247"), LOG_OOCD, false),
    V21_ROW("V2J47M34", 47, 34, 1698u, 2052u, VOLT_DERIVED("2.900353"), LOG_OOCD, false),

    /* ---- STLINK-V3E (0483:374E, on-board) ---- */
    V3_ROW("V3J2M1", "STLINK-V3E", 0x374E, LOG_STINFO " NUCLEO-H745ZI-Q", 2, 1, 0, 0,
           VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS,
           LOG_STINFO " st-info 'V3J2' (swim 0); guess: M1", false),
    V3_ROW("V3J3M2", "STLINK-V3E", 0x374E, LOG_OOCD, 3, 2, 0, 0,
           1501u, 1993u, VOLT_DERIVED("3.186676"), LOG_OOCD, false),
    V3_ROW("V3J5M2", "STLINK-V3E", 0x374E, LOG_OOCD, 5, 2, 0, 0,
           1507u, 2064u, VOLT_DERIVED("3.287060"), LOG_OOCD, false),
    V3_ROW("V3J6M2", "STLINK-V3E", 0x374E, LOG_OOCD, 6, 2, 0, 0,
           1495u, 2046u, VOLT_DERIVED("3.284549"), LOG_OOCD, false),
    V3_ROW("V3J10M3", "STLINK-V3E", 0x374E, LOG_OOCD, 10, 3, 0, 0,
           1506u, 2051u, VOLT_DERIVED("3.268526"), LOG_OOCD, false),
    V3_ROW("V3J16M9", "STLINK-V3E", 0x374E, LOG_OOCD, 16, 9, 0, 0,
           1502u, 2060u, VOLT_DERIVED("3.291611"), LOG_OOCD, false),
    /* ---- STLINK-V3 without mass storage (0483:3754) ---- */
    V3_ROW("V3J12M3", "STLINK-V3 (no MSD)", 0x3754, LOG_OOCD, 12, 3, 0, 0,
           1501u, 2056u, VOLT_DERIVED("3.287408"), LOG_OOCD, false),
    V3_ROW("V3J15M7", "STLINK-V3 (no MSD)", 0x3754, LOG_OOCD, 15, 7, 0, 0,
           VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS, LOG_OOCD, false),
    /* ---- STLINK-V3SET / V3MINI with two virtual COM ports (0483:3753) ---- */
    V3_ROW("V3J7M3B5S1", "STLINK-V3 (2VCP)", 0x3753, LOG_OOCD, 7, 3, 5, 1,
           VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS, LOG_OOCD " mutable-dev-environment #12", false),
    V3_ROW("V3J12M3B5S1", "STLINK-V3 (2VCP)", 0x3753, LOG_OOCD, 12, 3, 5, 1,
           1501u, 2056u, VOLT_DERIVED("3.287408"), LOG_OOCD, false),
    /* ---- STLINK-V3SET (0483:374F) ---- */
    V3_ROW("V3J5S1", "STLINK-V3SET", 0x374F, "guess: the V3SET's PID (stlink #1134 names no PID)",
           5, 0, 0, 1, VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS,
           LOG_STINFO " stlink #1134 factory firmware 'V3J5S1'; guess: M0 B0", false),
    V3_ROW("V3J7M2B4S1", "STLINK-V3SET", 0x374F, "guess: the V3SET's PID (stlink #1134 names no PID)",
           7, 2, 4, 1, VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS,
           LOG_STINFO " stlink #1134 st.com image; st-info shows it 'V3J7S1' (#820)", false),
    /* the default before identities (tools tier runs on it): kept */
    V3_ROW("V3J7M3B4S1", "STLINK-V3SET", 0x374F, "[T pyocd 0.13 USB_PID_EP_MAP 0x374f 'Bridge']",
           7, 3, 4, 1, VOLT_GUESS_A0, VOLT_GUESS_A1, VOLT_GUESS,
           "guess: kept from before identities; V3J7M3B5S1 is the logged one", true),
};

#define NIDENTS (sizeof idents / sizeof idents[0])

size_t stlink_ident_count(void)
{
    return NIDENTS;
}

const struct stlink_ident *stlink_ident_at(size_t i)
{
    return i < NIDENTS ? &idents[i] : NULL;
}

const struct stlink_ident *stlink_ident_default(enum stlink_version kind)
{
    for (size_t i = 0; i < NIDENTS; i++)
        if (idents[i].kind == kind && idents[i].is_default)
            return &idents[i];
    return NULL;
}

const char *stlink_kind_name(enum stlink_version kind)
{
    switch (kind) {
    case STLINK_V2:   return "stlink-v2";
    case STLINK_V2_1: return "stlink-v2-1";
    case STLINK_V3:   return "stlink-v3";
    }
    return "stlink-?";
}

/* GET_VERSION (stlink inc/stlink.h, openocd stlink_usb_version): a
 * big-endian halfword (hw << 12 | jtag << 6 | swim or msd), then VID and
 * PID little-endian.  V2-1 puts its MSD version where V2 has SWIM (st-flash
 * log: V2J25M13 -> 'swim version = 0xd').  A V3 answers hw 3 with both
 * fields 0, which tells the tools to ask GET_VERSION_EX (openocd: "v == 3
 * && x == 0 && y == 0"; pyocd and stlink ask it on hw >= 3 / a V3 PID). */
void stlink_ident_version_reply(const struct stlink_ident *id, uint8_t out[6])
{
    uint16_t v = (uint16_t)(id->hw << 12);
    if (id->hw < 3) {
        uint8_t low = id->kind == STLINK_V2_1 ? id->msd : id->swim;
        v |= (uint16_t)(((id->jtag & 0x3F) << 6) | (low & 0x3F));
    }
    st_be16(out, v);
    st_le16(out + 2, ST_VID);
    st_le16(out + 4, id->pid);
}

/* GET_VERSION_EX (openocd, stlink _parse_version, pyocd): hw, swim, jtag,
 * msd, bridge, 3 reserved, VID, PID (little-endian). */
bool stlink_ident_version_ex_reply(const struct stlink_ident *id, uint8_t out[12])
{
    memset(out, 0, 12);
    if (id->hw < 3)
        return false;
    out[0] = id->hw;
    out[1] = id->swim;
    out[2] = id->jtag;
    out[3] = id->msd;
    out[4] = id->bridge;
    st_le16(out + 8, ST_VID);
    st_le16(out + 10, id->pid);
    return true;
}

size_t stlink_ident_facts(const struct stlink_ident *id, struct stlink_fact *out)
{
    size_t n = 0;
    uint8_t r[12];
#define FACT(nm, source, ...)                                               \
    do {                                                                    \
        out[n].name = nm;                                                   \
        out[n].src = source;                                                \
        snprintf(out[n].value, sizeof out[n].value, __VA_ARGS__);           \
        n++;                                                                \
    } while (0)
    FACT("usb id", id->pid_src, "0483:%04X", id->pid);
    FACT("bcdDevice", id->bcd_src, "%x.%02x", id->bcd_device >> 8, id->bcd_device & 0xFF);
    FACT("strings", id->strings_src, "%s / %s", id->manufacturer, id->product);
    FACT("serial", id->serial_src, "%s",
         id->serial == STL_SERIAL_RAW12 ? "12 raw UID bytes (bLength 26)"
                                        : "24 ASCII hex characters (bLength 50)");
    stlink_ident_version_reply(id, r);
    FACT("GET_VERSION", id->fw_src, "%02x %02x %02x %02x %02x %02x", r[0], r[1], r[2], r[3],
         r[4], r[5]);
    if (stlink_ident_version_ex_reply(id, r))
        FACT("GET_VERSION_EX", id->fw_src, "%02x %02x %02x %02x %02x .. %02x %02x %02x %02x",
             r[0], r[1], r[2], r[3], r[4], r[8], r[9], r[10], r[11]);
    else
        FACT("GET_VERSION_EX", "[T openocd/stlink/pyocd send it to a V3 only]", "not answered");
    FACT("firmware", id->fw_src, "%s", id->fw);
    FACT("mode at plug-in", id->mode_src, "%s", id->mode_at_plug == MODE_MASS ? "mass" : "other");
    FACT("target voltage", id->volt_src, "adc %u %u", id->volt_adc0, id->volt_adc1);
#undef FACT
    return n;
}

/* ---- @VERSION ------------------------------------------------------------------ */

/* q names f: equal, or a prefix of f that ends where one of f's fields ends. */
static bool names(const char *f, const char *q)
{
    size_t n = strlen(q);
    if (strncasecmp(f, q, n))
        return false;
    return f[n] == '\0' || isalpha((unsigned char)f[n]);
}

static void list_known(enum stlink_version kind, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NIDENTS && used + 1 < cap; i++) {
        if (idents[i].kind != kind)
            continue;
        int w = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", idents[i].fw);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int stlink_ident_parse(const char *mod, enum stlink_version *kind,
                       const struct stlink_ident **id, char *err, size_t errlen)
{
    static const struct { const char *name; enum stlink_version kind; } kinds[] = {
        {"stlink", STLINK_V2}, {"stlink-v2", STLINK_V2}, {"stlink-v2-1", STLINK_V2_1},
        {"stlink-v3", STLINK_V3},
    };
    if (strncasecmp(mod, "stlink", 6))
        return 0;
    const char *at = strchr(mod, '@');
    size_t kind_len = at ? (size_t)(at - mod) : strlen(mod);
    bool found = false;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) == kind_len && !strncasecmp(mod, kinds[i].name, kind_len)) {
            *kind = kinds[i].kind;
            found = true;
        }
    }
    if (!found) {
        snprintf(err, errlen, "unknown probe '%.*s' (stlink-v2, stlink-v2-1, stlink-v3)",
                 (int)kind_len, mod);
        return -1;
    }
    if (!at) {
        *id = stlink_ident_default(*kind);
        return 1;
    }
    const char *q = at + 1;
    char known[512];
    list_known(*kind, known, sizeof known);
    const struct stlink_ident *match = NULL;
    unsigned nmatch = 0;
    bool default_matches = false;
    for (size_t i = 0; i < NIDENTS && *q; i++) {
        if (idents[i].kind != *kind || !names(idents[i].fw, q))
            continue;
        if (!strcasecmp(idents[i].fw, q)) {         /* an exact name wins */
            *id = &idents[i];
            return 1;
        }
        match = &idents[i];
        nmatch++;
        default_matches |= idents[i].is_default;
    }
    if (nmatch == 1 || (nmatch > 1 && default_matches)) {
        *id = nmatch == 1 ? match : stlink_ident_default(*kind);
        return 1;
    }
    if (nmatch > 1) {
        snprintf(err, errlen, "'%s' names several %s firmware (known: %s)", q,
                 stlink_kind_name(*kind), known);
        return -1;
    }
    for (size_t i = 0; i < NIDENTS && *q; i++) {
        if (idents[i].kind != *kind && names(idents[i].fw, q)) {
            snprintf(err, errlen, "%s is %s firmware (%s), not %s's (known: %s)", idents[i].fw, idents[i].model, stlink_kind_name(idents[i].kind),
                     stlink_kind_name(*kind), known);
            return -1;
        }
    }
    snprintf(err, errlen, "unknown %s firmware '%s' (known: %s)", stlink_kind_name(*kind), q,
             known);
    return -1;
}
