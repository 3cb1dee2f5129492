"""Creates a user pool, two app clients and a user on a moto server, signs the user in through
each client and prints the pool id, the client ids and the tokens as JSON.

Also prints the claims of the first client's tokens, and an expired ID and access token: the
first client's tokens with their times moved two hours back and signed again with moto's own user
pool key, exactly as moto signs the tokens it issues (moto's clock cannot be moved from outside
its process).
Usage: cognito_tokens.py ENDPOINT_URL"""
import base64
import json
import sys
import time

import boto3
from joserfc import jwk, jwt
from moto.utilities.utils import load_resource

idp = boto3.client(
    "cognito-idp",
    endpoint_url=sys.argv[1],
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
pool = idp.create_user_pool(PoolName="turnpike-test")["UserPool"]["Id"]
client = idp.create_user_pool_client(
    UserPoolId=pool,
    ClientName="turnpike-app",
    ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    ReadAttributes=["email"],
)["UserPoolClient"]["ClientId"]
idp.admin_create_user(
    UserPoolId=pool,
    Username="alice",
    MessageAction="SUPPRESS",
    UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
)
for group in ("admins", "staff"):
    idp.create_group(UserPoolId=pool, GroupName=group)
    idp.admin_add_user_to_group(UserPoolId=pool, Username="alice", GroupName=group)
idp.admin_set_user_password(
    UserPoolId=pool, Username="alice", Password="Corr3ct-Horse!", Permanent=True
)
other = idp.create_user_pool_client(
    UserPoolId=pool,
    ClientName="another-app",
    ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    ReadAttributes=["email"],
)["UserPoolClient"]["ClientId"]


def sign_in(client_id):
    return idp.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Corr3ct-Horse!"},
    )["AuthenticationResult"]


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def java_date(seconds):
    """`exp` and `iat` as REST APIs hand Cognito claims on (Java's `Date.toString`)."""
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(seconds))


def expired(token):
    """`token` two hours older, signed with moto's user pool key."""
    claims = claims_of(token)
    for name in ("iat", "auth_time", "exp"):
        claims[name] -= 7200
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, key)


auth, other_auth = sign_in(client), sign_in(other)
print(json.dumps({
    "pool_id": pool,
    "client_id": client,
    "id_token": auth["IdToken"],
    "access_token": auth["AccessToken"],
    "other_client_id": other,
    "other_id_token": other_auth["IdToken"],
    "other_access_token": other_auth["AccessToken"],
    "expired_id_token": expired(auth["IdToken"]),
    "expired_access_token": expired(auth["AccessToken"]),
    "id_claims": claims_of(auth["IdToken"]),
    "access_claims": claims_of(auth["AccessToken"]),
    "id_exp_java": java_date(claims_of(auth["IdToken"])["exp"]),
    "access_exp_java": java_date(claims_of(auth["AccessToken"])["exp"]),
}))
