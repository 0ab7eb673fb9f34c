/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tools/vstm32/report.h"
void report_html(FILE *out, const struct report_input *in) { report_text(out, in); }
