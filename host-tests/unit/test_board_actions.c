/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * emulator/board/board_actions: which surface offers which button, what an
 * argument must be, and the lists the ctl socket's and a scenario's error
 * messages print (users read them; they are built from the table).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "emulator/board/board_actions.h"

#define CTL BOARD_ACTION_CTL
#define SCN BOARD_ACTION_SCENARIO

Test(board_actions, lists_per_surface)
{
    char out[256];
    const char *ctl = "boot0 0|1, reset, power-cycle, unplug, plug, state save, "
                      "fault add SPEC, fault clear";
    const char *scn = "boot0 0|1, reset, power-cycle, unplug, plug, link direct|hub, "
                      "fault add SPEC, fault clear";
    cr_assert_eq(board_action_list(CTL, ", ", out, sizeof out), (int)strlen(ctl));
    cr_assert_str_eq(out, ctl);
    cr_assert_eq(board_action_list(SCN, ", ", out, sizeof out), (int)strlen(scn));
    cr_assert_str_eq(out, scn);
}

Test(board_actions, list_cut_to_its_buffer_says_the_full_length)
{
    char out[8];
    cr_assert_eq(board_action_list(CTL, " | ", out, sizeof out),
                 (int)strlen("boot0 0|1 | reset | power-cycle | unplug | plug | state save | "
                             "fault add SPEC | fault clear"));
    cr_assert_str_eq(out, "boot0 0");
}

Test(board_actions, argument_must_be_one_of_the_choices)
{
    const struct board_action *a = board_action_find(CTL, "boot0", "1");
    cr_assert_not_null(a);
    cr_assert_str_eq(a->help, "boot0 0|1");
    cr_assert_eq(board_action_find(SCN, "boot0", "0"), a);
    cr_assert_null(board_action_find(CTL, "boot0", "2"));
    cr_assert_null(board_action_find(CTL, "boot0", "01"));
    cr_assert_null(board_action_find(CTL, "boot0", NULL));
    cr_assert_null(board_action_find(SCN, "fault", NULL));
    cr_assert_null(board_action_find(SCN, "fault", "remove"));
    cr_assert_null(board_action_find(CTL, "nope", NULL));
    /* an action without an argument ignores what follows */
    cr_assert_str_eq(board_action_find(SCN, "reset", "extra")->help, "reset");
}

Test(board_actions, surfaces_offer_what_they_did)
{
    cr_assert_not_null(board_action_find(SCN, "link", "direct"));
    cr_assert_not_null(board_action_find(SCN, "link", "hub"));
    cr_assert_null(board_action_find(CTL, "link", "hub"), "the ctl socket has no 'link'");
    cr_assert_not_null(board_action_find(CTL, "state", "save"));
    cr_assert_null(board_action_find(SCN, "state", "save"), "a scenario has no 'state save'");
}

Test(board_actions, fault_add_takes_the_rest_and_names_its_errors)
{
    const struct board_action *add = board_action_find(CTL, "fault", "add");
    cr_assert_not_null(add);
    cr_assert_str_eq(add->rest, "SPEC");
    cr_assert_str_eq(add->error_prefix, "fault: ");
    const struct board_action *clear = board_action_find(CTL, "fault", "clear");
    cr_assert_not_null(clear);
    cr_assert_null(clear->rest);
    cr_assert_neq(add, clear);
}

/* The live view's buttons (issue 18): the bench buttons, nothing that
 * saves state or injects faults from a page. */
Test(board_actions, the_web_page_offers_the_bench_buttons_only)
{
    char out[256];
    board_action_list(BOARD_ACTION_WEB, ", ", out, sizeof out);
    cr_assert_str_eq(out, "boot0 0|1, reset, power-cycle, unplug, plug");
    cr_assert_not_null(board_action_find(BOARD_ACTION_WEB, "boot0", "1"));
    cr_assert_null(board_action_find(BOARD_ACTION_WEB, "state", "save"));
    cr_assert_null(board_action_find(BOARD_ACTION_WEB, "fault", "clear"));
    cr_assert_null(board_action_find(BOARD_ACTION_WEB, "link", "hub"));
}
