# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest fixtures for vstm32's virtual STM32 boards.

Installed, pytest loads this package as a plugin by its ``pytest11`` entry
point (named ``pytest_vstm32``, like the module, so ``-p pytest_vstm32``
on top of it is harmless); from a checkout, ``PYTHONPATH=python pytest -p
pytest_vstm32``.  The fixtures and the marker are in ``plugin``, the
Board in ``board``.
"""
from pytest_vstm32.board import Board, BoardError, find_vstm32
from pytest_vstm32.plugin import (  # noqa: F401  (the plugin's hooks and fixtures)
    pytest_addoption,
    pytest_collect_file,
    pytest_configure,
    pytest_runtest_call,
    vstm32_binary,
    vstm32_board,
)

__all__ = ["Board", "BoardError", "find_vstm32"]
