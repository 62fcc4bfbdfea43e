"""plan.order: positions sent only where the order needs them; pins only where needed."""

from __future__ import annotations

from kbsync.plan.order import Sibling, local_order, positions_to_pin, positions_to_send


def _synced(*keys: str) -> list[Sibling]:
    """Siblings as kbsync created them: positions 0, 1, 2... in name order."""
    return [Sibling(key, index=i, remote=i, remote_id=10 + i) for i, key in enumerate(keys)]


def test_unchanged_siblings_keep_their_positions() -> None:
    siblings = _synced("a", "b", "c")
    assert positions_to_send(siblings) == {"a": 0, "b": 1, "c": 2}


def test_removing_a_sibling_moves_no_other() -> None:
    siblings = [Sibling("a", 0, remote=0, remote_id=10), Sibling("c", 1, remote=2, remote_id=12)]
    assert positions_to_send(siblings) == {"a": 0, "c": 2}


def test_an_item_moved_in_between_takes_a_place_without_moving_the_others() -> None:
    siblings = [Sibling("a", 0, remote=0, remote_id=10), Sibling("m", 1, remote_id=50),
                Sibling("z", 2, remote=1, remote_id=11)]
    sent = positions_to_send(siblings)
    assert (sent["a"], sent["z"]) == (0, 1)  # unchanged: no write for them
    assert sent["m"] == 0  # ties with a, after it by creation, before z


def test_a_new_item_at_the_end_follows_the_last() -> None:
    siblings = [*_synced("a", "b"), Sibling("c", 2)]
    assert positions_to_send(siblings) == {"a": 0, "b": 1, "c": 1}


def test_written_positions_are_sent_as_written() -> None:
    siblings = [Sibling("a", 0, explicit=7, remote=0, remote_id=10),
                Sibling("b", 1, remote=1, remote_id=11)]
    assert positions_to_send(siblings)["a"] == 7


def test_an_order_the_help_center_lost_is_restored_with_the_fewest_writes() -> None:
    # the web UI put c first; the files (no positions) still say a, b, c
    siblings = [Sibling("a", 0, remote=1, remote_id=10), Sibling("b", 1, remote=2, remote_id=11),
                Sibling("c", 2, remote=0, remote_id=12)]
    sent = positions_to_send(siblings)
    assert [key for key, _ in sorted(sent.items(), key=lambda kv: (kv[1], kv[0]))] == [
        "a", "b", "c"]
    assert sum(sent[s.key] != s.remote for s in siblings) == 1


def test_pull_pins_only_the_files_the_names_do_not_order() -> None:
    # remote order: b, a, c; names order a, b, c
    siblings = [Sibling("a", 0, remote=1, remote_id=10), Sibling("b", 1, remote=0, remote_id=11),
                Sibling("c", 2, remote=2, remote_id=12)]
    pins = positions_to_pin(siblings)
    assert sorted(pins) == ["a", "b"]  # c stays: the names order it right
    pinned = [Sibling(s.key, s.index, pins.get(s.key), s.remote, s.remote_id) for s in siblings]
    assert local_order(pinned) == ["b", "a", "c"]
    assert positions_to_pin(_synced("a", "b", "c")) == {}


def test_a_folder_in_name_order_needs_no_pin_whatever_its_numbers() -> None:
    siblings = [Sibling("a", 0, remote=3, remote_id=10), Sibling("b", 1, remote=9, remote_id=11)]
    assert positions_to_pin(siblings) == {}
    assert positions_to_send(siblings) == {"a": 3, "b": 9}


def test_siblings_around_a_new_written_position_are_numbered_afresh() -> None:
    """a and c keep no remote position that fits around b's written 2 (both sit at 6):
    they are numbered afresh around it instead of tying with b, which is created last."""
    siblings = [Sibling("a", 0, remote=6, remote_id=1), Sibling("b", 1, explicit=2),
                Sibling("c", 2, remote=6, remote_id=9)]
    sent = positions_to_send(siblings)
    assert sent["b"] == 2
    assert sent["a"] < 2 < sent["c"]
