"""Join the data shards of a small erasure-coded payload back into the bytes MinIO wrote.

On a set of drives MinIO stores even its own bucket metadata (`.minio.sys/buckets/<b>/
.metadata.bin`) erasure-coded: `saveConfig` writes with `MaxParity` (parity = drives / 2),
so every drive's xl.meta carries one inline shard, and no drive holds the settings whole.
Reed-Solomon here is systematic: the shards numbered 1..M (EcIndex) are the payload itself,
split block by block (`EcBSize`, 1 MiB) into M equal slices, the last one zero-padded, each
slice behind a 32-byte HighwayHash (bitrot-streaming.go). With every data shard present the
payload is their concatenation; rebuilding a data shard from parity is not done here (the
caller says which drives' shards are missing instead).
"""

from __future__ import annotations

HASH_SIZE = 32  # HighwayHash256 in front of every shard block


class MissingShards(ValueError):
    """Not every data shard is at hand: the payload cannot be joined without parity math."""


def _chunks(total: int, block_size: int, data_blocks: int) -> list[tuple[int, int]]:
    """(bytes of the block, bytes of each shard's slice of it) for every erasure block."""
    out = []
    for start in range(0, total, block_size):
        length = min(block_size, total - start)
        out.append((length, -(-length // data_blocks)))
    return out


def join_data_shards(
    shards: dict[int, bytes], *, size: int, data_blocks: int, block_size: int = 1 << 20
) -> bytes:
    """The payload from framed data shards keyed by shard index (1-based, as EcIndex).

    Raises MissingShards naming the absent indices.
    """
    missing = [i for i in range(1, data_blocks + 1) if i not in shards]
    if missing:
        raise MissingShards(f"data shard(s) {', '.join(map(str, missing))} of {data_blocks}")
    payload = bytearray()
    offsets = dict.fromkeys(shards, 0)
    for length, slice_size in _chunks(size, block_size, data_blocks):
        block = bytearray()
        for index in range(1, data_blocks + 1):
            at = offsets[index] + HASH_SIZE
            piece = shards[index][at : at + slice_size]
            if len(piece) != slice_size:
                raise MissingShards(f"data shard {index} is cut short")
            block += piece
            offsets[index] = at + slice_size
        payload += block[:length]
    return bytes(payload)
