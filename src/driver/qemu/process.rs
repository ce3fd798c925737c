//! The files under a QEMU backend's root and the QEMU processes it starts: persistent XML,
//! pid files, monitor sockets, logs, the lock that keeps a second process out.

use super::config::{self, Launch, RunFiles};
use super::qmp::{Handler, Monitor};
use crate::abi::*;
use crate::error::{Result, VirError};
use crate::model::def::DomainDef;
use crate::sys::{self, Signal};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a starting QEMU may take to daemonize and answer on its monitor.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// sun_path holds 108 bytes with its terminating NUL.
const MAX_SOCKET_PATH: usize = 107;
/// How much of a log's tail an error message quotes.
const LOG_TAIL_BYTES: u64 = 1024;

fn system(what: impl AsRef<str>, e: std::io::Error) -> VirError {
    VirError::system(format!("{}: {e}", what.as_ref()))
}

/// The directories of one root: configuration (persistent domain XML), runtime (pid files,
/// monitor sockets, live XML, the lock) and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config: PathBuf,
    pub run: PathBuf,
    pub log: PathBuf,
}

impl Paths {
    /// `qemu:///embed?root=DIR`: everything under DIR, laid out as libvirt's embedded driver
    /// lays it out.
    pub fn embedded(root: &Path) -> Paths {
        Paths { config: root.join("etc/qemu"), run: root.join("run/qemu"), log: root.join("log/qemu") }
    }

    /// `qemu:///session`: the user's XDG directories.
    pub fn session(config_home: &Path, runtime: &Path) -> Paths {
        Paths { config: config_home.join("virtevent/qemu"), run: runtime.join("virtevent/qemu"), log: config_home.join("virtevent/qemu/log") }
    }

    pub fn create(&self) -> Result<()> {
        for dir in [&self.config, &self.run, &self.log] {
            fs::create_dir_all(dir).map_err(|e| system(format!("cannot create directory '{}'", dir.display()), e))?;
        }
        Ok(())
    }

    /// Takes the root for this process, or says which process-wide lock is held elsewhere.
    pub fn lock(&self) -> Result<File> {
        let path = self.run.join("driver.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| system(format!("cannot open lock file '{}'", path.display()), e))?;
        match sys::try_lock_exclusive(&file) {
            Ok(true) => Ok(file),
            Ok(false) => Err(VirError::new(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                format!("the QEMU root is in use by another process (lock file '{}' is held)", path.display()),
            )),
            Err(e) => Err(system(format!("cannot lock '{}'", path.display()), e)),
        }
    }

    pub fn config_xml(&self, name: &str) -> PathBuf {
        self.config.join(format!("{name}.xml"))
    }
    pub fn live_xml(&self, name: &str) -> PathBuf {
        self.run.join(format!("{name}.xml"))
    }
    pub fn pidfile(&self, name: &str) -> PathBuf {
        self.run.join(format!("{name}.pid"))
    }
    pub fn monitor(&self, name: &str) -> PathBuf {
        self.run.join(format!("{name}.qmp"))
    }
    /// Where virDomainManagedSave keeps a persistent domain's saved state.
    pub fn managed_save(&self, name: &str) -> PathBuf {
        self.config.join(format!("{name}.save"))
    }
    pub fn logfile(&self, name: &str) -> PathBuf {
        self.log.join(format!("{name}.log"))
    }

    /// Removes what a stopped domain left in the runtime directory.
    pub fn remove_runtime(&self, name: &str) {
        for path in [self.pidfile(name), self.monitor(name), self.live_xml(name)] {
            let _ = fs::remove_file(path);
        }
    }
}

/// Writes `text` to `path` so that a reader sees the old or the new file, never a part.
pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("xml.new");
    let written = File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_data()));
    written
        .and_then(|_| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            system(format!("cannot write '{}'", path.display()), e)
        })
}

/// The names with a file ending `.{ext}` in `dir`, sorted.
pub fn names_in(dir: &Path, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            (path.extension()? == ext).then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
}

/// Reads a small file (an XML definition, a pid file) whole, refusing one over `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    let mut text = String::new();
    File::open(path)?.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("larger than {limit} bytes")));
    }
    Ok(text)
}

pub fn read_pidfile(path: &Path) -> Option<i32> {
    read_bounded(path, 32).ok()?.trim().parse().ok().filter(|p| *p > 0)
}

/// Whether `pid` is a live (not zombie) QEMU started with `pidfile`: a pid may have been
/// reused by another program since the file was written.
pub fn is_our_qemu(pid: i32, pidfile: &Path) -> bool {
    let alive = read_bounded(Path::new(&format!("/proc/{pid}/stat")), 4096)
        .ok()
        .and_then(|stat| stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()))
        .is_some_and(|state| state != 'Z' && state != 'X');
    alive
        && fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|cmdline| cmdline.split(|&b| b == 0).any(|arg| arg == pidfile.as_os_str().as_encoded_bytes()))
}

/// Whether process `pid` has gone (or is a zombie nobody reaped yet).
pub fn has_exited(pid: i32) -> bool {
    read_bounded(Path::new(&format!("/proc/{pid}/stat")), 4096)
        .ok()
        .and_then(|stat| stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()))
        .is_none_or(|state| state == 'Z' || state == 'X')
}

