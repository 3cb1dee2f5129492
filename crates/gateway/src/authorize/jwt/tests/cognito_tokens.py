"""Creates a user pool, an app client and a user on a moto server, signs the user in and prints
the pool id, client id and tokens as JSON. Usage: cognito_tokens.py ENDPOINT_URL"""
import json
import sys

import boto3

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
)["UserPoolClient"]["ClientId"]
idp.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
idp.admin_set_user_password(
    UserPoolId=pool, Username="alice", Password="Corr3ct-Horse!", Permanent=True
)
auth = idp.admin_initiate_auth(
    UserPoolId=pool,
    ClientId=client,
    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "alice", "PASSWORD": "Corr3ct-Horse!"},
)["AuthenticationResult"]
print(json.dumps({
    "pool_id": pool,
    "client_id": client,
    "id_token": auth["IdToken"],
    "access_token": auth["AccessToken"],
}))
