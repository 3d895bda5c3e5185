"""Regenerate the xl.meta captures in this directory with real MinIO (the pinned image).

Run (needs Docker and the image): .venv/bin/python tests/unit/data/xlmeta/capture.py

Starts MinIO on a throwaway loopback port and scratch directory, writes objects carrying every
kind of per-object metadata the cutover compares (headers, x-amz-meta-*, tags, storage class,
additional checksums on single and multipart uploads, versions), records what MinIO itself
answers to HEAD (checksum mode ENABLED) and GetObjectTagging in `heads.json`, stops MinIO and
copies each object's xl.meta here as `<name>.xl.meta`. The unit tests hold the reader to
MinIO's own answers. Keys are throwaway values.
"""

from __future__ import annotations

import gzip
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from cutover.objectmeta import crc32c_b64

HERE = Path(__file__).resolve().parent
IMAGE = "rustfs-cutover/minio:7aac2a2c5b7c"
USER, PASSWORD = "capture", "capture-secret-123"
MIB = 1024 * 1024

# name -> (bucket, key)
OBJECTS = {
    "website-index": ("site", "index.html"),
    "website-js-sha256": ("site", "assets/app.js"),
    "no-content-type": ("site", "blob.bin"),
    "sha1-language": ("site", "docs/readme.de.txt"),
    "multipart-crc32c-composite": ("site", "video/intro.mp4"),
    "multipart-crc32-full-object": ("site", "video/outro.mp4"),
    "multipart-default": ("site", "video/plain.mp4"),
    "versioned": ("ver", "config.json"),
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def multipart(c, bucket, key, sizes, **create) -> None:
    upload = c.create_multipart_upload(Bucket=bucket, Key=key, **create)
    algorithm = create.get("ChecksumAlgorithm")
    done = []
    for number, size in enumerate(sizes, 1):
        body = bytes([number]) * size
        if algorithm == "CRC32C":  # precomputed: botocore computes CRC32C only with awscrt
            extra = {"ChecksumCRC32C": crc32c_b64(body)}
        else:
            extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        part = c.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            PartNumber=number,
            Body=body,
            **extra,
        )
        entry = {"PartNumber": number, "ETag": part["ETag"]}
        for name in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA256", "ChecksumSHA1"):
            if part.get(name):
                entry[name] = part[name]
        done.append(entry)
    extra = {"ChecksumType": create["ChecksumType"]} if "ChecksumType" in create else {}
    c.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": done},
        **extra,
    )


def write(c) -> None:
    c.create_bucket(Bucket="site")
    c.create_bucket(Bucket="ver")
    c.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    index = gzip.compress(b"<!doctype html><title>aegean</title>\n" * 20, mtime=0)
    c.put_object(
        Bucket="site",
        Key="index.html",
        Body=index,
        ContentType="text/html; charset=utf-8",
        ContentEncoding="gzip",
        CacheControl="public, max-age=300",
        ContentDisposition='inline; filename="index.html"',
        Metadata={"Build-Id": "2026.06.01-7", "origin": "ci"},
        Tagging="team=web&stage=prod",
        ChecksumCRC32C=crc32c_b64(index),
        StorageClass="REDUCED_REDUNDANCY",
    )
    c.put_object(
        Bucket="site",
        Key="assets/app.js",
        Body=b"console.log('x');\n" * 20000,  # 360 KB: part.1, not inline
        ContentType="application/javascript",
        CacheControl="public, max-age=31536000, immutable",
        ChecksumAlgorithm="SHA256",
    )
    c.put_object(Bucket="site", Key="blob.bin", Body=b"\x00" * 100)
    c.put_object(
        Bucket="site",
        Key="docs/readme.de.txt",
        Body="Grüße\n".encode(),
        ContentType="text/plain; charset=utf-8",
        ContentLanguage="de",
        ChecksumAlgorithm="SHA1",
    )
    multipart(
        c,
        "site",
        "video/intro.mp4",
        [5 * MIB, MIB],
        ContentType="video/mp4",
        ChecksumAlgorithm="CRC32C",
        Metadata={"duration": "12s"},
        Tagging="team=video",
    )
    multipart(
        c,
        "site",
        "video/outro.mp4",
        [5 * MIB, MIB],
        ContentType="video/mp4",
        ChecksumAlgorithm="CRC32",
        ChecksumType="FULL_OBJECT",
    )
    multipart(c, "site", "video/plain.mp4", [5 * MIB, MIB], ContentType="video/mp4")
    c.put_object(
        Bucket="ver",
        Key="config.json",
        Body=b'{"v": 1}',
        ContentType="application/json",
        Tagging="gen=1",
    )
    c.put_object(
        Bucket="ver",
        Key="config.json",
        Body=b'{"v": 2}',
        ContentType="text/plain",
        Metadata={"gen": "2"},
    )


def answers(c) -> dict:
    """What MinIO answers for every version of every object: HEAD + tags."""
    out = {}
    for name, (bucket, key) in OBJECTS.items():
        listed = c.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
        versions = []
        for v in listed:
            if v["Key"] != key:
                continue
            head = c.head_object(
                Bucket=bucket, Key=key, VersionId=v["VersionId"], ChecksumMode="ENABLED"
            )
            head.pop("ResponseMetadata", None)
            head.pop("LastModified", None)
            tags = c.get_object_tagging(Bucket=bucket, Key=key, VersionId=v["VersionId"])
            head["Tags"] = {t["Key"]: t["Value"] for t in tags["TagSet"]}
            head["VersionId"] = v["VersionId"]
            versions.append({k: v for k, v in head.items() if not hasattr(v, "read")})
        out[name] = {"bucket": bucket, "key": key, "versions": versions}
    return out


def main() -> None:
    port = free_port()
    name = f"xlmeta-capture-{secrets.token_hex(4)}"
    scratch = Path(tempfile.mkdtemp(prefix="xlmeta-capture-"))
    subprocess.run(
        [
            "docker", "run", "-d", "--name", name, "--network", "host",
            "-e", f"MINIO_ROOT_USER={USER}", "-e", f"MINIO_ROOT_PASSWORD={PASSWORD}",
            "-v", f"{scratch}:/data", IMAGE, "server", "/data",
            "--address", f"127.0.0.1:{port}", "--console-address", f"127.0.0.1:{free_port()}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        c = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id=USER,
            aws_secret_access_key=PASSWORD,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 10, "mode": "standard"}),
        )
        for _ in range(120):
            try:
                c.list_buckets()
                break
            except Exception:
                time.sleep(0.5)
        write(c)
        heads = answers(c)
        subprocess.run(["docker", "stop", name], check=True, stdout=subprocess.DEVNULL)
        for old in HERE.glob("*.xl.meta"):
            old.unlink()
        for label, (bucket, key) in OBJECTS.items():
            shutil.copyfile(scratch / bucket / key / "xl.meta", HERE / f"{label}.xl.meta")
        (HERE / "heads.json").write_text(
            json.dumps(heads, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        print(f"captured {len(OBJECTS)} xl.meta files and MinIO's answers into {HERE}")
    finally:
        subprocess.run(["docker", "rm", "-f", name], check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