/// Sends SIGTERM, waits up to `grace` for the process to go, then SIGKILL if `force`.
/// Returns whether it has gone.
pub fn terminate(pid: i32, grace: Duration, force: bool) -> bool {
    let gone_within = |limit: Duration| {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if has_exited(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        has_exited(pid)
    };
    if sys::kill(pid, Signal::Term).is_err() || gone_within(grace) {
        return has_exited(pid);
    }
    force && sys::kill(pid, Signal::Kill).is_ok() && gone_within(Duration::from_secs(5))
}

/// A QEMU process that answers on its monitor, CPUs stopped.
pub struct Started {
    pub pid: i32,
    pub monitor: Monitor,
}

/// The last lines QEMU wrote to its log after `from`, for an error message.
fn log_tail(path: &Path, from: u64) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let start = from.max(len.saturating_sub(LOG_TAIL_BYTES));
        if f.seek(SeekFrom::Start(start)).is_ok() {
            let _ = f.take(LOG_TAIL_BYTES).read_to_string(&mut text);
        }
    }
    text.trim().lines().filter(|l| !l.starts_with("starting: ")).collect::<Vec<_>>().join("; ")
}

/// Starts QEMU for `def`, stopped (`-S`), and connects to its monitor with `handler`. The
/// process daemonizes: it outlives this one, as libvirt's QEMU processes outlive libvirtd.
pub fn launch(paths: &Paths, def: &DomainDef, plan: &Launch, handler: Handler) -> Result<Started> {
    let name = def.name();
    let (monitor, pidfile, logfile) = (paths.monitor(name), paths.pidfile(name), paths.logfile(name));
    if monitor.as_os_str().len() > MAX_SOCKET_PATH {
        return Err(VirError::new(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            format!("the monitor socket path '{}' is longer than {MAX_SOCKET_PATH} bytes: use a shorter root or name", monitor.display()),
        ));
    }
    paths.remove_runtime(name);
    let args = config::arguments(def, plan, &RunFiles { monitor: &monitor, pidfile: &pidfile });
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&logfile)
        .map_err(|e| system(format!("cannot open log file '{}'", logfile.display()), e))?;
    let log_start = log.seek(SeekFrom::End(0)).unwrap_or(0);
    let _ = writeln!(log, "starting: {} {}", plan.emulator, args.join(" "));
    let stderr = log.try_clone().map_err(|e| system("cannot duplicate the log descriptor", e))?;
    let status = Command::new(&plan.emulator)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr)
        .status()
        .map_err(|e| system(format!("cannot execute binary {}", plan.emulator), e))?;
    if !status.success() {
        return Err(VirError::new(
            VIR_ERR_OPERATION_FAILED,
            VIR_FROM_QEMU,
            format!("QEMU failed to start ({status}): {}", log_tail(&logfile, log_start)),
        ));
    }
    let pid = read_pidfile(&pidfile).ok_or_else(|| {
        VirError::new(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, format!("QEMU started but wrote no pid to '{}'", pidfile.display()))
    })?;
    match Monitor::connect(&monitor, Instant::now() + START_TIMEOUT, handler) {
        Ok(monitor) => Ok(Started { pid, monitor }),
        Err(e) => {
            terminate(pid, Duration::from_secs(1), true);
            paths.remove_runtime(name);
            Err(VirError::new(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_QEMU,
                format!("cannot talk to QEMU's monitor at '{}': {e}; {}", monitor.display(), log_tail(&logfile, log_start)),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layouts_and_the_lock() {
        let root = std::env::temp_dir().join(format!("virtevent-paths-{}", uuid::Uuid::new_v4()));
        let paths = Paths::embedded(&root);
        assert_eq!(paths.config_xml("vm"), root.join("etc/qemu/vm.xml"));
        assert_eq!(paths.monitor("vm"), root.join("run/qemu/vm.qmp"));
        let session = Paths::session(Path::new("/home/u/.config"), Path::new("/run/user/1"));
        assert_eq!(session.pidfile("vm"), Path::new("/run/user/1/virtevent/qemu/vm.pid"));
        paths.create().unwrap();
        let held = paths.lock().unwrap();
        // Another open file description: what a second process would have.
        assert_eq!(paths.lock().unwrap_err().code, VIR_ERR_OPERATION_INVALID);
        drop(held);
        paths.lock().unwrap();
        write_atomically(&paths.config_xml("b"), "<b/>").unwrap();
        write_atomically(&paths.config_xml("a"), "<a/>").unwrap();
        fs::write(paths.config.join("c.txt"), "").unwrap();
        assert_eq!(names_in(&paths.config, "xml"), ["a", "b"]);
        assert_eq!(read_bounded(&paths.config_xml("a"), 4).unwrap(), "<a/>");
        assert!(read_bounded(&paths.config_xml("a"), 3).is_err());
        fs::write(paths.pidfile("a"), "12x").unwrap();
        assert_eq!(read_pidfile(&paths.pidfile("a")), None);
        fs::write(paths.pidfile("a"), format!("{}\n", std::process::id())).unwrap();
        let me = read_pidfile(&paths.pidfile("a")).unwrap();
        assert!(!has_exited(me));
        assert!(!is_our_qemu(me, &paths.pidfile("a")), "this test is not a QEMU started with that pid file");
        fs::remove_dir_all(&root).unwrap();
    }
}
