/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a byte the host frames one way lands in the ROM's 8E1 receiver
 * (AN3155 1: "1 start bit, 8 data bits, even parity, 1 stop bit").  One
 * model for every route a host reaches the USART by: the pty's termios
 * (usart_pty.c) and the ST-Link virtual COM port's CDC line coding
 * (emulator/stlink/stlink_vcp.c) both describe their framing with it.
 * No I/O.
 */
#ifndef VSTM32_USART_FRAME_H
#define VSTM32_USART_FRAME_H

#include <stdbool.h>
#include <stdint.h>

/* CDC PSTN 1.2 Table 17 bParityType values, which are also the framings a
 * termios can say (CMSPAR's mark/space included). */
enum usart_parity {
    USART_PARITY_NONE = 0,
    USART_PARITY_ODD = 1,
    USART_PARITY_EVEN = 2,
    USART_PARITY_MARK = 3,
    USART_PARITY_SPACE = 4,
};

/* Whether the 8E1 receiver finds the byte's parity right when the host
 * sends it with data_bits data bits and this parity.  8E1 is right; 8N1
 * puts the stop bit (1) where parity is sampled, so bytes whose even
 * parity bit is 1 pass and the others fail; odd parity, space parity or
 * fewer than 8 data bits fail every byte (guess: a 7-bit frame's shifted
 * bits are a framing error the ROM NACKs); mark parity is 8N1's case. */
bool usart_frame_parity_ok(uint8_t data_bits, enum usart_parity parity, uint8_t byte);

#endif
