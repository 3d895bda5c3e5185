#!/usr/bin/env bash
# Regenerate the rclone outputs in this directory with the real rclone (Debian's 1.60.1, the one
# the rehearsal's rclone image carries) against two real MinIO containers on loopback.
# Keys here are throwaway values; the parser tests check they never leave the parser.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE="${MINIO_IMAGE:-rustfs-cutover/minio:7aac2a2c5b7c}"
PY="${PYTHON:-/work/main/.venv/bin/python}"
A=19310; B=19320
work="$(mktemp -d)"
trap 'docker rm -f rclone-capture-a rclone-capture-b >/dev/null 2>&1; rm -rf "$work"' EXIT
for side in a:$A:akey:asecret123 b:$B:bkey:bsecret123; do
    IFS=: read -r n port user pass <<<"$side"
    mkdir -p "$work/$n"
    docker run -d --name "rclone-capture-$n" --network host -e MINIO_ROOT_USER="$user" \
        -e MINIO_ROOT_PASSWORD="$pass" -v "$work/$n:/data" "$IMAGE" server /data \
        --address "127.0.0.1:$port" --console-address "127.0.0.1:$((port + 1))" >/dev/null
done
for port in $A $B; do
    for _ in $(seq 1 60); do
        curl -fsS "http://127.0.0.1:$port/minio/health/ready" >/dev/null 2>&1 && break
        sleep 0.25
    done
done
unset AWS_CA_BUNDLE
export RCLONE_CONFIG=/notfound
export RCLONE_CONFIG_LOCAL_TYPE=s3 RCLONE_CONFIG_LOCAL_PROVIDER=Other \
    RCLONE_CONFIG_LOCAL_ENDPOINT=http://127.0.0.1:$A RCLONE_CONFIG_LOCAL_ACCESS_KEY_ID=akey \
    RCLONE_CONFIG_LOCAL_SECRET_ACCESS_KEY=asecret123
export RCLONE_CONFIG_R2_TYPE=s3 RCLONE_CONFIG_R2_PROVIDER=Cloudflare \
    RCLONE_CONFIG_R2_ENDPOINT=http://127.0.0.1:$B RCLONE_CONFIG_R2_ACCESS_KEY_ID=bkey \
    RCLONE_CONFIG_R2_SECRET_ACCESS_KEY=bsecret123
s3() {  # s3 <side a|b> <python statements using `c`>
    local port=$A user=akey pass=asecret123
    [ "$1" = b ] && port=$B user=bkey pass=bsecret123
    "$PY" -c "import boto3, os
c = boto3.client('s3', endpoint_url='http://127.0.0.1:$port', aws_access_key_id='$user',
                 aws_secret_access_key='$pass', region_name='us-east-1')
$2"
}
check() {  # check <name> [extra flags]: pass 1 as the fixtures run it
    local name=$1; shift
    set +e
    rclone check LOCAL:pub R2:pub --combined - --use-json-log -vv "$@" \
        >"$HERE/$name.combined" 2>"$HERE/$name.log"
    echo $? >"$HERE/$name.rc"
    set -e
}
s3 a "c.create_bucket(Bucket='pub')
c.put_object(Bucket='pub', Key='a.txt', Body=b'hello world')
c.put_object(Bucket='pub', Key='dir/b.bin', Body=os.urandom(3000))
c.put_object(Bucket='pub', Key='Q2 summary (final).csv', Body=b'x,y\n')
c.put_object(Bucket='pub', Key='dt=2026/_SUCCESS', Body=b'')
up = c.create_multipart_upload(Bucket='pub', Key='rec/big.rrd')
parts = []
for n, size in ((1, 5 << 20), (2, 1 << 20)):
    r = c.upload_part(Bucket='pub', Key='rec/big.rrd', UploadId=up['UploadId'], PartNumber=n,
                      Body=os.urandom(size))
    parts.append({'PartNumber': n, 'ETag': r['ETag']})
c.complete_multipart_upload(Bucket='pub', Key='rec/big.rrd', UploadId=up['UploadId'],
                            MultipartUpload={'Parts': parts})"
rclone sync LOCAL:pub R2:pub --checksum --transfers 16 --stats 30s --stats-one-line -v \
    >"$HERE/sync_ok.log" 2>&1
check clean
# Same size, other bytes, in the multipart object: pass 1 cannot tell.
s3 b "size = c.head_object(Bucket='pub', Key='rec/big.rrd')['ContentLength']
c.put_object(Bucket='pub', Key='rec/big.rrd', Body=os.urandom(size))"
check multipart_changed
set +e
printf '%s\n' rec/big.rrd | rclone check LOCAL:pub R2:pub --download --files-from-raw - \
    --combined - --use-json-log >"$HERE/multipart_changed_download.combined" \
    2>"$HERE/multipart_changed_download.log"
echo $? >"$HERE/multipart_changed_download.rc"
set -e
# Same size change to an ordinary object, one missing on R2, one only on R2.
s3 b "c.put_object(Bucket='pub', Key='a.txt', Body=b'HELLO WORLD')
c.delete_object(Bucket='pub', Key='dir/b.bin')
c.put_object(Bucket='pub', Key='stale/old.html', Body=b'<html/>')"
check drift
check drift_size_only --size-only
# A refused R2 key: no --combined line at all, exit 1.
RCLONE_CONFIG_R2_SECRET_ACCESS_KEY=wrong-secret-0 check denied
set +e
RCLONE_CONFIG_R2_SECRET_ACCESS_KEY=wrong-secret-0 rclone sync LOCAL:pub R2:pub --checksum \
    --transfers 16 --stats 30s --stats-one-line -v >"$HERE/sync_denied.log" 2>&1
set -e
rclone lsjson R2: --dirs-only >"$HERE/lsjson_buckets.json"
echo "captured into $HERE"
