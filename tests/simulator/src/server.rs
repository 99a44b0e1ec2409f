//! The simulator's lifecycle: bind the org and foreign origins on loopback, generate the org,
//! serve until shut down or dropped.

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::churn::{self, Change};
use crate::config::SimConfig;
use crate::data::Dataset;
use crate::faults::Faults;
use crate::state::OrgState;
use crate::stats::Stats;
use crate::system_log::SystemLog;
use crate::{foreign, pipeline};

/// A running simulated Okta org. Dropping it (or [`Simulator::shutdown`]) stops the server.
pub struct Simulator {
    org: Arc<OrgState>,
    /// Dropping the sender tells every server task to stop.
    stop: watch::Sender<()>,
    tasks: Vec<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `127.0.0.1:<config.port>` (0: any free port) and starts serving.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let org_listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let foreign_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", org_listener.local_addr()?);
        let foreign_url = format!("http://{}", foreign_listener.local_addr()?);
        let dataset = Dataset::generate(&config, &url, chrono::Utc::now());
        let org = Arc::new(OrgState::new(config, url, foreign_url, dataset));

        let (stop, _) = watch::channel(());
        let org_app = Router::new()
            .fallback(pipeline::handle)
            .with_state(org.clone());
        let foreign_app = Router::new()
            .fallback(foreign::handle)
            .with_state(org.clone());
        let mut tasks = vec![
            serve(org_listener, org_app, &stop),
            serve(foreign_listener, foreign_app, &stop),
        ];
        if org.config.log_events_per_second > 0 {
            tasks.push(generate_events(org.clone(), &stop));
        }
        Ok(Simulator { org, stop, tasks })
    }

    /// The org URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.org.url.clone()
    }

    /// The foreign origin's URL (see `Faults::foreign_next_link`).
    pub fn foreign_url(&self) -> String {
        self.org.foreign_url.clone()
    }

    pub fn config(&self) -> &SimConfig {
        &self.org.config
    }

    /// The generated objects, for assertions.
    pub fn dataset(&self) -> Arc<Dataset> {
        self.org.data()
    }

    /// Changes the org as admins would between two runs (see [`crate::churn`]); `step`
    /// seeds which objects change. Returns what changed, with each change's System Log event.
    pub fn churn(&self, step: u64) -> Vec<Change> {
        churn::apply(&self.org, step, churn::Rate::FEW)
    }

    /// Changes the org without a System Log event or a moved timestamp: what a change the
    /// log missed looks like, which only a full read finds.
    pub fn edit_quietly(&self, edit: impl FnOnce(&mut Dataset)) {
        let mut data = Dataset::clone(&self.org.data());
        edit(&mut data);
        self.org.replace_data(data);
    }

    /// A step of churn that changes about `fraction` of the org's users (1 % an hour is a
    /// typical org), with the rest of the org changing as in [`Simulator::churn`].
    pub fn churn_fraction(&self, step: u64, fraction: f64) -> Vec<Change> {
        let users = self.org.data().users.len();
        churn::apply(&self.org, step, churn::Rate::of(users, fraction))
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.org.stats.snapshot()
    }

    /// Fault injection while serving.
    pub fn faults(&self) -> &Faults {
        &self.org.faults
    }

    /// The System Log, to append events while serving.
    pub fn system_log(&self) -> &SystemLog {
        &self.org.system_log
    }

    /// Stops serving: open connections finish their current request, then close.
    pub async fn shutdown(self) {
        let Simulator { stop, tasks, .. } = self;
        drop(stop);
        for task in tasks {
            let _ = task.await;
        }
    }
}

/// Appends `log_events_per_second` events a second, in ten batches, until stopped.
fn generate_events(org: Arc<OrgState>, stop: &watch::Sender<()>) -> JoinHandle<()> {
    let mut stopped = stop.subscribe();
    let rate = u64::from(org.config.log_events_per_second);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_millis(100));
        let mut appended = 0;
        for tick in 1u64.. {
            tokio::select! {
                _ = ticks.tick() => {}
                changed = stopped.changed() => if changed.is_err() { break },
            }
            // Whole events due by this tick, so fractional rates come out right.
            let due = rate * tick / 10;
            org.system_log.append_events((due - appended) as usize);
            appended = due;
        }
    })
}

fn serve(listener: TcpListener, app: Router, stop: &watch::Sender<()>) -> JoinHandle<()> {
    let mut stopped = stop.subscribe();
    tokio::spawn(async move {
        let signal = async move {
            // Resolves when the sender is dropped.
            while stopped.changed().await.is_ok() {}
        };
        // Serving only fails if the listener does; there is nobody to report it to.
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await;
    })
}
