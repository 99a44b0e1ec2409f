#!/usr/bin/env python3
"""Writes template.yaml: nine functions that differ only in name, resources, schedule and
timeout, so the template is generated rather than copied nine times by hand. The groups and
their resources come from the Rust table (shared/src/resources.rs, printed by
`okta-ingest resources`), so a resource added there gets its permissions and expiry rule here.

Usage: scripts/template.py > template.yaml   (CI checks the two agree)."""
import json
import os
import subprocess
import sys

def resource_table():
    """The groups and resources, from the Rust table (`okta-ingest resources`): the one place a
    resource is declared. OKTA_INGEST_RESOURCES may name a file holding that JSON instead."""
    path = os.environ.get("OKTA_INGEST_RESOURCES")
    if path:
        with open(path) as f:
            return json.load(f)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # The whole workspace's binaries, as `cargo test --workspace` builds them: building the CLI
    # alone would unify features differently and compile every dependency again.
    subprocess.run(["cargo", "build", "--quiet", "--workspace", "--bins"], cwd=root, check=True)
    printed = subprocess.run(
        [os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")),
                      "debug", "okta-ingest"), "resources"],
        cwd=root, check=True, capture_output=True, text=True)
    return json.loads(printed.stdout)

table = resource_table()
# name, Title, resources, schedule, timeout
groups = [(g["name"], g["name"].capitalize(), [r["name"] for r in g["resources"]],
           g["schedule"], g["timeout_secs"]) for g in table["groups"]]
summaries = {g["name"]: g["summary"] for g in table["groups"]}
snapshot_resources = [r["name"] for g in table["groups"] if g["kind"] == "snapshot"
                      for r in g["resources"]]
kinds = {g["name"]: g["kind"] for g in table["groups"]}
# The change feed: every snapshot function writes it beside its resources, and reads the
# System Log (who made a change) and the admin roles' groups.
feed = table["change_feed"]

# checkov findings this template accepts, each with its reason (CI runs checkov: scripts/checkov).
# checkov_skip() writes them into a resource's Metadata, so the reason stands by the resource.
SKIPS = {
  "CKV_AWS_27": "SSE-SQS (SqsManagedSseEnabled) encrypts the queue at rest; the check only recognises a KMS key (KmsMasterKeyId)",
  "CKV_AWS_115": "No reserved concurrency: the work queue mapping's MaximumConcurrency (MaxConcurrentTenants) bounds it, and a reservation below that would throttle deliveries into the dead-letter queue",
  "CKV_AWS_116": "Failed scheduled (asynchronous) invocations go to FailureQueue through the EventInvokeConfig OnFailure destination, which does a DLQ's job with more context; queued work has its own dead-letter queue",
  "CKV_AWS_117": "No VPC: the functions need internet egress to every tenant's Okta org (in a VPC, a NAT gateway) and reach nothing private",
  "CKV_AWS_173": "The variables hold a bucket, prefixes, a queue URL and numbers, no secrets (tenant credentials are in Secrets Manager); Lambda encrypts them at rest with its AWS managed key",
  "CKV_AWS_18": "This is the access-log target bucket: S3 advises against logging it, and logging it to itself would loop",
}
def checkov_skip(*ids, indent=6):
    pad = " " * indent
    text = f"{pad}checkov:\n{pad}  skip:\n"
    for i in ids:
        # JSON strings are YAML double-quoted strings: a reason may hold ':' or '#'.
        text += f"{pad}    - id: {i}\n{pad}      comment: {json.dumps(SKIPS[i])}\n"
    return text

out = []
w = out.append
def scope_comment():
    """The Okta API scopes a tenant's service app is granted: the integration's own, then the
    optional ones with the resources each adds."""
    core = table["integration_scopes"]
    optional = {}
    for g in table["groups"]:
        for r in g["resources"]:
            if r["scope"] not in core:
                optional.setdefault(r["scope"], []).append(r["name"])
    lines = ["# Okta API scopes to grant each tenant's service app (Admin Console: the app's Okta API",
             "# Scopes tab). The integration's own; a tenant is Active when all of them are granted:"]
    for i in range(0, len(core), 4):
        lines.append("#   " + ", ".join(core[i:i + 4]))
    lines.append("# Optional; each adds the resources named, which are skipped (with the scope named)")
    lines.append("# when it is not granted:")
    for scope, names in optional.items():
        lines.append(f"#   {scope}: {', '.join(names)}")
    return "\n".join(lines)

