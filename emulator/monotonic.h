/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moved to lib/monotonic.h (issue 13: lib/ holds what several layers
 * share).  This forward stays until the branches of issue 13 that were
 * started before the move are merged; then delete it.
 */
#include "lib/monotonic.h"
