//! What makes every feed reconnect at once: the computer waking from sleep, and (on Linux) a
//! network change — a new address, a route, an interface going up or down.
//!
//! After either, the connections opened before are often dead without knowing it (no FIN ever
//! arrives), and the idle watchdog would only notice after its timeout: a minute or more without
//! events. So both are watched, and each sends a reason the feeds' status then shows.

use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

/// How often the clocks are compared to notice a sleep.
const WAKE_CHECK: Duration = Duration::from_secs(5);

/// Why every feed should reconnect now.
pub type Reason = &'static str;

/// The reason given after a sleep.
pub const WOKE: Reason = "the computer woke from sleep";
/// The reason given after a network change.
pub const NETWORK_CHANGED: Reason = "the network changed";

/// Starts the watchers on the current runtime. They stop when the receiver is dropped.
pub fn watch() -> mpsc::Receiver<Reason> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(watch_sleep(tx.clone()));
    #[cfg(target_os = "linux")]
    tokio::spawn(netlink::watch(tx));
    rx
}

/// While suspended, the monotonic clock stops and the wall clock does not: after a wake, the
/// wall clock has run ahead.
async fn watch_sleep(tx: mpsc::Sender<Reason>) {
    let (mut wall, mut mono) = (SystemTime::now(), Instant::now());
    while !tx.is_closed() {
        tokio::time::sleep(WAKE_CHECK).await;
        let (wall_now, mono_now) = (SystemTime::now(), Instant::now());
        let wall_elapsed = wall_now.duration_since(wall).unwrap_or_default();
        if slept(wall_elapsed, mono_now - mono) && tx.send(WOKE).await.is_err() {
            return;
        }
        (wall, mono) = (wall_now, mono_now);
    }
}

/// Whether the wall clock ran ahead of the monotonic clock by more than a clock adjustment
/// would explain.
fn slept(wall_elapsed: Duration, mono_elapsed: Duration) -> bool {
    wall_elapsed > mono_elapsed + Duration::from_secs(10)
}

#[cfg(target_os = "linux")]
mod netlink {
    //! Network changes pushed by the kernel on a `NETLINK_ROUTE` socket (no polling).

    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;

    use tokio::io::unix::AsyncFd;
    use tokio::sync::mpsc;

    use super::{NETWORK_CHANGED, Reason};

    /// An interface coming up sends a burst of messages: wait for it to settle, then reconnect
    /// once (and after the new address is usable).
    const SETTLE: Duration = Duration::from_secs(1);

    pub(super) async fn watch(tx: mpsc::Sender<Reason>) {
        // SAFETY: the descriptor is owned by the `OwnedFd` inside the `AsyncFd`, which neither
        // replaces nor closes it while registered.
        let socket = match open().and_then(|fd| Ok(unsafe { AsyncFd::register(fd)? })) {
            Ok(socket) => socket,
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch for network changes; the idle watchdog still covers dead links");
                return;
            }
        };
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            if let Err(e) = receive(&socket, &mut buf).await {
                // ENOBUFS: the kernel dropped messages — something changed, so say so.
                if e.raw_os_error() != Some(libc::ENOBUFS) {
                    tracing::warn!(error = %e, "network watch failed");
                    return;
                }
            }
            tokio::time::sleep(SETTLE).await;
            drain(&socket, &mut buf);
            tracing::info!("network changed");
            if tx.send(NETWORK_CHANGED).await.is_err() {
                return;
            }
        }
    }

    /// A non-blocking netlink socket subscribed to link, address and route changes.
    fn open() -> io::Result<OwnedFd> {
        // SAFETY: plain socket(2); the result is checked and owned at once.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a new, valid descriptor that nothing else owns.
        let socket = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: sockaddr_nl is plain data; all-zero is a valid value to fill in.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_groups = (libc::RTMGRP_LINK
            | libc::RTMGRP_IPV4_IFADDR
            | libc::RTMGRP_IPV6_IFADDR
            | libc::RTMGRP_IPV4_ROUTE
            | libc::RTMGRP_IPV6_ROUTE) as u32;
        // SAFETY: `addr` is a valid sockaddr_nl and the length is its size.
        let rc = unsafe {
            libc::bind(
                socket.as_raw_fd(),
                (&raw const addr).cast::<libc::sockaddr>(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(socket)
    }

    /// Waits for one message (its content does not matter: any message is a change).
    async fn receive(socket: &AsyncFd<OwnedFd>, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut ready = socket.readable().await?;
            match ready.try_io(|fd| recv(fd.get_ref(), buf)) {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// Reads whatever else is queued, without waiting.
    fn drain(socket: &AsyncFd<OwnedFd>, buf: &mut [u8]) {
        while recv(socket.get_ref(), buf).is_ok() {}
    }

    fn recv(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for writes of its length.
        let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_clock_far_ahead_of_the_monotonic_clock_means_a_sleep() {
        let s = Duration::from_secs;
        let table = [
            (s(5), s(5), false),
            (s(6), s(5), false),   // scheduling jitter
            (s(14), s(5), false),  // a clock adjustment
            (s(16), s(5), true),   // ten seconds and more unaccounted for
            (s(3605), s(5), true), // an hour asleep
            (s(0), s(5), false),   // the clock was set back
        ];
        for (wall, mono, want) in table {
            assert_eq!(slept(wall, mono), want, "{wall:?} vs {mono:?}");
        }
    }
}
