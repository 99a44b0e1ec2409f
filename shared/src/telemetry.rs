//! Logging outside Lambda: human-readable lines on stderr, or JSON with `OKTA_INGEST_LOG=json`.
//! (In Lambda, `lambda_runtime` sets up JSON logs from the function's logging config.)

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::env::Environment;

pub fn init_cli(env: &Environment) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_colours(env));
    // `try_init`: a second call (tests, embedding) keeps the first subscriber.
    let _ = if env.json_logs {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Colour only for a person at a terminal: never in a file or a pipe, nor with `NO_COLOR` set.
pub fn stderr_colours(env: &Environment) -> bool {
    std::io::stderr().is_terminal() && !env.no_color
}
