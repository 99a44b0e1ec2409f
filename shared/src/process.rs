//! Which process on which machine a run is, and whether a process on this machine still runs:
//! what lets a CLI run take over the local lease of a run that crashed (`kill -9`, a closed
//! laptop) instead of waiting for it to expire.

use serde::{Deserialize, Serialize};

/// A process, by the name of its host and its id there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub host: String,
    pub pid: u32,
}

impl Process {
    /// This process; `None` if the host name cannot be read.
    pub fn current() -> Option<Self> {
        Some(Self {
            host: host_name()?,
            pid: std::process::id(),
        })
    }

    /// True only when the process is known to have ended: it ran on this host, and no process
    /// has its id now. A process on another host, or one whose id was reused, counts as alive.
    pub fn is_gone(&self) -> bool {
        host_name().is_some_and(|host| host == self.host) && !running(self.pid)
    }
}

fn host_name() -> Option<String> {
    let mut name = [0u8; 256];
    // SAFETY: gethostname writes at most `name.len()` bytes into `name`.
    if unsafe { libc::gethostname(name.as_mut_ptr().cast(), name.len()) } != 0 {
        return None;
    }
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    String::from_utf8(name[..end].to_vec())
        .ok()
        .filter(|host| !host.is_empty())
}

/// Whether a process with this id exists (a process of another user included).
fn running(pid: u32) -> bool {
    // 0 and negative ids name process groups, never one process: not ours to judge.
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 delivers nothing; kill only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    // EPERM: it exists, but belongs to another user.
    exists || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs_and_a_reaped_child_is_gone() {
        let me = Process::current().expect("a host name");
        assert!(!me.is_gone());
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let child_process = Process {
            host: me.host.clone(),
            pid: child.id(),
        };
        assert!(!child_process.is_gone());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(child_process.is_gone());
        let elsewhere = Process {
            host: format!("not-{}", me.host),
            ..child_process
        };
        assert!(!elsewhere.is_gone(), "another host's processes are unknown");
    }
}
