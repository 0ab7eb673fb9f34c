/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live view's page: tools/vstm32/web/live.{html,js,css}, built into
 * the binary (web_page.c), plain HTML, JS and SVG with no build step.
 */
#ifndef VSTM32_WEB_PAGE_H
#define VSTM32_WEB_PAGE_H

extern const char web_page_html[];
extern const char web_page_js[];
extern const char web_page_css[];

#endif
