//! What the server process costs, read from `/proc/<pid>` (Linux).

/// Resident memory and CPU time consumed so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// Resident set size in KiB.
    pub rss_kib: u64,
    /// User-space CPU time in microseconds.
    pub user_us: u64,
    /// Kernel CPU time in microseconds (system calls, and on loopback the
    /// peer's receive path run in the sender's context).
    pub system_us: u64,
}

impl Usage {
    /// The CPU time spent between `before` and `self`: (user, system) µs.
    #[must_use]
    pub fn cpu_since(&self, before: &Self) -> (u64, u64) {
        (
            self.user_us.saturating_sub(before.user_us),
            self.system_us.saturating_sub(before.system_us),
        )
    }
}

/// Clock ticks per second of `/proc/<pid>/stat` (100 on Linux).
const TICKS_PER_SECOND: u64 = 100;

/// Reads the usage of `pid`; `None` when it cannot be read.
pub fn usage(pid: u32) -> Option<Usage> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at `state`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Usage {
        rss_kib,
        user_us: utime * 1_000_000 / TICKS_PER_SECOND,
        system_us: stime * 1_000_000 / TICKS_PER_SECOND,
    })
}
