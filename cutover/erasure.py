"""Join the data shards of a small erasure-coded payload back into the bytes MinIO wrote.

On a set of drives MinIO stores even its own bucket metadata (`.minio.sys/buckets/<b>/
.metadata.bin`) erasure-coded: `saveConfig` writes with `MaxParity` (parity = drives / 2),
so every drive's xl.meta carries one inline shard, and no drive holds the settings whole.
Reed-Solomon here is systematic: the shards numbered 1..M (EcIndex) are the payload itself,
split block by block (`EcBSize`, 1 MiB) into M equal slices, the last one zero-padded, each
slice behind a 32-byte HighwayHash (bitrot-streaming.go). With every data shard present the
payload is their concatenation. A missing data shard is rebuilt from any M shards the way
klauspost/reedsolomon (MinIO's erasure coder, default options) defines the code: GF(2^8)
with polynomial 0x11d, a Vandermonde matrix made systematic by its top square's inverse.
This is meant for small payloads (bucket settings), byte by byte in Python.
"""

from __future__ import annotations

HASH_SIZE = 32  # HighwayHash256 in front of every shard block


def _tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 512, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for power in range(255, 512):
        exp[power] = exp[power - 255]
    return exp, log


_EXP, _LOG = _tables()


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _inverse(matrix: list[list[int]]) -> list[list[int]]:
    """Gauss-Jordan over GF(2^8); the rows of a Reed-Solomon code are always invertible."""
    n = len(matrix)
    work = [row[:] + [int(i == j) for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if work[r][col])
        work[col], work[pivot] = work[pivot], work[col]
        scale = _EXP[255 - _LOG[work[col][col]]]
        work[col] = [_mul(x, scale) for x in work[col]]
        for r in range(n):
            if r != col and work[r][col]:
                factor = work[r][col]
                work[r] = [x ^ _mul(factor, y) for x, y in zip(work[r], work[col], strict=True)]
    return [row[n:] for row in work]


def encoding_matrix(data_blocks: int, parity_blocks: int) -> list[list[int]]:
    """klauspost/reedsolomon's buildMatrix: Vandermonde rows r^c, times its top square's inverse."""
    total = data_blocks + parity_blocks
    vandermonde = [
        [1 if c == 0 else (0 if r == 0 else _EXP[(_LOG[r] * c) % 255]) for c in range(data_blocks)]
        for r in range(total)
    ]
    top = _inverse(vandermonde[:data_blocks])
    return [
        [_xor_all(_mul(row[k], top[k][c]) for k in range(data_blocks)) for c in range(data_blocks)]
        for row in vandermonde
    ]


def _xor_all(values) -> int:
    out = 0
    for v in values:
        out ^= v
    return out


def _combine(coefficients: list[int], slices: list[bytes]) -> bytes:
    out = bytearray(len(slices[0]))
    for coefficient, piece in zip(coefficients, slices, strict=True):
        if coefficient:
            row = [_mul(coefficient, x) for x in range(256)]
            for i, byte in enumerate(piece):
                out[i] ^= row[byte]
    return bytes(out)


def encode_parity(data: list[bytes], parity_blocks: int) -> list[bytes]:
    """Parity slices for equal-sized data slices (used to check the code against MinIO's)."""
    matrix = encoding_matrix(len(data), parity_blocks)
    return [_combine(matrix[len(data) + p], data) for p in range(parity_blocks)]


def _rebuild(have: dict[int, bytes], data_blocks: int, parity_blocks: int) -> list[bytes]:
    """The data slices 1..M of one block from any M slices (keyed by 1-based shard index)."""
    if all(i in have for i in range(1, data_blocks + 1)):
        return [have[i] for i in range(1, data_blocks + 1)]
    use = sorted(have)[:data_blocks]
    matrix = encoding_matrix(data_blocks, parity_blocks)
    decode = _inverse([matrix[i - 1] for i in use])
    return [_combine(decode[j], [have[i] for i in use]) for j in range(data_blocks)]


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
    shards: dict[int, bytes],
    *,
    size: int,
    data_blocks: int,
    parity_blocks: int = 0,
    block_size: int = 1 << 20,
) -> bytes:
    """The payload from framed shards keyed by shard index (1-based, as EcIndex).

    Any `data_blocks` shards will do (parity ones are decoded); with fewer, raises
    MissingShards naming the absent data shards.
    """
    usable = {i: s for i, s in shards.items() if 1 <= i <= data_blocks + parity_blocks}
    if len(usable) < data_blocks:
        missing = [i for i in range(1, data_blocks + 1) if i not in usable]
        raise MissingShards(
            f"data shard(s) {', '.join(map(str, missing))} of {data_blocks}, and too few "
            f"parity shards to rebuild them ({len(usable)} shard(s) of the {data_blocks} needed)"
        )
    payload = bytearray()
    offset = 0
    for length, slice_size in _chunks(size, block_size, data_blocks):
        at = offset + HASH_SIZE
        have = {}
        for index, shard in usable.items():
            piece = shard[at : at + slice_size]
            if len(piece) == slice_size:
                have[index] = piece
        if len(have) < data_blocks:
            raise MissingShards(f"shards cut short: {len(have)} whole of the {data_blocks} needed")
        payload += b"".join(_rebuild(have, data_blocks, parity_blocks))[:length]
        offset = at + slice_size
    return bytes(payload)
