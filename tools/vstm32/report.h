/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vstm32 report's renderers (issue 18): the same dfu_session as text
 * (cmd_report.c) and as one self-contained HTML file (cmd_report_html.c).
 */
#ifndef VSTM32_REPORT_H
#define VSTM32_REPORT_H

#include <stdio.h>

#include "emulator/trace/dfu_session.h"

struct report_input {
    const char *name;               /* the capture's file name, as given */
    const struct pcap_capture *cap;
    const struct dfu_session *s;
};

void report_text(FILE *out, const struct report_input *in);
void report_html(FILE *out, const struct report_input *in);

/* Shared by both: "1.2" bus.device, the time of a step in seconds, the
 * DFU state name or "?", a unit's view in words. */
const char *report_state(int state);
/* "" for one, "s" for any other count: "1 error", "3 errors". */
static inline const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}
/* Why the polls of a capture in virtual time are not called early. */
extern const char report_invisible_waits[];
double report_seconds(const struct report_input *in, uint64_t t_ns);
void report_unit_words(char *out, size_t cap, const struct dfu_unit_view *v);
/* The poll-timeout line of a GETSTATUS step ("" when it has none). */
void report_poll_words(char *out, size_t cap, const struct dfu_step *st);

#endif
