"""Joining and rebuilding erasure shards (checked against MinIO's own parity in
tests/rehearsal/test_multi_drive_set.py): any M of M+N framed shards give the payload."""

from __future__ import annotations

from itertools import combinations

import pytest

from cutover.erasure import MissingShards, encode_parity, join_data_shards


def framed_shards(payload: bytes, data: int, parity: int, block: int) -> dict[int, bytes]:
    """Shards as MinIO frames them: per block, a 32-byte hash slot then each shard's slice."""
    shards = {i: b"" for i in range(1, data + parity + 1)}
    for start in range(0, len(payload), block):
        chunk = payload[start : start + block]
        width = -(-len(chunk) // data)
        padded = chunk.ljust(width * data, b"\0")
        slices = [padded[i * width : (i + 1) * width] for i in range(data)]
        for index, piece in enumerate(slices + encode_parity(slices, parity), start=1):
            shards[index] += b"H" * 32 + piece
    return shards


@pytest.mark.parametrize(("data", "parity"), [(2, 2), (3, 2), (4, 4)])
def test_any_data_blocks_shards_rebuild_the_payload(data, parity):
    payload = bytes((i * 7 + 3) % 251 for i in range(2500))
    shards = framed_shards(payload, data, parity, block=1000)
    for keep in combinations(shards, data):
        subset = {i: shards[i] for i in keep}
        got = join_data_shards(
            subset, size=len(payload), data_blocks=data, parity_blocks=parity, block_size=1000
        )
        assert got == payload, keep


def test_too_few_shards_say_which_data_shards_are_missing():
    shards = framed_shards(b"settings" * 50, 2, 2, block=1 << 20)
    with pytest.raises(MissingShards, match=r"data shard\(s\) 1 of 2, and too few parity"):
        join_data_shards({2: shards[2]}, size=400, data_blocks=2, parity_blocks=2)
