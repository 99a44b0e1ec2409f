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
use okta_ingest::invocation::Target;
use okta_ingest::manifest::Status;
use okta_ingest::runner;
use okta_ingest::runtime::{self, Options, Runtime};
use okta_ingest::store::ObjectStore;
use okta_ingest::system_log::Window;
use okta_ingest::tenant::TenantId;
use okta_ingest::tenants::TenantSource;
use okta_ingest::{Error, resources};

#[derive(Parser)]
#[command(
    name = "okta-ingest",
    version,
    about = "Land Okta data as partitioned gzip NDJSON"
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
            store: ObjectStore::open(out, &runtime::aws().await)?,
            tenants: self.source()?,
            http: runtime::http_client(&options)?,
            options,
            queue: None,
        };
        Ok((self.id()?, rt))
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
    // `run` and `demo` show each resource's progress at a terminal; the rest log plainly.
    let display = match command {
        Command::Run { .. } | Command::Demo { .. } => progress::init(),
        _ => {
            okta_ingest::telemetry::init_cli();
            None
        }
    };
    let result = command.execute(display.as_ref()).await;
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
    async fn execute(self, display: Option<&progress::Progress>) -> Result<ExitCode, Error> {
        match self {
            Command::Run {
                tenant,
                out,
                resources,
            } => {
                let (id, rt) = tenant.runtime(&out, Options::from_env()?).await?;
                run(&rt, id, &resources, display).await
            }
            Command::Check { tenant, out } => {
                let options = Options::from_env()?;
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
            Command::Demo { out, users } => {
                let simulator =
                    okta_sim::Simulator::start(okta_sim::SimConfig::demo().with_users(users))
                        .await
                        .map_err(|e| Error::Environment(format!("starting the simulator: {e}")))?;
                eprintln!(
                    "simulated Okta org at {} with {users} users",
                    simulator.url()
                );
                let id = TenantId::parse("demo").expect("a valid id");
                let options = Options {
                    allow_http_loopback: true,
                    ..Options::from_env()?
                };
                let rt = Runtime {
                    store: ObjectStore::open(&out, &runtime::aws().await)?,
                    tenants: local_config::simulator_source(id.clone(), &simulator),
                    http: runtime::http_client(&options)?,
                    options,
                    queue: None,
                };
                let code = run(&rt, id, "all", display).await?;
                eprintln!("output in {out}/ (manifests under {out}/_manifests/)");
                Ok(code)
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
