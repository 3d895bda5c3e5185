"""MinIO does things RustFS will not take over: a bucket's events go to a webhook, a bucket
replicates to another (a remote target on the same MinIO: MinIO accepts it offline), and
MinIO has an OpenID provider. A loopback HTTP listener in this process plays the webhook and
serves the provider's discovery document (MinIO fetches both when it starts).
LDAP and site replication need a real directory / a second site: unit-tested only.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from minio.crypto import encrypt

WEBHOOK = "CUTOVER"
NOTIFIED_BUCKET = "raw"
REPLICATED, REPLICA = "ml-models", "audit-logs"  # both versioned in datasets.yml

_server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
BASE = f"http://127.0.0.1:{_server.server_address[1]}"
DOCS = {
    "/.well-known/openid-configuration": {
        "issuer": BASE,
        "jwks_uri": f"{BASE}/jwks",
        "authorization_endpoint": f"{BASE}/auth",
        "token_endpoint": f"{BASE}/token",
        "userinfo_endpoint": f"{BASE}/userinfo",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    },
    "/jwks": {"keys": []},
}


class _Handler(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps(DOCS.get(self.path, {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args):
        pass


_server.RequestHandlerClass = _Handler


def pytest_cutover_source_prepare(plan):
    threading.Thread(target=_server.serve_forever, daemon=True).start()
    plan.env[f"MINIO_NOTIFY_WEBHOOK_ENABLE_{WEBHOOK}"] = "on"
    plan.env[f"MINIO_NOTIFY_WEBHOOK_ENDPOINT_{WEBHOOK}"] = f"{BASE}/hook"
    plan.env["MINIO_IDENTITY_OPENID_CONFIG_URL"] = f"{BASE}/.well-known/openid-configuration"
    plan.env["MINIO_IDENTITY_OPENID_CLIENT_ID"] = "minio-console"


def pytest_cutover_after_seed(rehearsal):
    endpoint = rehearsal.source_endpoint
    s3, admin = endpoint.client(), endpoint.admin()
    s3.put_bucket_notification_configuration(
        Bucket=NOTIFIED_BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": f"arn:minio:sqs::{WEBHOOK}:webhook",
                    "Events": ["s3:ObjectCreated:*"],
                }
            ]
        },
    )
    secret = endpoint.secret_key.get_secret_value()
    target = {
        "sourcebucket": REPLICATED,
        "endpoint": endpoint.hostport,
        "credentials": {"accessKey": endpoint.access_key, "secretKey": secret},
        "targetbucket": REPLICA,
        "secure": False,
        "type": "replication",
        "api": "s3v4",
        "path": "auto",
    }
    answer = admin._url_open(
        method="PUT",
        command=SimpleNamespace(value="set-remote-target"),
        query_params={"bucket": REPLICATED},
        body=encrypt(json.dumps(target).encode(), secret),
    )
    arn = json.loads(answer.data)
    s3.put_bucket_replication(
        Bucket=REPLICATED,
        ReplicationConfiguration={
            "Role": arn,
            "Rules": [
                {
                    "ID": "to-audit-logs",
                    "Status": "Enabled",
                    "Priority": 1,
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Filter": {"Prefix": "never-written/"},
                    "Destination": {"Bucket": arn},
                }
            ],
        },
    )
