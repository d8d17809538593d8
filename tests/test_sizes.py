"""store/sizes.py: the remembered sizes of big ticket blobs, held to today's limits.ticket_file whenever read."""

from __future__ import annotations

import marshal

from gitdesk.core.config import TICKET_FILE_FLOOR
from gitdesk.store.rows import ERROR
from gitdesk.store.sizes import Sizes, is_refusal, refusal_text

BIG = TICKET_FILE_FLOOR * 4  # 256 KB


class Saved:
    """The index's bytes for the sizes, in memory: what Sizes loads and saves."""

    def __init__(self, data: bytes | None = None) -> None:
        self.data, self.saves = data, 0

    def load(self) -> bytes | None:
        return self.data

    def save(self, data: bytes) -> None:
        self.data, self.saves = data, self.saves + 1


def sizes(saved: Saved, limit: int) -> Sizes:
    s = Sizes(saved.load, saved.save)
    s.limit_of = lambda: limit
    return s


def test_the_refusal_names_both_sizes_and_is_told_from_other_errors():
    text = refusal_text(BIG, 128 * 1024)
    assert "256.0 KB" in text and "128.0 KB" in text and "limits.ticket_file" in text
    assert is_refusal((ERROR, None, text))
    assert not is_refusal((ERROR, 3, "mapping values are not allowed here"))
    assert not is_refusal(("HD-abc12345", text))  # a row that merely quotes the words is no error row


def test_only_blobs_over_the_floor_are_remembered_and_saved_once(tmp_path):
    saved = Saved()
    s = sizes(saved, 1024 * 1024)
    s.note({"small": TICKET_FILE_FLOOR, "big": BIG})
    assert s.known() == {"big": BIG} and saved.saves == 1
    s.note({"big": BIG, "small": 10})  # nothing new: no write of the index
    assert saved.saves == 1
    assert sizes(saved, 1024 * 1024).known() == {"big": BIG}  # the next process reads what was saved


def test_a_damaged_store_is_learnt_again():
    for damaged in (b"\x00garbage", marshal.dumps([1, 2, 3]), b"\xe9"):
        assert sizes(Saved(damaged), 1024).known() == {}


def test_over_follows_the_limit_which_is_read_once_until_forgotten():
    saved, calls = Saved(marshal.dumps({"big": BIG})), []
    limits = iter([BIG - 1, BIG])
    s = Sizes(saved.load, saved.save)
    s.limit_of = lambda: calls.append(1) or next(limits)
    assert s.over("big") and not s.over("unknown")
    assert s.over("big") and len(calls) == 1  # cached
    s.forget_limit()
    assert not s.over("big") and len(calls) == 2  # exactly the limit is allowed


def test_apply_refuses_over_the_limit_and_remakes_a_stale_refusal():
    saved = Saved(marshal.dumps({"b1": BIG, "b2": BIG}))
    blobs = ["b0", "b1", "b2"]
    stale = (ERROR, None, refusal_text(BIG, TICKET_FILE_FLOOR))
    values = [("row0",), ("row1",), stale]
    remade = []

    def remake(i: int):
        remade.append(i)
        return (f"fresh{i}",)

    held = sizes(saved, BIG - 1).apply(blobs, values, remake)
    assert held[0] == ("row0",) and is_refusal(held[1]) and held[2] == stale and remade == []
    raised = sizes(saved, BIG).apply(blobs, values, remake)
    assert raised == [("row0",), ("row1",), ("fresh2",)] and remade == [2]
    assert values == [("row0",), ("row1",), stale]  # the column as stored is never changed in place


def test_apply_hands_back_the_same_list_when_nothing_changes():
    values = [("row",)]
    assert sizes(Saved(), 1024).apply(["b"], values, lambda i: None) is values
    assert sizes(Saved(marshal.dumps({"b": BIG})), BIG * 2).apply(["b"], values, lambda i: None) is values


def test_sizes_of_blobs_no_longer_present_are_forgotten_once_many():
    saved = Saved(marshal.dumps({f"old{i}": BIG for i in range(2001)} | {"now": BIG}))
    s = sizes(saved, 1024 * 1024)
    s.apply(["now"], [("row",)], lambda i: None)
    assert s.known() == {"now": BIG} and marshal.loads(saved.data) == {"now": BIG}


def test_key_marks_the_limit_only_when_a_big_ticket_is_known():
    assert sizes(Saved(), 512 * 1024).key() == ""
    assert sizes(Saved(marshal.dumps({"b": BIG})), 512 * 1024).key() == "@524288"
