"""Which Matrix sync token may be saved while batches are answered side by side (bot.chat.matrix_batches):
a restarted bot resumes from it, so it must never move past a batch not fully answered."""

from __future__ import annotations

from bot.chat.matrix_batches import Batches, Settled


def test_a_batch_answered_before_an_earlier_one_saves_nothing_until_that_one_is_answered() -> None:
    batches = Batches()
    slow, quick = batches.open("s0", "s1"), batches.open("s1", "s2")
    assert batches.close(quick) == Settled()  # the slow search of s0..s1 is still running
    assert batches.close(slow) == Settled(save="s2")
    assert len(batches) == 0


def test_a_batch_with_an_unsent_answer_is_synced_again_with_those_after_it() -> None:
    batches = Batches()
    failed, later = batches.open("s0", "s1"), batches.open("s1", "s2")
    failed.unanswered = True
    assert batches.close(failed) == Settled(rewind="s0")
    assert batches.close(later) == Settled()  # synced again from s0: its token is not saved
    again = batches.open("s0", "s2")
    assert batches.close(again) == Settled(save="s2")


def test_a_batch_cut_short_by_a_stop_saves_nothing_from_it_on() -> None:
    batches = Batches()
    answered, cut, after = batches.open("s0", "s1"), batches.open("s1", "s2"), batches.open("s2", "s3")
    cut.cut = True
    assert batches.close(answered) == Settled(save="s1")
    assert batches.close(after) == Settled()
    assert batches.close(cut) == Settled()  # no rewind either: the next start syncs from s1
