//! Logging outside Lambda: human-readable lines on stderr, or JSON with `OKTA_INGEST_LOG=json`.
//! (In Lambda, `lambda_runtime` sets up JSON logs from the function's logging config.)

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init_cli() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_colours());
    // `try_init`: a second call (tests, embedding) keeps the first subscriber.
    let _ = if json_logs() {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Whether `OKTA_INGEST_LOG=json` asks for JSON log lines.
pub fn json_logs() -> bool {
    std::env::var("OKTA_INGEST_LOG").as_deref() == Ok("json")
}

/// Colour only for a person at a terminal: never in a file or a pipe, nor with `NO_COLOR` set.
pub fn stderr_colours() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