w("""# okta-ingest: one Lambda function per Okta resource group, each on its own EventBridge
# schedule, writing partitioned gzip NDJSON to one S3 bucket. Deploy with `sam build` and
# `sam deploy --guided` (see the README's Deploy section).
""" + scope_comment() + """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: okta-ingest - Okta inventory and System Log into S3 for many tenants

Parameters:
  DataBucketName:
    Type: String
    Default: ""
    AllowedPattern: "^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$"
    ConstraintDescription: a bucket name (not an s3:// URL or ARN), or empty
    Description: An existing bucket for the output; empty creates one (encrypted, versioned, TLS-only, access-logged)
  AccessLogBucketName:
    Type: String
    Default: ""
    AllowedPattern: "^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$"
    ConstraintDescription: a bucket name (not an s3:// URL or ARN), or empty
    Description: Where the data bucket's S3 server access logs go (same account and Region, its policy letting logging.s3.amazonaws.com write); empty creates a log bucket. Unused with DataBucketName
  AccessLogRetentionDays:
    Type: Number
    Default: 90
    MinValue: 1
    Description: Days the log bucket this stack creates keeps access logs
  DataPrefix:
    Type: String
    Default: okta
    AllowedPattern: "^[a-z0-9][a-z0-9-_/]*[a-z0-9]$"
    Description: Key prefix of everything written (no leading or trailing slash)
  SecretPrefix:
    Type: String
    Default: okta-ingest/tenants/
    # Not empty (the functions could then read every secret in the account), and only the
    # characters of secret names: no ARN, no wildcard.
    AllowedPattern: "^[A-Za-z0-9/_+=.@-]{1,256}$"
    ConstraintDescription: the start of a secret name (letters, digits, / _ + = . @ -), not empty
    Description: Tenant secrets are named <SecretPrefix><tenant-id>
  DataKmsKeyArn:
    Type: String
    Default: ""
    # A key ARN: IAM grants on a key ID or an alias would not match.
    AllowedPattern: "^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)?$"
    ConstraintDescription: a KMS key ARN (arn:aws:kms:region:account:key/id), or empty
    Description: A KMS key for the bucket (SSE-KMS); empty uses SSE-S3
  SecretsKmsKeyArn:
    Type: String
    Default: ""
    AllowedPattern: "^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)?$"
    ConstraintDescription: a KMS key ARN (arn:aws:kms:region:account:key/id), or empty
    Description: The KMS key that encrypts the tenant secrets, if not the AWS managed key
  SnapshotRetentionDays:
    Type: Number
    Default: 90
    MinValue: 1
    Description: Days after which inventory snapshots (and their manifests) expire; the System Log is kept
  OutputFormat:
    Type: String
    Default: parquet
    AllowedValues: [parquet, ndjson, both]
    Description: Part format written - parquet (typed columns plus each record as sent, zstd), ndjson (gzip NDJSON) or both (Athena reads one format per table location; see the README)
  Refresh:
    Type: String
    Default: auto
    AllowedValues: [auto, full]
    Description: auto - hourly runs of users, groups and apps read only what changed since the last complete state (System Log and change filters) and carry the rest; full - every run reads everything
  ReconcileHours:
    Type: Number
    Default: 24
    MinValue: 1
    Description: With Refresh auto, a run is full again (a reconciliation, which measures how far the incremental state drifted) once the last full run is this many hours old
  TenantConcurrency:
    Type: Number
    Default: 4
    MinValue: 1
    Description: Tenants a direct invocation processes at once (a scheduled tick goes through the work queue instead, one tenant per invocation)
  MaxConcurrentTenants:
    Type: Number
    Default: 20
    MinValue: 2
    MaxValue: 1000
    Description: Per function, tenants run at once from its work queue (the SQS event source's maximum concurrency; 2 to 1000)
  MaxReceiveCount:
    Type: Number
    Default: 3
    MinValue: 1
    MaxValue: 1000
    Description: Attempts at one tenant's message before SQS moves it to the function's dead-letter queue
  QueueAgeAlarmSeconds:
    Type: Number
    Default: 3600
    MinValue: 300
    MaxValue: 86400
    Description: Alarm when a work queue's oldest message is older than this, in seconds (the function is not keeping up)
  MaximumRetryAttempts:
    Type: Number
    Default: 1
    AllowedValues: [0, 1, 2]
    Description: Lambda retries of a failed asynchronous invocation (a scheduled tick's dispatch)
  LogLagAlarmSeconds:
    Type: Number
    Default: 7200
    MinValue: 900
    Description: Alarm when the newest System Log event delivered is older than this (seconds)
  AlarmEmail:
    Type: String
    Default: ""
    AllowedPattern: '^([^@\\s]+@[^@\\s]+\\.[^@\\s]+)?$'
    ConstraintDescription: one email address, or empty
    Description: Where alarms are sent (an SNS email subscription); empty sends nowhere
  AlarmKmsKeyArn:
    Type: String
    Default: ""
    AllowedPattern: "^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)?$"
    ConstraintDescription: a KMS key ARN (arn:aws:kms:region:account:key/id), or empty
    Description: A KMS key for the alarm topic, whose key policy lets cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*); empty creates one (with AlarmEmail)
""")
for name, title, res, sched, timeout in groups:
    w(f"""  {title}Schedule:
    Type: String
    Default: {sched}
    AllowedPattern: '^(rate|cron)\\(.+\\)$'
    ConstraintDescription: an EventBridge schedule expression, rate(...) or cron(...)
    Description: How often okta-{name} runs (rate() or cron())
  {title}ScheduleEnabled:
    Type: String
    Default: "true"
    AllowedValues: ["true", "false"]
  {title}MemorySize:
    Type: Number
    Default: 256
    MinValue: 128
    MaxValue: 10240
  {title}Timeout:
    Type: Number
    Default: {timeout}
    MinValue: 60
    MaxValue: 900
""")
w("""
Conditions:
  CreateBucket: !Equals [!Ref DataBucketName, ""]
  CreateLogBucket: !And [!Condition CreateBucket, !Equals [!Ref AccessLogBucketName, ""]]
  UseDataKms: !Not [!Equals [!Ref DataKmsKeyArn, ""]]
  UseSecretsKms: !Not [!Equals [!Ref SecretsKmsKeyArn, ""]]
  HasAlarmEmail: !Not [!Equals [!Ref AlarmEmail, ""]]
  UseAlarmKms: !Not [!Equals [!Ref AlarmKmsKeyArn, ""]]
  CreateAlarmKey: !And [!Condition HasAlarmEmail, !Not [!Condition UseAlarmKms]]
""")
for name, title, res, sched, timeout in groups:
    w(f"""  {title}ScheduleOn: !Equals [!Ref {title}ScheduleEnabled, "true"]\n""")

