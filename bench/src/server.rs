//! What the server process costs, read from `/proc/<pid>` (Linux).

use std::collections::BTreeMap;

/// Resident memory and CPU time consumed so far.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// Resident set size in KiB.
    pub rss_kib: u64,
    /// User-space CPU time in microseconds.
    pub user_us: u64,
    /// Kernel CPU time in microseconds (system calls, and on loopback the
    /// peer's receive path run in the sender's context).
    pub system_us: u64,
    /// The live threads by id: name and (user, kernel) CPU µs, to tell
    /// where the time goes (the storage writer's share apart from the
    /// runtime's).
    pub threads: BTreeMap<u32, (String, u64, u64)>,
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

    /// The CPU time each kind of thread spent between `before` and `self`:
    /// name (digits dropped, so that a pool's threads count as one) →
    /// (user, system) µs. A thread gone by `self` is not counted.
    #[must_use]
    pub fn threads_since(&self, before: &Self) -> BTreeMap<String, (u64, u64)> {
        let mut by_name = BTreeMap::<String, (u64, u64)>::new();
        for (tid, (name, user, system)) in &self.threads {
            let (_, u0, s0) = before.threads.get(tid).cloned().unwrap_or_default();
            let name: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
            let sum = by_name.entry(name).or_default();
            sum.0 += user.saturating_sub(u0);
            sum.1 += system.saturating_sub(s0);
        }
        by_name
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
    let (user_us, system_us) = cpu(&format!("/proc/{pid}/stat"))?;
    let mut threads = BTreeMap::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
    {
        let Ok(task) = task else { continue };
        let (Some(tid), Ok(comm), Some((user, system))) = (
            task.file_name().to_str().and_then(|t| t.parse().ok()),
            std::fs::read_to_string(task.path().join("comm")),
            cpu(&task.path().join("stat").to_string_lossy()),
        ) else {
            continue;
        };
        threads.insert(tid, (comm.trim().to_owned(), user, system));
    }
    Some(Usage {
        rss_kib,
        user_us,
        system_us,
        threads,
    })
}

/// (user, kernel) CPU µs from a `stat` file of a process or a thread.
fn cpu(stat: &str) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(stat).ok()?;
    // Fields after the command name (which may hold spaces) start at `state`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((
        utime * 1_000_000 / TICKS_PER_SECOND,
        stime * 1_000_000 / TICKS_PER_SECOND,
    ))
}
