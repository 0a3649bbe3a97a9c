"""clausegen.recent.Recent: the bounded memory of a batch's shared results."""

from __future__ import annotations

from clausegen.recent import Recent


def test_a_full_memory_holds_exactly_its_size():
    memory: Recent[int] = Recent(8)
    for number in range(100):
        memory.put(number, number)
    assert len(memory) == 8
    assert [memory.get(number) for number in range(92, 100)] == list(range(92, 100))


def test_the_entry_put_or_moved_longest_ago_is_dropped_first():
    memory: Recent[str] = Recent(4)
    for key in "abcd":
        memory.put(key, key)
    memory.put("e", "e")
    assert memory.get("a") is None and [memory.get(key) for key in "bcde"] == list("bcde")


def test_an_entry_asked_for_in_every_half_of_the_size_is_never_dropped():
    memory: Recent[int] = Recent(8)
    memory.put("hot", 1)
    for number in range(1000):
        memory.put(number, number)
        if number % 4 == 3:  # size // 2 entries put or moved since the last time it was asked for
            assert memory.get("hot") == 1
    assert len(memory) == 8


def test_a_hit_on_a_young_entry_does_not_move_it():
    memory: Recent[str] = Recent(8)
    for key in "abc":
        memory.put(key, key)
    assert memory.get("a") == "a"
    assert list(memory._entries) == ["a", "b", "c"]  # still first: 2 entries put since, not more than 8 // 4


def test_cleared_memory_is_empty():
    memory: Recent[int] = Recent(4)
    memory.put(1, 1)
    memory.clear()
    assert len(memory) == 0 and memory.get(1) is None
