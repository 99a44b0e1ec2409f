//! `okta-ingest`: the same runner as the Lambda functions, from the command line.
//!
//! `run` reads one tenant from a JSON file (the secret's schema) or the Okta SDKs' environment
//! variables and writes to a folder or `s3://bucket/prefix`; `demo` does the same against the
//! workspace's Okta simulator, so a newcomer needs neither AWS nor an Okta org.

mod local_config;
mod progress;
mod table;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use okta_ingest::check;
use okta_ingest::env::Environment;
use okta_ingest::invocation::Target;
use okta_ingest::manifest::Status;
use okta_ingest::refresh::RefreshMode;
use okta_ingest::runner;
use okta_ingest::runtime::{self, Options, Runtime};
use okta_ingest::sink::Formats;
use okta_ingest::system_log::Window;
use okta_ingest::tenant::TenantId;
use okta_ingest::tenants::TenantSource;
use okta_ingest::{Error, resources};

#[derive(Parser)]
#[command(
    name = "okta-ingest",
    version,
    about = "Land Okta data as partitioned Parquet or gzip NDJSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which tenant, configured how: shared by `run` and `check`.
#[derive(clap::Args)]
struct TenantArgs {
    /// Tenant config (the secret's JSON schema). Without it, OKTA_CLIENT_ORGURL and
    /// OKTA_CLIENT_TOKEN (or OKTA_CLIENT_CLIENTID with OKTA_CLIENT_CLIENTSECRET or
    /// OKTA_CLIENT_PRIVATEKEY [+ OKTA_CLIENT_KID]) are used.
    #[arg(long)]
    config: Option<String>,
    /// The tenant id used in the output layout.
    #[arg(long, default_value = "local")]
    tenant: String,
}

impl TenantArgs {
    fn id(&self) -> Result<TenantId, Error> {
        TenantId::parse(&self.tenant).map_err(|e| Error::Invocation(e.to_string()))
    }

    fn source(&self) -> Result<TenantSource, Error> {
        local_config::source(self.id()?, self.config.as_deref())
    }

    /// Everything a run needs, writing to `out`.
    async fn runtime(&self, out: &str, options: Options) -> Result<(TenantId, Runtime), Error> {
        let rt = Runtime {
            store: runtime::store_at(out).await?,
            tenants: self.source()?,
            http: runtime::http_client(&options)?,
            options,
            queue: None,
        };
        Ok((self.id()?, rt))
    }
}

/// The output formats of `run` and `demo`.
#[derive(clap::Args)]
struct FormatArg {
    /// Part formats: parquet, ndjson or both (default: OKTA_INGEST_FORMAT, else parquet).
    #[arg(long)]
    format: Option<Formats>,
}

