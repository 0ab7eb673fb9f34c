/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VSTM32_BOARD_MEM_H
#define VSTM32_BOARD_MEM_H

/* Chips made after this call get memories that are resident only where
 * written: erased flash shares one copy-on-write image (board_mem.c). */
void board_mem_install(void);

#endif
