//! Logging outside Lambda: human-readable lines on stderr, or JSON with `OKTA_INGEST_LOG=json`.
//! (In Lambda, `lambda_runtime` sets up JSON logs from the function's logging config.)

use tracing_subscriber::EnvFilter;

pub fn init_cli() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `try_init`: a second call (tests, embedding) keeps the first subscriber.
    let _ = if std::env::var("OKTA_INGEST_LOG").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
