/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The board-action table (see board_actions.h).
 */
#include "emulator/board/board_actions.h"

#include <stdio.h>
#include <string.h>

#include "models/faults.h"

static int act_boot0(struct board *b, const char *arg, const char *rest, char *err, size_t errlen)
{
    board_set_boot0(b, arg[0] == '1');
    return 0;
}

static int act_reset(struct board *b, const char *arg, const char *rest, char *err, size_t errlen)
{
    board_press_reset(b);
    return 0;
}

static int act_power_cycle(struct board *b, const char *arg, const char *rest, char *err,
                           size_t errlen)
{
    board_power_cycle(b);
    return 0;
}

static int act_unplug(struct board *b, const char *arg, const char *rest, char *err, size_t errlen)
{
    board_unplug(b);
    return 0;
}

static int act_plug(struct board *b, const char *arg, const char *rest, char *err, size_t errlen)
{
    board_plug(b);
    return 0;
}

static int act_link(struct board *b, const char *arg, const char *rest, char *err, size_t errlen)
{
    board_set_link(b, arg[0] == 'd' ? LINK_DIRECT : LINK_HUB);
    return 0;
}

static int act_state_save(struct board *b, const char *arg, const char *rest, char *err,
                          size_t errlen)
{
    return board_save(b, err, errlen) < 0 ? -1 : 0;
}

static int act_fault_add(struct board *b, const char *arg, const char *rest, char *err,
                         size_t errlen)
{
    return fault_plan_add(board_faults(b), rest, err, errlen) < 0 ? -1 : 0;
}

static int act_fault_clear(struct board *b, const char *arg, const char *rest, char *err,
                           size_t errlen)
{
    fault_plan_clear(board_faults(b));
    return 0;
}

#define BOTH (BOARD_ACTION_CTL | BOARD_ACTION_SCENARIO)
#define BUTTON (BOTH | BOARD_ACTION_WEB)     /* also a button of the live view */

static const struct board_action actions[] = {
    { "boot0", "0|1", NULL, "boot0 0|1", NULL, BUTTON, act_boot0 },
    { "reset", NULL, NULL, "reset", NULL, BUTTON, act_reset },
    { "power-cycle", NULL, NULL, "power-cycle", NULL, BUTTON, act_power_cycle },
    { "unplug", NULL, NULL, "unplug", NULL, BUTTON, act_unplug },
    { "plug", NULL, NULL, "plug", NULL, BUTTON, act_plug },
    { "link", "direct|hub", NULL, "link direct|hub", NULL, BOARD_ACTION_SCENARIO, act_link },
    { "state", "save", NULL, "state save", NULL, BOARD_ACTION_CTL, act_state_save },
    { "fault", "add", "SPEC", "fault add SPEC", "fault: ", BOTH, act_fault_add },
    { "fault", "clear", NULL, "fault clear", NULL, BOTH, act_fault_clear },
};

/* Is word one of the '|'-separated choices? */
static int is_choice(const char *choices, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = choices; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && !strncmp(p, word, n))
            return 1;
        p += len + (p[len] == '|');
    }
    return 0;
}

const struct board_action *board_action_find(unsigned surface, const char *word,
                                             const char *arg)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        const struct board_action *a = &actions[i];
        if (!(a->surfaces & surface) || strcmp(a->name, word) != 0)
            continue;
        if (!a->arg || (arg && is_choice(a->arg, arg)))
            return a;
    }
    return NULL;
}

const struct board_action *board_action_at(size_t i)
{
    return i < sizeof actions / sizeof actions[0] ? &actions[i] : NULL;
}

int board_action_list(unsigned surface, const char *sep, char *out, size_t cap)
{
    size_t len = 0;
    const char *between = "";
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (!(actions[i].surfaces & surface))
            continue;
        int n = snprintf(out + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s",
                         between, actions[i].help);
        len += (size_t)n;
        between = sep;
    }
    return (int)len;
}