bucket = '!If [CreateBucket, !Ref DataBucket, !Ref DataBucketName]'
w(f"""
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Architectures: [arm64]
    # The workspace root: cargo-lambda builds into its target/, where SAM looks for the binary.
    CodeUri: .
    # No reserved concurrency: the work queue's MaxConcurrentTenants bounds each function, and a
    # reservation below it would throttle the queue's deliveries into the dead-letter queue.
    # Overlapping runs of one tenant are kept apart by its lease in _state/, not by concurrency.
    LoggingConfig:
      LogFormat: JSON
      ApplicationLogLevel: INFO
    Environment:
      Variables:
        OKTA_INGEST_OUTPUT: !Sub
          - s3://${{Bucket}}/${{DataPrefix}}
          - Bucket: {bucket}
        OKTA_INGEST_SECRET_PREFIX: !Ref SecretPrefix
        OKTA_INGEST_TENANT_CONCURRENCY: !Ref TenantConcurrency
        OKTA_INGEST_FORMAT: !Ref OutputFormat
        OKTA_INGEST_REFRESH: !Ref Refresh
        OKTA_INGEST_RECONCILE_HOURS: !Ref ReconcileHours
    EventInvokeConfig:
      MaximumRetryAttempts: !Ref MaximumRetryAttempts
      MaximumEventAgeInSeconds: 3600
      DestinationConfig:
        OnFailure:
          Type: SQS
          Destination: !GetAtt FailureQueue.Arn

Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Condition: CreateBucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - BucketKeyEnabled: true
            ServerSideEncryptionByDefault: !If
              - UseDataKms
              - SSEAlgorithm: aws:kms
                KMSMasterKeyID: !Ref DataKmsKeyArn
              - SSEAlgorithm: AES256
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerEnforced
      VersioningConfiguration:
        Status: Enabled
      # S3 server access logs: every request to the bucket, for audits. Keys are partitioned
      # by day (<prefix><account>/<region>/<bucket>/YYYY/MM/DD/...).
      LoggingConfiguration:
        DestinationBucketName: !If [CreateLogBucket, !Ref AccessLogBucket, !Ref AccessLogBucketName]
        LogFilePrefix: !Sub ${{AWS::StackName}}/
        TargetObjectKeyFormat:
          PartitionedPrefix:
            PartitionDateSource: EventTime
      LifecycleConfiguration:
        Rules:
          # A streamed part whose run died leaves an incomplete multipart upload behind.
          - Id: abort-incomplete-uploads
            Status: Enabled
            AbortIncompleteMultipartUpload:
              DaysAfterInitiation: 1
          # Checkpoints and leases are rewritten every few minutes: keep few old versions.
          - Id: expire-old-state-versions
            Status: Enabled
            Prefix: !Sub ${{DataPrefix}}/_state/
            NoncurrentVersionExpiration:
              NoncurrentDays: 7
""")
for r in snapshot_resources + ["_manifests"]:
    w(f"""          - Id: expire-{r.replace('_','-').strip('-')}
            Status: Enabled
            Prefix: !Sub ${{DataPrefix}}/{r}/
            ExpirationInDays: !Ref SnapshotRetentionDays
            NoncurrentVersionExpiration:
              NoncurrentDays: 1
""")
w(f"""
  # Only for a bucket this stack creates: an existing bucket's policy is its owner's.
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Condition: CreateBucket
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource:
              - !GetAtt DataBucket.Arn
              - !Sub ${{DataBucket.Arn}}/*
            Condition:
              Bool:
                aws:SecureTransport: "false"

  # The data bucket's server access logs, unless AccessLogBucketName names another bucket.
  # What S3 requires of a log target (S3 User Guide, "Enabling Amazon S3 server access
  # logging"): same account and Region; default encryption SSE-S3 only (SSE-KMS is not
  # supported, so DataKmsKeyArn does not apply here); no Object Lock or default retention;
  # with ACLs disabled, delivery granted by the bucket policy.
  AccessLogBucket:
    Type: AWS::S3::Bucket
    Condition: CreateLogBucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Metadata:
{checkov_skip("CKV_AWS_18")}    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerEnforced
      # A log deleted or overwritten before it expires stays recoverable for a week.
      VersioningConfiguration:
        Status: Enabled
      LifecycleConfiguration:
        Rules:
          - Id: expire-access-logs
            Status: Enabled
            ExpirationInDays: !Ref AccessLogRetentionDays
            NoncurrentVersionExpiration:
              NoncurrentDays: 7
          - Id: remove-expired-delete-markers
            Status: Enabled
            ExpiredObjectDeleteMarker: true

  AccessLogBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Condition: CreateLogBucket
    Properties:
      Bucket: !Ref AccessLogBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          # The S3 User Guide's grant to the logging service, for this stack's data bucket only.
          - Sid: S3ServerAccessLogs
            Effect: Allow
            Principal:
              Service: logging.s3.amazonaws.com
            Action: s3:PutObject
            Resource: !Sub ${{AccessLogBucket.Arn}}/${{AWS::StackName}}/*
            Condition:
              ArnLike:
                aws:SourceArn: !GetAtt DataBucket.Arn
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource:
              - !GetAtt AccessLogBucket.Arn
              - !Sub ${{AccessLogBucket.Arn}}/*
            Condition:
              Bool:
                aws:SecureTransport: "false"

  # Scheduled invocations that failed after Lambda's retries land here, with their error.
  FailureQueue:
    Type: AWS::SQS::Queue
    Metadata:
{checkov_skip("CKV_AWS_27")}    Properties:
      SqsManagedSseEnabled: true
      MessageRetentionPeriod: 1209600

  # Encrypts the alarm topic, unless AlarmKmsKeyArn names a key. Not the AWS managed key
  # alias/aws/sns: CloudWatch can publish alarms to an encrypted topic only if the key policy
  # lets cloudwatch.amazonaws.com use the key, and an AWS managed key's policy cannot be
  # changed. The SNS Developer Guide ("Enable compatibility between event sources from AWS
  # services and encrypted topics") asks for a customer managed key with the statement below.
  AlarmKey:
    Type: AWS::KMS::Key
    Condition: CreateAlarmKey
    Properties:
      Description: !Sub ${{AWS::StackName}} alarm notifications (SNS topic encryption)
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          # KMS's default key policy: the account controls the key through IAM.
          - Sid: AccountControlsKey
            Effect: Allow
            Principal:
              AWS: !Sub arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:root
            Action: kms:*
            Resource: "*"
          - Sid: CloudWatchAlarmsPublish
            Effect: Allow
            Principal:
              Service: cloudwatch.amazonaws.com
            Action: [kms:Decrypt, kms:GenerateDataKey*]
            Resource: "*"

  AlarmTopic:
    Type: AWS::SNS::Topic
    Condition: HasAlarmEmail
    Properties:
      KmsMasterKeyId: !If [UseAlarmKms, !Ref AlarmKmsKeyArn, !GetAtt AlarmKey.Arn]
      Subscription:
        - Protocol: email
          Endpoint: !Ref AlarmEmail
""")
def s3arn(path):
    return f"""                  - !Sub
                    - arn:${{AWS::Partition}}:s3:::${{Bucket}}/${{DataPrefix}}/{path}
                    - Bucket: {bucket}
"""
for name, title, res, sched, timeout in groups:
    desc = summaries[name]
    w(f"""
  {title}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: okta-{name}
{checkov_skip("CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173")}    Properties:
      FunctionName: !Sub ${{AWS::StackName}}-{name}
      Description: "okta-ingest: {desc}"
      MemorySize: !Ref {title}MemorySize
      Timeout: !Ref {title}Timeout
      Environment:
        Variables:
          # Set: a scheduled tick sends one message per tenant here; the queue's event source
          # mapping ({title}QueueMapping) brings them back to this function, one tenant each.
          OKTA_INGEST_QUEUE_URL: !Ref {title}Queue
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Sid: WriteOwnOutput
              Effect: Allow
              Action: [s3:PutObject, s3:GetObject, s3:AbortMultipartUpload]
              Resource:
""")
    paths = []
    for r in res:
        # _state/<resource>/: the System Log's checkpoint, a snapshot's change-feed base.
        paths += [f"{r}/*", f"_manifests/{r}/*", f"_state/{r}/*"]
    if kinds[name] == feed["written_by"]:
        paths += [f"{feed['name']}/*", f"_manifests/{feed['name']}/*"]
    # The group's own state: each tenant's lease (one run at a time) and continuation.
    paths += [f"_state/{name}/*", "_status/*"]
    for p in paths:
        w(s3arn(p).replace("                  - !Sub", "                - !Sub").replace("                    - arn", "                  - arn").replace("                    - Bucket", "                  - Bucket"))
    if kinds[name] == feed["written_by"]:
        w(f"""            - Sid: ReadForTheChangeFeed
              Effect: Allow
              Action: s3:GetObject
              Resource:
""")
        for prefix in feed["reads"]:
            for p in [f"{prefix}*"]:
                w(s3arn(p).replace("                  - !Sub", "                - !Sub").replace("                    - arn", "                  - arn").replace("                    - Bucket", "                  - Bucket"))
    w(f"""            # Reading a checkpoint or lease that does not exist yet must answer 404, not 403:
            # S3 says 404 only to callers allowed to list the bucket. Key names are all it reveals.
            - Sid: SeeMissingState
              Effect: Allow
              Action: s3:ListBucket
              Resource: !Sub
                - arn:${{AWS::Partition}}:s3:::${{Bucket}}
                - Bucket: {bucket}
""")
    w(f"""            - Sid: ReadTenantSecrets
              Effect: Allow
              Action: secretsmanager:GetSecretValue
              # The trailing * absorbs the random suffix Secrets Manager adds to secret ARNs.
              Resource: !Sub arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:${{SecretPrefix}}*
            - Sid: ListTenantSecrets
              Effect: Allow
              Action: secretsmanager:ListSecrets
              # ListSecrets supports no resource-level permissions; the code filters by prefix.
              Resource: "*"
            - !If
              - UseDataKms
              - Sid: UseDataKey
                Effect: Allow
                Action: [kms:GenerateDataKey, kms:Decrypt]
                Resource: !Ref DataKmsKeyArn
              - !Ref AWS::NoValue
            - !If
              - UseSecretsKms
              - Sid: DecryptTenantSecrets
                Effect: Allow
                Action: kms:Decrypt
                Resource: !Ref SecretsKmsKeyArn
              - !Ref AWS::NoValue
            - Sid: ReportFailures
              Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt FailureQueue.Arn
            # Its own work queue only: the tick's messages (SendMessageBatch is authorised as
            # SendMessage), continuations, and delayed copies of messages whose tenant is busy.
            - Sid: FeedOwnQueue
              Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt {title}Queue.Arn
            # What the event source mapping does with this role. (SAM's SQS event would attach
            # AWSLambdaSQSQueueExecutionRole instead, which allows these on every queue.)
            - Sid: ConsumeOwnQueue
              Effect: Allow
              Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
              Resource: !GetAtt {title}Queue.Arn
      Events:
        Schedule:
          # An EventBridge rule delivers the "Scheduled Event" envelope, which the function
          # reads as "every tenant". (EventBridge Scheduler would need an Input instead.)
          Type: Schedule
          Properties:
            Schedule: !Ref {title}Schedule
            State: !If [{title}ScheduleOn, ENABLED, DISABLED]
            RetryPolicy:
              MaximumRetryAttempts: 2
              MaximumEventAgeInSeconds: 3600

  {title}ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: okta-{name} invocations failed (a dispatch, or a direct run where every tenant failed, or a crash or timeout); see its logs and the failure queue
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref {title}Function
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref AWS::NoValue]

  # The work of okta-{name}: one message per tenant per tick, plus continuations and delayed retries.
  {title}Queue:
    Type: AWS::SQS::Queue
    Metadata:
{checkov_skip("CKV_AWS_27")}    Properties:
      QueueName: !Sub ${{AWS::StackName}}-{name}
      SqsManagedSseEnabled: true
      # At least the longest function timeout the {title}Timeout parameter allows (900 s; Lambda
      # refuses a mapping whose queue hides messages for less than the function may run), plus
      # a minute. It is also the retry delay: a failed or crashed tenant is back ~16 min later.
      VisibilityTimeout: 960
      # A tick older than a day has been superseded by newer ones.
      MessageRetentionPeriod: 86400
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt {title}DeadLetterQueue.Arn
        maxReceiveCount: !Ref MaxReceiveCount

  # Tenants that failed MaxReceiveCount times. SQS keeps a moved message's original enqueue
  # time, so this queue must keep messages longer than the work queue does.
  {title}DeadLetterQueue:
    Type: AWS::SQS::Queue
    Metadata:
{checkov_skip("CKV_AWS_27")}    Properties:
      QueueName: !Sub ${{AWS::StackName}}-{name}-dlq
      SqsManagedSseEnabled: true
      MessageRetentionPeriod: 1209600

  {title}QueueMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref {title}Function
      EventSourceArn: !GetAtt {title}Queue.Arn
      # One tenant per invocation; a failed tenant is reported, not thrown.
      BatchSize: 1
      FunctionResponseTypes: [ReportBatchItemFailures]
      ScalingConfig:
        MaximumConcurrency: !Ref MaxConcurrentTenants
      # Off with the schedule: queued messages then wait (up to a day) instead of running.
      Enabled: !If [{title}ScheduleOn, true, false]

  {title}DeadLetterAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: !Sub okta-{name} gave up on a tenant after MaxReceiveCount attempts; see its logs, fix the cause, then redrive ${{AWS::StackName}}-{name}-dlq
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions:
        - Name: QueueName
          Value: !GetAtt {title}DeadLetterQueue.QueueName
      Statistic: Maximum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref AWS::NoValue]

  {title}QueueAgeAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: okta-{name} is not keeping up with its tenants (its work queue's oldest message is older than QueueAgeAlarmSeconds); raise MaxConcurrentTenants or the schedule's interval
      Namespace: AWS/SQS
      MetricName: ApproximateAgeOfOldestMessage
      Dimensions:
        - Name: QueueName
          Value: !GetAtt {title}Queue.QueueName
      Statistic: Maximum
      Period: 300
      EvaluationPeriods: 3
      Threshold: !Ref QueueAgeAlarmSeconds
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref AWS::NoValue]
""")
w("""
  # The okta-logs function reports SystemLogLagSeconds (now minus the newest event delivered)
  # in Embedded Metric Format; no data also means the log is not advancing.
  SystemLogLagAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: The System Log has not advanced; check okta-logs' logs and the tenants' status
      Namespace: OktaIngest
      MetricName: SystemLogLagSeconds
      Dimensions:
        - Name: Function
          Value: okta-logs
      Statistic: Maximum
      Period: 900
      EvaluationPeriods: 2
      Threshold: !Ref LogLagAlarmSeconds
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: breaching
      AlarmActions: !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref AWS::NoValue]

  FailureQueueAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: Scheduled invocations (dispatches) failed after retries and were parked in the failure queue
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions:
        - Name: QueueName
          Value: !GetAtt FailureQueue.QueueName
      Statistic: Maximum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref AWS::NoValue]

Outputs:
  DataBucket:
    Description: Where the output lands
    Value: !If [CreateBucket, !Ref DataBucket, !Ref DataBucketName]
  OutputRoot:
    Description: The output root (OKTA_INGEST_OUTPUT)
    Value: !Sub
      - s3://${Bucket}/${DataPrefix}
      - Bucket: !If [CreateBucket, !Ref DataBucket, !Ref DataBucketName]
  AccessLogBucket:
    Condition: CreateBucket
    Description: Where the data bucket's S3 server access logs land (under <stack name>/)
    Value: !If [CreateLogBucket, !Ref AccessLogBucket, !Ref AccessLogBucketName]
  FailureQueueUrl:
    Description: Failed scheduled invocations, with their error
    Value: !Ref FailureQueue
""")
for name, title, res, sched, timeout in groups:
    w(f"""  {title}FunctionName:
    Description: okta-{name}
    Value: !Ref {title}Function
  {title}QueueUrl:
    Description: Work queue of okta-{name} (one message per tenant per tick)
    Value: !Ref {title}Queue
  {title}DeadLetterQueueUrl:
    Description: Dead-letter queue of okta-{name} (tenants that failed MaxReceiveCount times)
    Value: !Ref {title}DeadLetterQueue
""")
# Prints the template (no argument or "-"), or writes it to the path given.
dest = sys.argv[1] if len(sys.argv) > 1 else "-"
text = "".join(out)
if dest == "-":
    sys.stdout.write(text)
else:
    open(dest, "w").write(text)
