"""The target already has an IAM group named like the IdP group mapped to read-only
(`data-viewers`), with a narrower policy: RustFS grants SSO readers that group's policy instead.

On a real store it is typically a MinIO group carried over: the runbook's own example name,
`data-readers`, is such a group in the seeded data.
"""

import json
from types import SimpleNamespace

from cutover.seed import READ_POLICY, READER_USER

CLASHING_GROUP = "data-viewers"  # the rehearsal profile's read-only IdP group


def pytest_cutover_sso_prepare(plan, rehearsal):
    admin = plan.target.admin()
    # minio-py's group_add omits groupStatus (RustFS requires it) and attach_policy cannot read
    # RustFS's PBKDF2-sealed answer: the plain madmin calls do both.
    admin._url_open(
        method="PUT",
        command=SimpleNamespace(value="update-group-members"),
        body=json.dumps(
            {
                "group": CLASHING_GROUP,
                "members": [READER_USER],
                "isRemove": False,
                "groupStatus": "enabled",
            }
        ).encode(),
    )
    admin._url_open(
        method="PUT",
        command=SimpleNamespace(value="set-user-or-group-policy"),
        query_params={"policyName": READ_POLICY, "userOrGroup": CLASHING_GROUP, "isGroup": "true"},
    )
