"""Tests of the bot. (A package, so that `tests.*` never resolves to a stray site-packages `tests`.)"""
