//! The few operating-system calls the safe core needs: the one core module besides `ffi` with
//! `unsafe`, each call wrapped in a safe function.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

pub type PollFd = libc::pollfd;

/// poll(2) on `fds`; `timeout_ms` < 0 waits without limit. An interrupted wait counts as
/// "nothing ready" so the caller simply goes round its loop again.
pub fn poll(fds: &mut [PollFd], timeout_ms: i32) -> io::Result<usize> {
    // SAFETY: `fds` is a valid, exclusively borrowed array of `fds.len()` pollfd structs.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if ready >= 0 {
        return Ok(ready as usize);
    }
    let err = io::Error::last_os_error();
    if err.kind() == io::ErrorKind::Interrupted {
        Ok(0)
    } else {
        Err(err)
    }
}

/// Blocks asynchronous signals in the calling thread, so that a thread the library starts
/// never takes a signal meant for the application's own threads (SIGINT, SIGCHLD, …).
/// Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) stay deliverable.
pub fn block_async_signals() {
    // SAFETY: `set` is a local sigset_t initialised by sigfillset before use; pthread_sigmask
    // only changes the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGTRAP] {
            libc::sigdelset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Waits up to `timeout_ms` (< 0: without limit) for `fd` to become readable; false on timeout
/// or interruption (the caller looks at its state again either way).
pub fn wait_readable(fd: RawFd, timeout_ms: i32) -> io::Result<bool> {
    let mut fds = [PollFd { fd, events: libc::POLLIN, revents: 0 }];
    Ok(poll(&mut fds, timeout_ms)? > 0)
}

fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// An owned descriptor made by one of the calls below, closed on drop.
fn owned(fd: libc::c_int) -> OwnedFd {
    // SAFETY: `fd` was just returned by the kernel to us and nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// An eventfd(2) used as a level: readable from `raise` until `lower`.
pub struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    pub fn new() -> io::Result<Self> {
        // SAFETY: plain system call; the result is checked.
        let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        Ok(EventFd { fd: owned(fd) })
    }

    pub fn raise(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our own eventfd. It can only fail when the
        // counter is near u64::MAX, which one writer per transition never reaches.
        unsafe { libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    pub fn lower(&self) {
        let mut count: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64 from our own non-blocking eventfd; EAGAIN (already
        // low) is the only failure and needs nothing done.
        unsafe { libc::read(self.fd.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// A one-shot timerfd(2): readable once its deadline has passed, until armed again or disarmed.
pub struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    pub fn new() -> io::Result<Self> {
        // SAFETY: plain system call; the result is checked.
        let fd = cvt(unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_CLOEXEC | libc::TFD_NONBLOCK) })?;
        Ok(TimerFd { fd: owned(fd) })
    }

    /// Fires once, `after` from now (at least a nanosecond: zero would disarm it). Setting the
    /// timer also clears a previous expiry, so the descriptor is unreadable until then.
    pub fn arm(&self, after: Duration) {
        let after = after.max(Duration::from_nanos(1));
        self.set(libc::timespec { tv_sec: after.as_secs() as libc::time_t, tv_nsec: after.subsec_nanos() as libc::c_long });
    }

    pub fn disarm(&self) {
        self.set(libc::timespec { tv_sec: 0, tv_nsec: 0 });
    }

    fn set(&self, value: libc::timespec) {
        let spec = libc::itimerspec { it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 }, it_value: value };
        // SAFETY: `spec` is a valid itimerspec; the old value is not asked for. With valid
        // arguments on our own timerfd the call cannot fail.
        unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// An epoll(7) instance: one descriptor that is readable while any of those added is.
pub struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    /// Watches the read side of each of `fds`, which must outlive the result.
    pub fn new(fds: &[RawFd]) -> io::Result<Self> {
        // SAFETY: plain system call; the result is checked.
        let fd = owned(cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?);
        for &watched in fds {
            let mut event = libc::epoll_event { events: libc::EPOLLIN as u32, u64: watched as u64 };
            // SAFETY: adds a live descriptor of ours to our epoll instance; `event` is valid.
            cvt(unsafe { libc::epoll_ctl(fd.as_raw_fd(), libc::EPOLL_CTL_ADD, watched, &mut event) })?;
        }
        Ok(Epoll { fd })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// The host's name, as gethostname(2) reports it.
pub fn hostname() -> io::Result<String> {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is a writable buffer of the length passed; gethostname NUL-terminates it
    // when the name fits (the last byte stays 0 either way).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len() - 1) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..len]).into_owned())
}

/// Takes an exclusive flock(2) on `file` without waiting; false when another open file
/// description (another process, typically) holds it.
pub fn try_lock_exclusive(file: &std::fs::File) -> io::Result<bool> {
    // SAFETY: flock on a descriptor the borrowed File keeps open; no memory is passed.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(err)
    }
}

/// The signals the library sends to processes it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Term,
    Kill,
}

/// Sends `signal` to process `pid` (which must be positive: never a process group).
pub fn kill(pid: i32, signal: Signal) -> io::Result<()> {
    if pid <= 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a process ID: {pid}")));
    }
    let sig = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: plain system call on a positive pid; the result is checked.
    cvt(unsafe { libc::kill(pid, sig) }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eventfd_timerfd_and_epoll_are_readable_exactly_when_they_should_be() {
        let event_fd = EventFd::new().unwrap();
        let timer = TimerFd::new().unwrap();
        let epoll = Epoll::new(&[event_fd.fd(), timer.fd()]).unwrap();
        let readable = |fd| wait_readable(fd, 0).unwrap();
        assert!(!readable(event_fd.fd()) && !readable(epoll.fd()));
        event_fd.raise();
        event_fd.raise();
        assert!(readable(event_fd.fd()) && readable(epoll.fd()));
        event_fd.lower();
        assert!(!readable(event_fd.fd()) && !readable(epoll.fd()), "one lower clears any number of raises");
        timer.arm(Duration::from_millis(5));
        assert!(!readable(timer.fd()));
        assert!(wait_readable(epoll.fd(), 1000).unwrap());
        assert!(readable(timer.fd()));
        timer.arm(Duration::from_secs(60));
        assert!(!readable(epoll.fd()), "arming again clears the expiry");
        timer.disarm();
        assert!(!readable(epoll.fd()));
    }

    #[test]
    fn a_file_lock_is_exclusive_between_open_files() {
        let path = std::env::temp_dir().join(format!("virtevent-lock-{}", std::process::id()));
        let open = || std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).unwrap();
        let (first, second) = (open(), open());
        assert!(try_lock_exclusive(&first).unwrap());
        assert!(!try_lock_exclusive(&second).unwrap());
        drop(first);
        assert!(try_lock_exclusive(&second).unwrap());
        std::fs::remove_file(&path).unwrap();
        assert_eq!(kill(0, Signal::Term).unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }
}
