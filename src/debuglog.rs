//! The library's debug log. A library must not write to the application's stdout or stderr on
//! its own, so what goes wrong where no caller can be told (a panic on the dispatch thread, an
//! event that could not be delivered) goes here, and only when the application asks for it, as
//! with libvirt's LIBVIRT_DEBUG: `VIRTEVENT_DEBUG=1` (or `stderr`) writes to stderr,
//! `VIRTEVENT_DEBUG=/some/file` appends to that file; unset (or `0`), nothing is written.

use once_cell::sync::Lazy;
use parking_lot::Mutex;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// The environment variable that turns the log on.
const DEBUG_VARIABLE: &str = "VIRTEVENT_DEBUG";

enum Sink {
    Stderr,
    File(File),
}

static SINK: Lazy<Option<Mutex<Sink>>> = Lazy::new(|| {
    let target = std::env::var_os(DEBUG_VARIABLE)?;
    match target.to_str() {
        Some("" | "0") => None,
        Some("1" | "stderr") => Some(Mutex::new(Sink::Stderr)),
        _ => OpenOptions::new().create(true).append(true).open(&target).ok().map(|f| Mutex::new(Sink::File(f))),
    }
});

pub fn enabled() -> bool {
    SINK.is_some()
}

/// Writes one line to the debug log, if it is on.
pub fn log(args: fmt::Arguments<'_>) {
    let Some(sink) = SINK.as_ref() else { return };
    let thread = std::thread::current();
    let line = format!("virtevent [{}]: {args}\n", thread.name().unwrap_or("unnamed thread"));
    // A log that cannot be written is not worth failing anything for.
    let _ = match &mut *sink.lock() {
        Sink::Stderr => std::io::stderr().write_all(line.as_bytes()),
        Sink::File(file) => file.write_all(line.as_bytes()),
    };
}

/// Sends panic messages to the debug log (with a backtrace) instead of std's default of
/// printing them on stderr. Entry points turn a caught panic into the call's error themselves.
/// The hook belongs to this library's copy of std, so it never touches a host program's panics.
pub fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // Unit tests keep std's message, so that a failing assertion still says what failed.
        #[cfg(test)]
        let default_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            #[cfg(test)]
            default_hook(info);
            if enabled() {
                log(format_args!("panic: {info}\n{}", std::backtrace::Backtrace::force_capture()));
            }
        }));
    });
}

/// Runs `what`, work of the library's own that no caller waits for, and stops a panic of it
/// here (the hook has logged it), so that the thread running it carries on.
pub fn contain_panic(what: &str, work: impl FnOnce()) {
    if panic::catch_unwind(AssertUnwindSafe(work)).is_err() {
        log(format_args!("{what} panicked; carrying on"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_panic_does_not_reach_the_caller() {
        install_panic_hook();
        let mut after = false;
        contain_panic("a test", || panic!("deliberate"));
        contain_panic("a test", || after = true);
        assert!(after);
    }
}
