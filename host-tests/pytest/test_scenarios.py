# SPDX-License-Identifier: GPL-2.0-or-later
"""The vstm32_scenario marker and the *.scn collector."""
import shutil

import pytest

# A scenario whose symptom the tool never shows: dfu-util -l exits 0, not 74.
WRONG_SCENARIO = """\
title a field report that does not hold
part l476xg
seed 1
symptom
step dfu-util -l
expect status 74
"""


@pytest.mark.vstm32_scenario("01-l412-page-erase-stall.scn")
def test_marker_runs_the_l412_scenario_before_the_body(request):
    done = request.node.vstm32_scenario
    assert done.returncode == 0
    assert "result 01-l412-page-erase-stall.scn: PASS" in done.stdout


def test_marker_fails_the_test_when_a_step_fails(pytester):
    pytester.makefile(".scn", wrong=WRONG_SCENARIO)
    pytester.makepyfile(test_wrong="""
        import pytest
        @pytest.mark.vstm32_scenario("wrong.scn")
        def test_wrong():
            pass
        @pytest.mark.vstm32_scenario("no-such.scn")
        def test_missing():
            pass
    """)
    result = pytester.runpytest_subprocess("-p", "pytest_vstm32")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*vstm32 scenario wrong.scn exited 1*",
                                 "*scenario no-such.scn: not found*"])


def test_collector_makes_each_scn_file_a_test(pytester, repo):
    shutil.copy(repo / "fixtures/scenarios/01-l412-page-erase-stall.scn", pytester.path)
    pytester.makefile(".scn", wrong=WRONG_SCENARIO)
    result = pytester.runpytest_subprocess("-p", "pytest_vstm32", "--vstm32-scenarios", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*01-l412-page-erase-stall.scn::01-l412-page-erase-stall PASSED*",
                                 "*wrong.scn::wrong FAILED*"])
    # without the option, .scn files are not tests
    result = pytester.runpytest_subprocess("-p", "pytest_vstm32")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
