"""Signs requests with botocore's SigV4 signers, as AWS SDKs sign calls to API Gateway.

Reads {"access_key", "secret_key", "token"?, "region", "requests": [{"method", "url", "headers",
"body", "presign_expires"?, "signed_at"?}]} on stdin; prints, per request, the method, the final
URL, the headers to send, and the canonical request and string to sign botocore built.
`signed_at` (seconds since the epoch) signs as if botocore's clock said that time."""
import datetime
import json
import sys

import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def recording(base):
    class Recording(base):
        def string_to_sign(self, request, canonical_request):
            self.canonical = canonical_request
            self.sts = super().string_to_sign(request, canonical_request)
            return self.sts

    return Recording


spec = json.load(sys.stdin)
credentials = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
out = []
clock = botocore.auth.get_current_datetime
for item in spec["requests"]:
    botocore.auth.get_current_datetime = clock
    request = AWSRequest(
        method=item["method"],
        url=item["url"],
        data=item.get("body", "").encode(),
        headers=item.get("headers", {}),
    )
    if "signed_at" in item:
        at = datetime.datetime.fromtimestamp(item["signed_at"], datetime.timezone.utc)
        botocore.auth.get_current_datetime = lambda *_, at=at: at.replace(tzinfo=None)
    if "presign_expires" in item:
        signer = recording(SigV4QueryAuth)(
            credentials, "execute-api", spec["region"], expires=item["presign_expires"]
        )
    else:
        signer = recording(SigV4Auth)(credentials, "execute-api", spec["region"])
    signer.add_auth(request)
    out.append({
        "method": request.method,
        "url": request.url,
        "headers": [[k, v] for k, v in request.headers.items()],
        "canonical_request": signer.canonical,
        "string_to_sign": signer.sts,
    })
json.dump(out, sys.stdout)
