//! The harness of the end-to-end tests: a fresh bucket and secret prefix in moto per test,
//! tenants as real Secrets Manager secrets, output read back from real S3 calls, and a log
//! capture to prove that no secret is ever logged.
//!
//! Needs `AWS_ENDPOINT_URL` pointing at a moto server: `scripts/test` starts one.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sqs::types::QueueAttributeName;
use lambda_runtime::{Context, LambdaEvent};
use okta_ingest::lambda;
use okta_ingest::manifest::Manifest;
use okta_ingest::okta::RetryPolicy;
use okta_ingest::queue::{WorkMessage, WorkQueue};
use okta_ingest::refresh::{RefreshMode, RefreshPolicy};
use okta_ingest::resources::Group;
use okta_ingest::router::Reply;
use okta_ingest::runtime::{self, Options, Runtime};
use okta_ingest::sink::Formats;
use okta_ingest::store::ObjectStore;
use okta_ingest::summary::RunSummary;
use okta_ingest::tenants::TenantSource;
use okta_ingest::work::BatchResponse;
use okta_sim::{SimConfig, Simulator};
use serde_json::Value;

/// One test's slice of the local AWS: its own bucket and its own secret prefix.
pub struct TestAws {
    pub s3: aws_sdk_s3::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub bucket: String,
    pub secret_prefix: String,
    /// The AWS configuration (moto's endpoint), as a process loads it once.
    pub config: aws_config::SdkConfig,
}

impl TestAws {
    pub async fn new() -> Self {
        assert!(
            std::env::var_os("AWS_ENDPOINT_URL").is_some(),
            "AWS_ENDPOINT_URL is not set: run the tests with scripts/test, which starts moto"
        );
        let config = aws_config::load_from_env().await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let secrets = aws_sdk_secretsmanager::Client::new(&config);
        let id = format!("{:08x}", fastrand::u32(..));
        let bucket = format!("okta-ingest-test-{id}");
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("create bucket");
        Self {
            s3,
            secrets,
            bucket,
            secret_prefix: format!("okta-ingest-test/{id}/"),
            config,
        }
    }

    /// Stores a tenant's secret, as an operator would.
    pub async fn put_tenant(&self, tenant: &str, secret: &str) {
        self.secrets
            .create_secret()
            .name(format!("{}{tenant}", self.secret_prefix))
            .secret_string(secret)
            .send()
            .await
            .expect("create secret");
    }

    /// The output root of this test.
    pub fn root(&self) -> String {
        format!("s3://{}/out", self.bucket)
    }

    /// A runtime as the Lambda builds it, over this test's bucket and secrets.
    pub async fn runtime(&self, options: Options) -> Runtime {
        Runtime {
            store: ObjectStore::open(&self.root(), &self.config).expect("open store"),
            tenants: TenantSource::secrets_manager(&self.secret_prefix, &self.config),
            http: runtime::http_client(&options).expect("http client"),
            options,
            queue: None,
        }
    }

    /// Every key under `prefix` (relative to the output root), across all listing pages.
    pub async fn all_keys(&self, prefix: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("out/{prefix}"))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            keys.extend(
                page.expect("list")
                    .contents()
                    .iter()
                    .filter_map(|o| o.key())
                    .map(|k| k.trim_start_matches("out/").to_owned()),
            );
        }
        keys
    }

    /// An object's bytes, by key relative to the output root.
    pub async fn object(&self, key: &str) -> Vec<u8> {
        self.get(&format!("out/{key}")).await
    }

    /// The keys under `prefix` (relative to the output root), without reading the objects.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let out = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("out/{prefix}"))
            .send()
            .await
            .expect("list");
        out.contents()
            .iter()
            .filter_map(|o| o.key())
            .map(|k| k.trim_start_matches("out/").to_owned())
            .collect()
    }

    /// Every object under the output root: key (relative to the root) and bytes.
    pub async fn objects(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix("out/")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for obj in page.expect("list").contents() {
                let key = obj.key().unwrap().to_owned();
                let body = self.get(&key).await;
                out.push((key.trim_start_matches("out/").to_owned(), body));
            }
        }
        out.sort();
        out
    }

    async fn get(&self, key: &str) -> Vec<u8> {
        let obj = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .expect("get object");
        obj.body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .to_vec()
    }

    /// The manifests of `resource` for `tenant`, oldest run first.
    pub async fn manifests(&self, resource: &str, tenant: &str) -> Vec<Manifest> {
        let prefix = format!("_manifests/{resource}/tenant={tenant}/");
        self.objects()
            .await
            .into_iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, body)| serde_json::from_slice(&body).expect("manifest JSON"))
            .collect()
    }

    /// The lines of every part a manifest lists, parsed, in order.
    pub async fn lines(&self, manifest: &Manifest) -> Vec<Value> {
        let mut lines = Vec::new();
        for part in &manifest.parts {
            let body = self.get(&format!("out/{}", part.key)).await;
            lines.extend(gunzip_lines(&body));
        }
        lines
    }

    /// The `id` of every record a manifest lists, in order.
    pub async fn ids(&self, manifest: &Manifest) -> Vec<String> {
        let lines = self.lines(manifest).await;
        lines
            .iter()
            .map(|r| r["id"].as_str().expect("a record with an id").to_owned())
            .collect()
    }

    /// Puts raw bytes (for tests that plant objects).
    pub async fn put(&self, key: &str, body: Vec<u8>) {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(format!("out/{key}"))
            .body(ByteStream::from(body))
            .send()
            .await
            .expect("put");
    }
}

