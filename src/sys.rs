//! The few operating-system calls the safe core needs: the one core module besides `ffi` with
//! `unsafe`, each call wrapped in a safe function.

use std::io;

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
