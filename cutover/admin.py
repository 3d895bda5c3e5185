"""The admin API of either engine: MinIO's madmin protocol, which RustFS serves too.

Both engines encrypt some admin answers with the root secret in sio/DARE packages: a 32-byte
salt, an AEAD id, an 8-byte nonce prefix, then 16 KiB sealed chunks. MinIO uses an argon2id
key (id 0: AES-GCM, id 1: ChaCha20-Poly1305); RustFS builds with FIPS crypto use a
PBKDF2-SHA256 key with AES-GCM (id 2), which minio-py cannot read. This reads all three.
"""

from __future__ import annotations

import hashlib
import json

from argon2.low_level import Type, hash_secret_raw
from Crypto.Cipher import AES, ChaCha20_Poly1305
from minio import MinioAdmin
from minio.crypto import encrypt
from minio.minioadmin import _COMMAND

SALT_LEN = 32
NONCE_PREFIX_LEN = 8
TAG_LEN = 16
CHUNK_LEN = 16 * 1024 + TAG_LEN
ARGON2_AES_GCM, ARGON2_CHACHA20_POLY1305, PBKDF2_AES_GCM = 0x00, 0x01, 0x02


def _key(aead_id: int, secret: bytes, salt: bytes) -> bytes:
    if aead_id == PBKDF2_AES_GCM:
        return hashlib.pbkdf2_hmac("sha256", secret, salt, 8192, 32)
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=1,
        memory_cost=65536,
        parallelism=4,
        hash_len=32,
        type=Type.ID,
        version=19,
    )


def _cipher(aead_id: int, key: bytes, nonce: bytes):
    if aead_id in (ARGON2_AES_GCM, PBKDF2_AES_GCM):
        return AES.new(key, AES.MODE_GCM, nonce=nonce)
    if aead_id == ARGON2_CHACHA20_POLY1305:
        return ChaCha20_Poly1305.new(key=key, nonce=nonce)
    raise ValueError(f"unknown admin payload AEAD id {aead_id}")


def decrypt_admin_payload(data: bytes, secret_key: str) -> bytes:
    """Plaintext of an encrypted admin answer from MinIO or RustFS."""
    header = SALT_LEN + 1 + NONCE_PREFIX_LEN
    if len(data) < header:
        raise ValueError("admin payload shorter than its header")
    salt, aead_id, prefix = data[:SALT_LEN], data[SALT_LEN], data[SALT_LEN + 1 : header]
    key = _key(aead_id, secret_key.encode(), salt)
    associated = b"\x00" + _cipher(aead_id, key, prefix + bytes(4)).digest()
    body = data[header:]
    chunks = [body[i : i + CHUNK_LEN] for i in range(0, len(body), CHUNK_LEN)]
    plain = bytearray()
    for number, chunk in enumerate(chunks, start=1):
        if number == len(chunks):
            associated = b"\x80" + associated[1:]
        cipher = _cipher(aead_id, key, prefix + number.to_bytes(4, "little"))
        cipher.update(associated)
        plain += cipher.decrypt_and_verify(chunk[:-TAG_LEN], chunk[-TAG_LEN:])
    return bytes(plain)


class EngineAdmin(MinioAdmin):
    """MinioAdmin whose encrypted answers decode on RustFS as well as on MinIO."""

    def user_list(self) -> str:
        response = self._url_open(method="GET", command=_COMMAND.LIST_USERS)
        return decrypt_admin_payload(response.data, self._provider.retrieve().secret_key).decode()

    def attach_policy(
        self, policies: list[str], user: str | None = None, group: str | None = None
    ) -> str:
        """Attach built-in IAM policies; RustFS answers in the PBKDF2 envelope minio-py rejects."""
        if (user is None) == (group is None):
            raise ValueError("either user or group must be set")
        key, name = ("user", user) if user is not None else ("group", group)
        secret = self._provider.retrieve().secret_key
        response = self._url_open(
            method="POST",
            command=_COMMAND.IDP_BUILTIN_POLICY_ATTACH,
            body=encrypt(json.dumps({"policies": policies, key: name}).encode(), secret),
        )
        if not response.data:  # older servers answer 201/204 with no body
            return ""
        return decrypt_admin_payload(response.data, secret).decode()
