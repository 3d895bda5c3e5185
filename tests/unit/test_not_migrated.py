"""What the source does that RustFS will not: each a notice, and an unreadable probe too."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from cutover.not_migrated import NOTICE_PREFIX, configured_identities, not_migrated


def _missing(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "none"}}, "Get")


class FakeS3:
    def get_bucket_notification_configuration(self, Bucket):
        if Bucket == "raw":
            return {
                "QueueConfigurations": [
                    {"QueueArn": "arn:minio:sqs::hook:webhook", "Events": ["s3:ObjectCreated:*"]}
                ]
            }
        return {"ResponseMetadata": {}}

    def get_bucket_replication(self, Bucket):
        if Bucket == "curated":
            rule = {"ID": "r1", "Destination": {"Bucket": "arn:minio:replication::x:dst"}}
            return {"ReplicationConfiguration": {"Rules": [rule]}}
        if Bucket == "broken":
            raise _missing("AccessDenied")
        raise _missing("ReplicationConfigurationNotFoundError")


class FakeAdmin:
    def __init__(self, ldap: str = "", openid: str = ""):
        self.ldap, self.openid = ldap, openid

    def _url_open(self, method, command, query_params):
        assert command.value == "list-remote-targets"
        return type("R", (), {"data": b"[]"})()

    def get_site_replication_info(self):
        return json.dumps({"enabled": False})

    def config_get(self, key):
        return {"identity_ldap": self.ldap, "identity_openid": self.openid}[key]


def test_each_configured_feature_is_a_notice_and_nothing_else():
    found = not_migrated(FakeS3(), FakeAdmin(), ["raw", "curated", "ml"])
    notices = sorted(f.notice() for f in found)  # buckets in name order: curated, ml, raw
    assert notices[0].startswith(
        f"{NOTICE_PREFIX}: bucket event notifications on raw: 1 configured: "
        "arn:minio:sqs::hook:webhook s3:ObjectCreated:*. RustFS does not read"
    )
    assert "bucket replication rules on curated: 1 configured: r1 -> arn:minio" in notices[1]
    assert len(notices) == 2


def test_a_probe_that_cannot_be_read_is_a_notice_too():
    (found,) = not_migrated(FakeS3(), None, ["broken"])
    assert found.feature == "bucket replication rules"
    assert "could not be read from MinIO (AccessDenied: none)" in found.detail
    assert "Check it by hand" in found.todo


def test_identity_providers_from_config_and_environment():
    ldap = "identity_ldap server_addr=ldap.corp:636 lookup_bind_dn= enable=on\n"
    openid = (
        "identity_openid config_url= client_id=\n"
        'identity_openid:jc config_url="https://oauth.id.jumpcloud.com/.well-known/x" '
        "client_id=abc\n"
        "# MINIO_IDENTITY_OPENID_CONFIG_URL=https://idp/.well-known/openid-configuration\n"
    )
    assert configured_identities(ldap, "identity_ldap") == ["ldap.corp:636"]
    assert configured_identities(openid, "identity_openid") == [
        "https://oauth.id.jumpcloud.com/.well-known/x (target jc)",
        "https://idp/.well-known/openid-configuration (from MINIO_IDENTITY_OPENID_CONFIG_URL)",
    ]
    assert configured_identities("identity_ldap server_addr= \n", "identity_ldap") == []
    found = not_migrated(FakeS3(), FakeAdmin(ldap=ldap), [])
    assert [f.feature for f in found] == ["LDAP identity provider"]
    assert "RustFS 1.0.1 has no LDAP" in found[0].notice()
