/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emulator/usart/usart_frame.h"

bool usart_frame_parity_ok(uint8_t data_bits, enum usart_parity parity, uint8_t byte)
{
    bool even_bit = (unsigned)__builtin_popcount(byte) & 1u;   /* the bit the ROM expects */
    if (data_bits != 8)
        return false;
    switch (parity) {
    case USART_PARITY_EVEN:
        return true;
    case USART_PARITY_NONE:
    case USART_PARITY_MARK:
        return even_bit;                /* a 1 sits where parity is sampled */
    case USART_PARITY_ODD:
    case USART_PARITY_SPACE:
    default:
        return false;
    }
}
