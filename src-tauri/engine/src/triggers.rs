//! What makes every feed reconnect at once: the computer waking from sleep, and (on Linux) a
//! network change — an address added or removed, a default route changed, a link going on or
//! offline (not the chatter around them: see `netstate`).
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
mod netstate;

#[cfg(target_os = "linux")]
mod netlink {
    //! Network changes pushed by the kernel on a `NETLINK_ROUTE` socket (no polling).

    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;

    use tokio::io::unix::AsyncFd;
    use tokio::sync::mpsc;

    use super::netstate::NetState;
    use super::{NETWORK_CHANGED, Reason};

    /// An interface coming up sends a burst of messages: wait for it to settle, then reconnect
    /// once (and after the new address is usable).
    const SETTLE: Duration = Duration::from_secs(1);

    /// How long the kernel gets to describe the network at start.
    const SEED_TIMEOUT: Duration = Duration::from_secs(2);

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
        let mut buf = vec![0u8; 32 * 1024];
        // What the network looks like now, so that only a change to it counts.
        let mut state = NetState::default();
        let unseeded =
            match tokio::time::timeout(SEED_TIMEOUT, seed(&socket, &mut state, &mut buf)).await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some("no answer in time".to_owned()),
            };
        if let Some(error) = unseeded {
            // Not fatal: each link, address and route then counts as a change when first seen.
            tracing::warn!(%error, "cannot read the network's state at start");
        }
        loop {
            let changed = match receive(&socket, &mut buf).await {
                Ok(n) => state.apply(&buf[..n]).changed,
                // ENOBUFS: the kernel dropped messages — something changed, so say so.
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "network watch failed");
                    return;
                }
            };
            if !changed {
                continue; // chatter: a Wi-Fi scan, a refreshed address, a container's route
            }
            tokio::time::sleep(SETTLE).await;
            drain(&socket, &mut buf, &mut state);
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

    /// Asks the kernel to describe links, addresses and routes, and takes in its answers.
    async fn seed(
        socket: &AsyncFd<OwnedFd>,
        state: &mut NetState,
        buf: &mut [u8],
    ) -> io::Result<()> {
        let dumps = [libc::RTM_GETLINK, libc::RTM_GETADDR, libc::RTM_GETROUTE];
        for (seq, kind) in (1..).zip(dumps) {
            request_dump(socket.get_ref(), kind, seq)?;
            loop {
                let n = receive(socket, buf).await?;
                if state.apply(&buf[..n]).done {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Sends a dump request: a netlink header and a `struct rtgenmsg` (the family: any).
    fn request_dump(fd: &OwnedFd, kind: u16, seq: u32) -> io::Result<()> {
        const LEN: usize = 20; // 16-byte header, 1-byte rtgenmsg, padded to four bytes
        let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
        let mut message = [0u8; LEN];
        message[0..4].copy_from_slice(&(LEN as u32).to_ne_bytes());
        message[4..6].copy_from_slice(&kind.to_ne_bytes());
        message[6..8].copy_from_slice(&flags.to_ne_bytes());
        message[8..12].copy_from_slice(&seq.to_ne_bytes());
        // Port 0 (bytes 12..16) and family AF_UNSPEC (byte 16): all zero already.
        // SAFETY: `message` is valid for reads of its length; the socket is bound (to the
        // kernel's groups), so a send without an address goes to the kernel.
        let n = unsafe { libc::send(fd.as_raw_fd(), message.as_ptr().cast(), LEN, 0) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// Waits for the next buffer of messages.
    async fn receive(socket: &AsyncFd<OwnedFd>, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut ready = socket.readable().await?;
            match ready.try_io(|fd| recv(fd.get_ref(), buf)) {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// Takes in whatever else is queued, without waiting.
    fn drain(socket: &AsyncFd<OwnedFd>, buf: &mut [u8], state: &mut NetState) {
        while let Ok(n) = recv(socket.get_ref(), buf) {
            state.apply(&buf[..n]);
        }
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
