//! A local moto server, boto3 against it and the virtualenv's JSON-answering scripts: the
//! workspace's one implementation, shared with the crates' unit tests ([`turnpike_testkit`]).
//! Also the queue `jobs` of a second account, which the credentials-role tests send to.

pub use turnpike_testkit::moto::Moto;
pub use turnpike_testkit::python::{python_json, venv};

/// boto3 lines that make `other`, an SQS client of account 111122223333 (moto keeps each
/// account's queues apart, by the access key a request is signed with).
const OTHER_ACCOUNT_SQS: &str = "c = boto3.client('sts', **kw).assume_role(RoleArn='arn:aws:iam::111122223333:role/setup', RoleSessionName='setup')['Credentials']\n\
     other = boto3.client('sqs', **{**kw, 'aws_access_key_id': c['AccessKeyId'], 'aws_secret_access_key': c['SecretAccessKey'], 'aws_session_token': c['SessionToken']})\n";

/// Creates the queue `jobs` of account 111122223333.
pub fn create_other_accounts_jobs_queue(moto: &Moto) {
    moto.boto3(&format!(
        "{OTHER_ACCOUNT_SQS}other.create_queue(QueueName='jobs')\nprint(json.dumps(None))"
    ));
}

/// `{"theirs": [...], "ours": [...]}`: the bodies of the messages in account 111122223333's queue
/// `jobs` (waiting up to a second for them), and the queue URLs of the default account.
pub fn other_accounts_jobs(moto: &Moto) -> serde_json::Value {
    moto.boto3(&format!(
        "{OTHER_ACCOUNT_SQS}q = other.get_queue_url(QueueName='jobs')['QueueUrl']\n\
         m = other.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=1).get('Messages', [])\n\
         print(json.dumps({{'theirs': [x['Body'] for x in m], 'ours': sqs.list_queues().get('QueueUrls', [])}}))"
    ))
}
