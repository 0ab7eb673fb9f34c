/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's page files, built into the binary as text (.incbin, as
 * parts_sources.c carries models/parts.c; the Makefile rebuilds this file
 * when one of them changes), so `vstm32` serves them from anywhere.
 */
#include "tools/vstm32/web_page.h"

#define WEB_PAGE_FILE(sym, path)                                                                   \
    __asm__(".section .rodata\n"                                                                   \
            ".global " #sym "\n" #sym ":\n"                                                        \
            ".incbin \"" path "\"\n"                                                               \
            ".byte 0\n"                                                                            \
            ".previous\n")

WEB_PAGE_FILE(web_page_html, "tools/vstm32/web/live.html");
WEB_PAGE_FILE(web_page_js, "tools/vstm32/web/live.js");
WEB_PAGE_FILE(web_page_css, "tools/vstm32/web/live.css");