/// A work queue in moto with its dead-letter queue, as the template makes them.
pub struct TestQueue {
    pub sqs: aws_sdk_sqs::Client,
    pub url: String,
    pub dlq_url: String,
    config: aws_config::SdkConfig,
}

impl TestQueue {
    /// Messages go to the dead-letter queue on their `max_receives`+1st receive; a message
    /// whose run failed is visible again after `visibility_seconds`.
    pub async fn new(max_receives: u32, visibility_seconds: u32) -> Self {
        let config = aws_config::load_from_env().await;
        let sqs = aws_sdk_sqs::Client::new(&config);
        let id = format!("{:08x}", fastrand::u32(..));
        let dlq_url = sqs
            .create_queue()
            .queue_name(format!("okta-ingest-test-{id}-dlq"))
            .send()
            .await
            .expect("create the dead-letter queue")
            .queue_url
            .expect("a queue URL");
        let dlq_arn = sqs
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes")
            .attributes
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .expect("the dead-letter queue's ARN");
        let redrive =
            serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives});
        let url = sqs
            .create_queue()
            .queue_name(format!("okta-ingest-test-{id}"))
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            .attributes(
                QueueAttributeName::VisibilityTimeout,
                visibility_seconds.to_string(),
            )
            .send()
            .await
            .expect("create the work queue")
            .queue_url
            .expect("a queue URL");
        Self {
            sqs,
            url,
            dlq_url,
            config,
        }
    }

    /// The queue as the functions use it.
    pub async fn work_queue(&self) -> WorkQueue {
        WorkQueue::new(self.url.clone(), &self.config)
    }

    /// Messages in a queue: visible, in flight and delayed.
    pub async fn depth(&self, url: &str) -> (u64, u64, u64) {
        let attrs = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .expect("queue attributes")
            .attributes
            .unwrap_or_default();
        let n = |name: QueueAttributeName| {
            attrs
                .get(&name)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0u64)
        };
        (
            n(QueueAttributeName::ApproximateNumberOfMessages),
            n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            n(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        )
    }

    /// The bodies of the messages in a queue (received, then left to become visible again).
    pub async fn peek(&self, url: &str) -> Vec<Value> {
        let mut bodies = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .visibility_timeout(30)
                .send()
                .await
                .expect("receive");
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return bodies;
            }
            bodies.extend(
                messages
                    .iter()
                    .filter_map(|m| m.body())
                    .map(|b| serde_json::from_str(b).expect("a JSON body")),
            );
        }
    }

    /// Receives up to `n` messages (at most 10), hidden for the queue's visibility timeout.
    async fn receive(&self, n: i32) -> Vec<aws_sdk_sqs::types::Message> {
        self.sqs
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(n)
            .send()
            .await
            .expect("receive")
            .messages
            .unwrap_or_default()
    }

    /// Invokes the function with a message received from the queue.
    async fn invoke(
        &self,
        rt: &Runtime,
        group: &'static Group,
        message: &aws_sdk_sqs::types::Message,
        time_limit: Duration,
    ) -> Delivery {
        let id = message.message_id().expect("an id");
        let receipt = message.receipt_handle().expect("a receipt");
        let body = message.body().expect("a body");
        invoke_with(rt, group, id, receipt, body, time_limit).await
    }

    /// Invokes the function with `message` as if SQS delivered it once more (a standard queue
    /// delivers at least once), without going through the queue.
    pub async fn redeliver(
        &self,
        rt: &Runtime,
        group: &'static Group,
        message: &WorkMessage,
        time_limit: Duration,
    ) -> Delivery {
        let body = serde_json::to_string(message).expect("a message serialises");
        invoke_with(rt, group, "redelivered", "redelivered", &body, time_limit).await
    }

    /// Deletes the messages of the deliveries that succeeded, in one call (moto can lose one
    /// of two deletes that arrive at the same instant, which SQS does not).
    async fn delete(&self, deliveries: &[Delivery]) {
        let entries: Vec<_> = deliveries
            .iter()
            .filter_map(|d| d.receipt.as_ref())
            .enumerate()
            .map(|(i, receipt)| {
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(receipt)
                    .build()
                    .expect("id and receipt are set")
            })
            .collect();
        if entries.is_empty() {
            return;
        }
        let out = self
            .sqs
            .delete_message_batch()
            .queue_url(&self.url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("delete");
        assert!(out.failed().is_empty(), "{:?}", out.failed());
    }

    /// Delivers the next visible message, if there is one (see [`TestQueue::drain`]).
    pub async fn deliver_one(
        &self,
        rt: &Runtime,
        group: &'static Group,
        time_limit: Duration,
    ) -> Option<Delivery> {
        let message = self.receive(1).await.into_iter().next()?;
        let delivery = self.invoke(rt, group, &message, time_limit).await;
        self.delete(std::slice::from_ref(&delivery)).await;
        Some(delivery)
    }

    /// Drains the queue as the event source mapping would, each message its own invocation,
    /// up to ten at once, until nothing is visible, in flight or delayed. One receiver and
    /// batched deletes: moto can hand one message to two receivers polling at the same
    /// instant, or lose one of two concurrent deletes, which SQS does not.
    pub async fn drain(
        &self,
        rt: &Runtime,
        group: &'static Group,
        time_limit: Duration,
    ) -> Vec<Delivery> {
        let mut deliveries = Vec::new();
        loop {
            let messages = self.receive(10).await;
            if messages.is_empty() {
                if self.depth(&self.url).await == (0, 0, 0) {
                    return deliveries;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            let batch = futures::future::join_all(
                messages
                    .iter()
                    .map(|m| self.invoke(rt, group, m, time_limit)),
            )
            .await;
            self.delete(&batch).await;
            deliveries.extend(batch);
        }
    }
}

/// Invokes the function with one SQS message as the event source mapping would,
/// `time_limit` before its deadline; the message is to be deleted unless the reply lists it
/// as failed.
async fn invoke_with(
    rt: &Runtime,
    group: &'static Group,
    id: &str,
    receipt: &str,
    body: &str,
    time_limit: Duration,
) -> Delivery {
    let event = serde_json::json!({"Records": [{
        "messageId": id,
        "receiptHandle": receipt,
        "body": body,
        "attributes": {},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:test",
        "awsRegion": "us-east-1"
    }]});
    let mut context = Context::default();
    context.deadline = (SystemTime::now() + time_limit)
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as u64;
    let started = Instant::now();
    let reply = match lambda::invoke(rt, group, LambdaEvent::new(event, context)).await {
        Ok(Reply::Work(reply)) => reply,
        other => panic!("expected a batch response, got {other:?}"),
    };
    let handler_time = started.elapsed();
    let succeeded = !reply
        .sqs
        .batch_item_failures
        .iter()
        .any(|f| f.item_identifier == id);
    Delivery {
        reply,
        handler_time,
        receipt: succeeded.then(|| receipt.to_owned()),
    }
}

/// One message delivered: the function's reply, and how long the invocation took.
#[derive(Debug)]
pub struct Delivery {
    pub reply: BatchResponse,
    pub handler_time: Duration,
    /// The message's receipt handle, when it is to be deleted.
    receipt: Option<String>,
}

/// The usual test set-up: a simulated org, this test's slice of AWS with tenant `acme` reaching
/// the org, and a runtime over both (as the Lambda builds it).
pub struct TestOrg {
    pub sim: Simulator,
    pub aws: TestAws,
    pub rt: Runtime,
}

impl TestOrg {
    /// With the simulator's API token.
    pub async fn start(config: SimConfig) -> TestOrg {
        TestOrg::with_auth(config, ssws()).await
    }

    pub async fn with_auth(config: SimConfig, auth: Value) -> TestOrg {
        let sim = Simulator::start(config)
            .await
            .expect("the simulator starts");
        let aws = TestAws::new().await;
        aws.put_tenant("acme", &secret(&sim.url(), auth)).await;
        let rt = aws.runtime(test_options()).await;
        TestOrg { sim, aws, rt }
    }

    /// Invokes `group`'s handler for tenant `acme`.
    pub async fn run(&self, group: &'static Group) -> RunSummary {
        invoke(&self.rt, group, serde_json::json!({"tenant": "acme"})).await
    }
}

/// Returns once the simulator has served `count` requests to `path` (a route template such as
/// `/api/v1/users/{id}/factors`): the moment a test switches a fault on mid-run.
pub async fn served(sim: &Simulator, path: &str, count: u64) {
    while sim.stats().path(path) < count {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Runs `resources` for tenant `acme` as the CLI does: no deadline at all. Fails the test if
/// it has not ended after `limit`: a wait without end is what it must not do.
pub async fn run_like_the_cli(rt: &Runtime, resources: &str, limit: Duration) -> RunSummary {
    let tenant = okta_ingest::invocation::Target::Tenant(
        okta_ingest::tenant::TenantId::parse("acme").expect("a tenant id"),
    );
    let plan = okta_ingest::resources::select(resources).expect("known resources");
    let run = okta_ingest::runner::run(
        rt,
        &tenant,
        &plan,
        &okta_ingest::system_log::Window::Live,
        None,
    );
    tokio::time::timeout(limit, run)
        .await
        .expect("the run ends: a clear error, not a wait without end")
        .expect("a summary")
}

/// The `auth` object of the simulator's API token.
pub fn ssws() -> Value {
    serde_json::json!({"type": "ssws", "token": okta_sim::API_TOKEN})
}

/// Invokes a function's handler, as Lambda would, and returns its run summary.
pub async fn invoke(rt: &Runtime, group: &'static Group, payload: Value) -> RunSummary {
    let event = LambdaEvent::new(payload, Context::default());
    match lambda::invoke(rt, group, event).await {
        Ok(Reply::Run(summary)) => summary,
        other => panic!("expected a run summary, got {other:?}"),
    }
}

/// The sample scheduled event from `events/`.
pub fn scheduled_event() -> Value {
    serde_json::from_str(include_str!("../../../events/scheduled.json"))
        .expect("events/scheduled.json")
}

/// Decompresses a gzip NDJSON part into its parsed lines.
pub fn gunzip_lines(body: &[u8]) -> Vec<Value> {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(body)
        .read_to_string(&mut text)
        .expect("gzip");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// Options for tests: loopback http allowed, quick retries, waits of at most a minute, gzip
/// NDJSON parts (which the tests read line by line; the `parquet` module writes both formats),
/// and full runs every time (the `incremental` module and the change feed's day turn
/// incremental runs on).
pub fn test_options() -> Options {
    Options {
        allow_http_loopback: true,
        formats: Formats::Ndjson,
        refresh: RefreshPolicy {
            mode: RefreshMode::Full,
            ..RefreshPolicy::default()
        },
        retry: RetryPolicy {
            max_attempts: 3,
            max_rate_limited: 4,
            base_delay: Duration::from_millis(20),
            concurrency_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            max_wait: Duration::from_secs(60),
        },
        ..Options::default()
    }
}

/// The tenant secret JSON for an org URL and an auth object.
pub fn secret(org_url: &str, auth: Value) -> String {
    serde_json::json!({"org_url": org_url, "auth": auth}).to_string()
}

/// Everything logged while a guard from [`LogCapture::start`] is alive, on this thread.
/// Tests using it run on a current-thread runtime, so every task's logs land here, and alone in
/// their test binary: with other tests' threads running beside it, span context went missing
/// from the captured lines (tracing's per-callsite interest is shared by all threads).
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = LogCapture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        (capture, guard)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