impl FormatArg {
    /// The environment's options, with the flag's formats if given.
    fn options(&self, options: Options) -> Options {
        Options {
            formats: self.format.unwrap_or(options.formats),
            ..options
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Ingest one tenant into a folder or S3.
    Run {
        #[command(flatten)]
        tenant: TenantArgs,
        /// A folder, or s3://bucket/prefix (AWS settings from the standard AWS environment).
        #[arg(long)]
        out: String,
        /// Resources (users, user_factors, …), groups by function name (okta-users, …) or all,
        /// comma-separated.
        #[arg(long, default_value = "all", long_help = resources_help())]
        resources: String,
        #[command(flatten)]
        format: FormatArg,
        /// auto: read only what changed since the last complete run where a recent state
        /// allows it (users, groups, apps); full: read everything (default: OKTA_INGEST_REFRESH,
        /// else auto).
        #[arg(long)]
        refresh: Option<RefreshMode>,
    },
    /// Validate the tenant's config and probe every resource once; exit 0 only if the
    /// tenant is Active (every resource under the integration's scopes answers; optional
    /// ones may be missing). Prints the result; writes it only with --out.
    Check {
        #[command(flatten)]
        tenant: TenantArgs,
        /// Also write the result to `_status/tenant=…/integration.json` under this folder or
        /// s3://bucket/prefix, where the Lambda check writes it.
        #[arg(long)]
        out: Option<String>,
    },
    /// Start the Okta simulator on loopback and ingest from it: no AWS, no Okta account.
    Demo {
        #[arg(long, default_value = "okta-ingest-demo")]
        out: String,
        /// Users in the simulated org.
        #[arg(long, default_value_t = 2_000)]
        users: usize,
        /// After the first run, change the simulated org this many times (users, roles,
        /// factors, policies, …, each logged by an admin) and run again after each, so the
        /// change feed has something to show (`okta-ingest changes`).
        #[arg(long, default_value_t = 0)]
        churn: u64,
        /// System Log events in the simulated org.
        #[arg(long, default_value_t = 5_000)]
        log_events: usize,
        /// Requests a minute each of the simulated org's rate-limit buckets allows (default
        /// 10,000). Raised, a big org's per-user calls (factors) are not paced for minutes.
        #[arg(long)]
        rate_limit: Option<u32>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Print the posture changes the change feed found (newest last): what changed, how much
    /// it matters, and who did it.
    Changes {
        /// A folder, or s3://bucket/prefix.
        #[arg(long)]
        out: String,
        #[arg(long, default_value = "local")]
        tenant: String,
        /// Only comparisons that ended at or after this time (RFC 3339, or a date).
        #[arg(long)]
        since: Option<String>,
        /// Every change, `info` ones (a profile edit, a new user) included.
        #[arg(long)]
        all: bool,
    },
    /// Print the table of groups and resources as JSON: functions, schedules, endpoints,
    /// scopes and parents (what scripts/template.py builds the stack from).
    Resources,
    /// Serve the Okta simulator on 127.0.0.1 until interrupted (for `cargo lambda` and manual
    /// tests). Prints a tenant secret that reaches it, as one line of JSON.
    Simulator {
        /// 0 picks a free port.
        #[arg(long, default_value_t = 0)]
        port: u16,
        #[arg(long, default_value_t = 250)]
        users: usize,
        /// Added to every response, to imitate the network.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = Cli::parse().command;
    let env = match Environment::read() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // `run` and `demo` show each resource's progress at a terminal; the rest log plainly.
    let display = match command {
        Command::Run { .. } | Command::Demo { .. } => progress::init(&env),
        _ => {
            okta_ingest::telemetry::init_cli(&env);
            None
        }
    };
    let result = command.execute(env.options, display.as_ref()).await;
    if let Some(display) = &display {
        display.finish();
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

impl Command {
    async fn execute(
        self,
        options: Options,
        display: Option<&progress::Progress>,
    ) -> Result<ExitCode, Error> {
        match self {
            Command::Run {
                tenant,
                out,
                resources,
                format,
                refresh,
            } => {
                let mut options = format.options(options);
                options.refresh.mode = refresh.unwrap_or(options.refresh.mode);
                let (id, rt) = tenant.runtime(&out, options).await?;
                run(&rt, id, &resources, display).await
            }
            Command::Check { tenant, out } => {
                let statuses = match out {
                    Some(out) => {
                        let (id, rt) = tenant.runtime(&out, options).await?;
                        check::tenants(&rt, &Target::Tenant(id)).await?
                    }
                    None => {
                        let http = runtime::http_client(&options)?;
                        let status =
                            check::tenant_status(&tenant.source()?, &http, &options, &tenant.id()?)
                                .await;
                        vec![status]
                    }
                };
                print!("{}", table::render_check(&statuses));
                Ok(if statuses.iter().all(|s| s.active) {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            }
            Command::Demo {
                out,
                users,
                churn,
                log_events,
                rate_limit,
                format,
            } => {
                let mut config = okta_sim::SimConfig::demo()
                    .with_users(users)
                    .with_log_events(log_events);
                if let Some(limit) = rate_limit {
                    for bucket in okta_sim::Bucket::ALL {
                        config = config.with_rate_limit(bucket, limit);
                    }
                }
                let simulator = okta_sim::Simulator::start(config)
                    .await
                    .map_err(|e| Error::Environment(format!("starting the simulator: {e}")))?;
                eprintln!(
                    "simulated Okta org at {} with {users} users",
                    simulator.url()
                );
                let id = TenantId::parse("demo").expect("a valid id");
                let options = Options {
                    allow_http_loopback: true,
                    ..format.options(options)
                };
                let rt = Runtime {
                    store: runtime::store_at(&out).await?,
                    tenants: local_config::simulator_source(id.clone(), &simulator),
                    http: runtime::http_client(&options)?,
                    options,
                    queue: None,
                };
                let mut code = run(&rt, id.clone(), "all", display).await?;
                for step in 1..=churn {
                    let changed = simulator.churn(step);
                    eprintln!(
                        "churn {step}: {} changes made in the simulated org",
                        changed.len()
                    );
                    code = run(&rt, id.clone(), "all", display).await?;
                }
                eprintln!("output in {out}/ (manifests under {out}/_manifests/)");
                Ok(code)
            }
            Command::Changes {
                out,
                tenant,
                since,
                all,
            } => {
                let id = TenantId::parse(&tenant).map_err(|e| Error::Invocation(e.to_string()))?;
                let since = since.as_deref().map(parse_since).transpose()?;
                let store = runtime::store_at(&out).await?;
                let records = okta_ingest::changes::read::records(&store, &id, since).await?;
                print!("{}", table::render_changes(&records, all));
                Ok(ExitCode::SUCCESS)
            }
            Command::Resources => {
                let table = serde_json::to_string_pretty(&resources::describe())
                    .expect("the table serialises");
                println!("{table}");
                Ok(ExitCode::SUCCESS)
            }
            Command::Simulator {
                port,
                users,
                latency_ms,
            } => {
                let config = okta_sim::SimConfig::small()
                    .with_users(users)
                    .with_port(port)
                    .with_latency(std::time::Duration::from_millis(latency_ms));
                let simulator = okta_sim::Simulator::start(config)
                    .await
                    .map_err(|e| Error::Environment(format!("starting the simulator: {e}")))?;
                println!("{}", local_config::simulator_secret(&simulator));
                eprintln!(
                    "simulated Okta org at {} (Ctrl-C stops it)",
                    simulator.url()
                );
                let _ = tokio::signal::ctrl_c().await;
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// `--since`: an RFC 3339 time, or a date (its midnight, UTC).
fn parse_since(text: &str) -> Result<chrono::DateTime<chrono::Utc>, Error> {
    text.parse::<chrono::DateTime<chrono::Utc>>()
        .or_else(|_| {
            text.parse::<chrono::NaiveDate>()
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
        .map_err(|_| {
            Error::Invocation(format!(
                "--since {text:?}: give an RFC 3339 time (2026-12-01T00:00:00Z) or a date (2026-12-01)"
            ))
        })
}

/// `--resources` in full: what each word means, with every group's resources.
fn resources_help() -> String {
    let mut help = String::from(
        "What to read, comma-separated:\n\
         - a resource's name (users, user_factors, …) reads that resource alone; a child \
         resource still reads its parent's ids, without writing the parent\n\
         - a group's function name (okta-users, …) reads all of the group's resources\n\
         - all reads every group\n\nGroups and their resources:",
    );
    for group in resources::ALL {
        let names: Vec<&str> = group.resources.iter().map(|r| r.name).collect();
        help.push_str(&format!(
            "\n  {}: {}",
            group.function_name(),
            names.join(", ")
        ));
    }
    help
}

/// Runs `resources` for one tenant and prints the summary table (below the progress `display`,
/// cleared first).
async fn run(
    rt: &Runtime,
    id: TenantId,
    resources: &str,
    display: Option<&progress::Progress>,
) -> Result<ExitCode, Error> {
    let plan = resources::select(resources).map_err(Error::Invocation)?;
    let summary = runner::run(rt, &Target::Tenant(id), &plan, &Window::Live, None).await?;
    if let Some(display) = display {
        display.finish();
    }
    print!("{}", table::render(&summary));
    Ok(match summary.status {
        Status::Complete | Status::Skipped => ExitCode::SUCCESS,
        Status::Partial | Status::Failed => ExitCode::from(1),
    })
}
