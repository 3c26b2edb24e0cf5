"""Sharding: every repository in exactly one shard, balanced, independent of the file's order."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from checklists.core.errors import SetupError
from checklists.fleet import shard


@dataclass(frozen=True)
class Repo:
    name: str


REPOS = [Repo(f"org/service-{n:04d}") for n in range(1003)]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 64, 1003, 2000])
def test_shards_cover_the_fleet_once_and_differ_by_at_most_one(count: int) -> None:
    shards = [shard.shard(REPOS, index, count) for index in range(count)]
    names = [repo.name for part in shards for repo in part]
    assert sorted(names) == sorted(repo.name for repo in REPOS)
    assert len(names) == len(set(names))
    sizes = [len(part) for part in shards]
    assert max(sizes) - min(sizes) <= 1


def test_the_order_of_the_fleet_file_does_not_move_a_repository() -> None:
    shuffled = REPOS[:]
    random.Random(7).shuffle(shuffled)
    for index in range(4):
        assert shard.shard(shuffled, index, 4) == shard.shard(REPOS, index, 4)


@pytest.mark.parametrize(
    ("text", "expected"), [("0/1", (0, 1)), ("3/4", (3, 4)), (" 2 / 16 ", (2, 16))]
)
def test_shard_arguments_are_read(text: str, expected: tuple[int, int]) -> None:
    assert shard.parse(text) == expected


@pytest.mark.parametrize("text", ["4/4", "1/0", "-1/4", "a/b", "1", "1/2/3", ""])
def test_a_shard_that_does_not_exist_is_a_usage_error(text: str) -> None:
    with pytest.raises(SetupError, match="--shard"):
        shard.parse(text)


def test_an_index_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        shard.shard(REPOS, 4, 4)
