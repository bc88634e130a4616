//! A chaos TCP proxy on 127.0.0.1: it stands between the engine and an upstream and breaks
//! connections the way networks and servers do.
//!
//! Per connection a [`Plan`] picks one [`Fault`]: pass everything, cut after a number of bytes
//! (with a FIN or a RST), stall after a number of bytes (a half-open link: no bytes, no FIN), or
//! take the whole upstream down for a while (every link closes, new ones are refused, then it is
//! back on the same port). Byte counts are exact, so a cut lands wherever the count says: inside
//! the response head, a line, an event or a UTF-8 sequence.
//!
//! Every random choice comes from one `fastrand` generator seeded by the plan, in the order
//! connections arrive, so a failing run is replayed with the seed it prints. What the proxy did is
//! kept as [`Incident`]s: the tests count them and read the instants a link stalled or the
//! upstream came back.

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

/// What the proxy does to one connection. Only the server-to-client direction is counted and
/// broken: that is where an event stream flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything until either side closes.
    Pass,
    /// Forward `after` bytes, then close both sides: with a RST when `reset`, else a FIN.
    Cut {
        /// Bytes forwarded to the client first.
        after: usize,
        /// Abort the connection (`SO_LINGER` 0) instead of closing it.
        reset: bool,
    },
    /// Forward `after` bytes, then nothing more, and close nothing: only the client's idle
    /// watchdog can tell this link is dead.
    Stall {
        /// Bytes forwarded to the client first.
        after: usize,
    },
    /// Forward `after` bytes, then take the upstream down for `pause`: every connection closes,
    /// new ones are refused, then the proxy listens again on the same port.
    Restart {
        /// Bytes forwarded to the client first.
        after: usize,
        /// How long nothing listens.
        pause: Duration,
    },
}

impl Fault {
    /// How many bytes go through before the fault strikes.
    fn after(self) -> usize {
        match self {
            Fault::Pass => usize::MAX,
            Fault::Cut { after, .. } | Fault::Stall { after } | Fault::Restart { after, .. } => {
                after
            }
        }
    }
}

/// Faults drawn at random for every connection after a plan's script.
#[derive(Debug, Clone)]
pub struct RandomFaults {
    /// Bytes forwarded before the fault, drawn uniformly.
    pub after: RangeInclusive<usize>,
    /// Chance that a connection stalls rather than being cut.
    pub stall_chance: f64,
    /// Chance that a cut is a RST rather than a FIN.
    pub reset_chance: f64,
    /// Every `restart_every`-th connection takes the upstream down instead (0: never).
    pub restart_every: u64,
    /// How long the upstream stays down.
    pub restart_pause: Duration,
}

/// Which fault each connection gets, in the order connections arrive.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Seed of every random choice; the tests print it so a failure can be replayed.
    pub seed: u64,
    /// Faults of the first connections, in order.
    pub script: Vec<Fault>,
    /// Faults of the connections after the script; `None`: they pass untouched.
    pub random: Option<RandomFaults>,
}

impl Plan {
    /// Every connection passes untouched (faults come only from [`ChaosProxy::restart`]).
    pub fn pass_through() -> Plan {
        Plan::script(Vec::new())
    }

    /// The first connections get `faults`, in order; later ones pass.
    pub fn script(faults: Vec<Fault>) -> Plan {
        Plan {
            seed: 0,
            script: faults,
            random: None,
        }
    }

    /// Every connection gets a fault drawn from `faults` with a generator seeded by `seed`.
    pub fn random(seed: u64, faults: RandomFaults) -> Plan {
        Plan {
            seed,
            script: Vec::new(),
            random: Some(faults),
        }
    }

    /// The fault of connection `n` (0-based).
    fn fault_for(&self, n: u64, rng: &mut fastrand::Rng) -> Fault {
        if let Some(fault) = usize::try_from(n).ok().and_then(|i| self.script.get(i)) {
            return *fault;
        }
        let Some(random) = &self.random else {
            return Fault::Pass;
        };
        let after = rng.usize(random.after.clone());
        if random.restart_every > 0 && (n + 1).is_multiple_of(random.restart_every) {
            return Fault::Restart {
                after,
                pause: random.restart_pause,
            };
        }
        if rng.f64() < random.stall_chance {
            return Fault::Stall { after };
        }
        Fault::Cut {
            after,
            reset: rng.f64() < random.reset_chance,
        }
    }
}

/// What happened, to which connection (0-based, in arrival order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    /// A connection was cut, with a RST when `reset`.
    Cut {
        /// Aborted rather than closed.
        reset: bool,
    },
    /// A connection stopped forwarding without closing.
    Stall,
    /// The upstream went down: every connection closed, the port stopped listening.
    Down,
    /// The upstream listens again on the same port.
    Back,
}

/// One thing the proxy did, and when.
#[derive(Debug, Clone, Copy)]
pub struct Incident {
    /// What it did.
    pub kind: IncidentKind,
    /// The connection that triggered it (for a manual restart, the number of the next one).
    pub connection: u64,
    /// When, on the monotonic clock.
    pub at: Instant,
    /// When, in ms since the Unix epoch: comparable with the engine's status timestamps.
    pub wall_ms: u64,
    /// For a cut or a stall: the last bytes the client got (up to 4, oldest first), to tell
    /// where in the stream it struck.
    pub tail: Tail,
}

/// The last bytes forwarded on a connection, up to 4: enough to see an unfinished UTF-8 sequence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tail {
    bytes: [u8; 4],
    len: usize,
}

impl Tail {
    /// The bytes, oldest first.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[4 - self.len..]
    }

    fn push(&mut self, data: &[u8]) {
        for &b in data.iter().rev().take(4).rev() {
            self.bytes.copy_within(1.., 0);
            self.bytes[3] = b;
            self.len = (self.len + 1).min(4);
        }
    }

    /// Where in an SSE stream these last bytes leave the reader.
    pub fn landing(&self) -> Landing {
        let bytes = self.bytes();
        // An unfinished UTF-8 sequence: the last lead byte needs more bytes than follow it.
        if let Some(lead) = bytes.iter().rposition(|b| b & 0xC0 != 0x80) {
            let needed = match bytes[lead] {
                b if b >= 0xF0 => 4,
                b if b >= 0xE0 => 3,
                b if b >= 0xC0 => 2,
                _ => 1,
            };
            if bytes.len() - lead < needed {
                return Landing::MidUtf8;
            }
        }
        match bytes {
            [.., b'\n', b'\n'] => Landing::EventEnd,
            [.., b'\n'] => Landing::LineEnd,
            _ => Landing::MidLine,
        }
    }
}

/// Where a fault struck, seen from the SSE reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Landing {
    /// Inside a multi-byte UTF-8 sequence.
    MidUtf8,
    /// Inside a line, between whole characters.
    MidLine,
    /// Right after a line, inside an event.
    LineEnd,
    /// Right after the blank line that ends an event.
    EventEnd,
}

/// What the proxy did so far, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChaosCounts {
    /// Connections accepted.
    pub connections: u64,
    /// Connections cut (FIN or RST).
    pub cuts: u64,
    /// Of the cuts, those sent as a RST.
    pub resets: u64,
    /// Connections stalled.
    pub stalls: u64,
    /// Times the upstream went down and came back.
    pub restarts: u64,
    /// Bytes forwarded from the upstream to clients.
    pub bytes_down: u64,
    /// Cuts and stalls that struck inside a UTF-8 sequence, inside a line, after a line, and
    /// after an event.
    pub landings: [u64; 4],
}

/// State the accept loop and the relays share; the test reads it through [`ChaosProxy`].
#[derive(Default)]
struct Shared {
    /// Every incident, in order (a lock: relays on several threads append, the test reads).
    incidents: Mutex<Vec<Incident>>,
    connections: AtomicU64,
    bytes_down: AtomicU64,
}

impl Shared {
    fn record(&self, kind: IncidentKind, connection: u64, tail: Tail) -> Incident {
        let incident = Incident {
            kind,
            connection,
            at: Instant::now(),
            wall_ms: crate::wall_ms(),
            tail,
        };
        self.incidents.lock().unwrap().push(incident);
        incident
    }
}

/// A request to take the upstream down for `pause`.
struct Outage {
    pause: Duration,
    connection: u64,
    /// Told the `Back` incident once the port listens again (manual restarts wait for it).
    done: Option<oneshot::Sender<Incident>>,
}

/// A running chaos proxy; dropping it closes the port and every connection.
pub struct ChaosProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Where manual restarts are requested.
    outages: mpsc::Sender<Outage>,
    /// The accept loop, which owns the relays: aborting it closes everything.
    task: JoinHandle<()>,
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ChaosProxy {
    /// Starts a proxy on 127.0.0.1:0 in front of `upstream`, breaking connections per `plan`.
    pub async fn start(upstream: SocketAddr, plan: Plan) -> ChaosProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let (outages, requests) = mpsc::channel(8);
        let task = tokio::spawn(serve(
            listener,
            upstream,
            plan,
            Arc::clone(&shared),
            outages.clone(),
            requests,
        ));
        ChaosProxy {
            addr,
            shared,
            outages,
            task,
        }
    }

    /// The proxy's address: what the engine connects to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of `path` through the proxy.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every incident so far, in order.
    pub fn incidents(&self) -> Vec<Incident> {
        self.shared.incidents.lock().unwrap().clone()
    }

    /// The incidents so far, counted.
    pub fn counts(&self) -> ChaosCounts {
        let mut counts = ChaosCounts {
            connections: self.shared.connections.load(Ordering::Relaxed),
            bytes_down: self.shared.bytes_down.load(Ordering::Relaxed),
            ..ChaosCounts::default()
        };
        for incident in self.shared.incidents.lock().unwrap().iter() {
            match incident.kind {
                IncidentKind::Cut { reset } => {
                    counts.cuts += 1;
                    counts.resets += u64::from(reset);
                    counts.landings[incident.tail.landing() as usize] += 1;
                }
                IncidentKind::Stall => {
                    counts.stalls += 1;
                    counts.landings[incident.tail.landing() as usize] += 1;
                }
                IncidentKind::Back => counts.restarts += 1,
                IncidentKind::Down => {}
            }
        }
        counts
    }

    /// Takes the upstream down for `pause` now; returns once it listens again, with the `Back`
    /// incident (its instants are "the upstream is back").
    pub async fn restart(&self, pause: Duration) -> Incident {
        let (done, back) = oneshot::channel();
        let outage = Outage {
            pause,
            connection: self.shared.connections.load(Ordering::Relaxed),
            done: Some(done),
        };
        self.outages.send(outage).await.expect("proxy running");
        back.await.expect("proxy running")
    }
}

/// What woke the accept loop.
enum Step {
    Accepted(std::io::Result<TcpStream>),
    Outage(Outage),
    Reaped,
}

/// Accepts connections and relays each in its own task, until aborted; takes the upstream down
/// when a relay or the test asks.
async fn serve(
    mut listener: TcpListener,
    upstream: SocketAddr,
    plan: Plan,
    shared: Arc<Shared>,
    outages: mpsc::Sender<Outage>,
    mut requests: mpsc::Receiver<Outage>,
) {
    let addr = listener.local_addr().unwrap();
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    // Owned here, so aborting this task (dropping the proxy) closes every connection too.
    let mut relays = JoinSet::new();
    loop {
        // The step is decided first and acted on after `select!`, when no branch borrows the
        // listener any more: an outage has to drop it.
        let step = tokio::select! {
            accepted = listener.accept() => Step::Accepted(accepted.map(|(socket, _)| socket)),
            Some(outage) = requests.recv() => Step::Outage(outage),
            Some(_) = relays.join_next(), if !relays.is_empty() => Step::Reaped,
        };
        match step {
            Step::Accepted(Ok(socket)) => {
                let n = shared.connections.fetch_add(1, Ordering::Relaxed);
                let fault = plan.fault_for(n, &mut rng);
                let relay = relay(
                    socket,
                    upstream,
                    n,
                    fault,
                    Arc::clone(&shared),
                    outages.clone(),
                );
                relays.spawn(relay);
            }
            // E.g. out of file descriptors: wait rather than spin.
            Step::Accepted(Err(_)) => tokio::time::sleep(Duration::from_millis(10)).await,
            Step::Outage(outage) => {
                drop(listener);
                relays.shutdown().await; // every connection is closed before the pause starts
                shared.record(IncidentKind::Down, outage.connection, Tail::default());
                tokio::time::sleep(outage.pause).await;
                listener = rebind(addr).await;
                let back = shared.record(IncidentKind::Back, outage.connection, Tail::default());
                if let Some(done) = outage.done {
                    let _ = done.send(back);
                }
            }
            Step::Reaped => {}
        }
    }
}

/// Listens on `addr` again. The port was ours a moment ago; `SO_REUSEADDR` (set by tokio) lets
/// the bind succeed while old connections sit in `TIME_WAIT`, and a few retries cover the rest.
async fn rebind(addr: SocketAddr) -> TcpListener {
    let mut last_error = None;
    for _ in 0..100 {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("chaos proxy cannot listen on {addr} again: {last_error:?}");
}

/// Relays one client connection to the upstream, applying `fault` to the bytes flowing back.
async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    n: u64,
    fault: Fault,
    shared: Arc<Shared>,
    outages: mpsc::Sender<Outage>,
) {
    // Upstream unreachable: dropping the client closes it, as a proxy with no backend would.
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    if let Fault::Cut { reset: true, .. } = fault {
        // SO_LINGER 0 makes close() abort with a RST. (tokio deprecates its `set_linger` because a
        // non-zero linger blocks the thread on drop; a zero one never does.)
        let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
    }
    // Borrowed halves, not `into_split`: an owned write half sends a FIN when dropped, which would
    // turn every RST into FIN-then-RST.
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    // Client → upstream: the request. It ends when the client closes its side.
    let upward = tokio::io::copy(&mut client_read, &mut server_write);
    tokio::pin!(upward);
    let mut tail = Tail::default();
    let limit = fault.after();
    let reached = tokio::select! {
        _ = &mut upward => return,
        reached = forward(&mut server_read, &mut client_write, limit, &shared, &mut tail) => reached,
    };
    if !reached {
        return; // the upstream closed or a write failed: close the other side too
    }
    match fault {
        Fault::Pass => {}
        Fault::Cut { reset, .. } => {
            shared.record(IncidentKind::Cut { reset }, n, tail);
            if !reset {
                let _ = client_write.shutdown().await;
            }
        }
        Fault::Stall { .. } => {
            shared.record(IncidentKind::Stall, n, tail);
            // Forward nothing and close nothing; end when the client gives up on the link.
            let _ = upward.await;
        }
        Fault::Restart { pause, .. } => {
            let outage = Outage {
                pause,
                connection: n,
                done: None,
            };
            let _ = outages.send(outage).await;
            // The accept loop aborts this task when it takes the upstream down.
            let _ = upward.await;
        }
    }
}

/// Copies upstream → client until `limit` bytes went through (`true`) or either side ended
/// (`false`). Reads never ask for more than the limit leaves, so the cut lands on that exact byte.
async fn forward(
    from: &mut ReadHalf<'_>,
    to: &mut WriteHalf<'_>,
    limit: usize,
    shared: &Shared,
    tail: &mut Tail,
) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0;
    while sent < limit {
        let want = buf.len().min(limit - sent);
        let n = match from.read(&mut buf[..want]).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            return false;
        }
        sent += n;
        tail.push(&buf[..n]);
        shared.bytes_down.fetch_add(n as u64, Ordering::Relaxed);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_plans_are_reproducible_and_restart_on_schedule() {
        let faults = RandomFaults {
            after: 1..=100,
            stall_chance: 0.1,
            reset_chance: 0.5,
            restart_every: 10,
            restart_pause: Duration::from_millis(5),
        };
        let plan = Plan::random(7, faults);
        let draw = || {
            let mut rng = fastrand::Rng::with_seed(plan.seed);
            (0..50)
                .map(|n| plan.fault_for(n, &mut rng))
                .collect::<Vec<_>>()
        };
        let first = draw();
        assert_eq!(first, draw(), "same seed, same faults");
        let restarts: Vec<_> = (0..50)
            .filter(|&n| matches!(first[n], Fault::Restart { .. }))
            .collect();
        assert_eq!(restarts, [9, 19, 29, 39, 49]);
        assert!(first.iter().all(|f| (1..=100).contains(&f.after())));
    }

    #[test]
    fn tails_tell_where_a_cut_landed() {
        let table: [(&[u8], Landing); 8] = [
            (b"data: a", Landing::MidLine),
            (b"a\n", Landing::LineEnd),
            (b"a\n\n", Landing::EventEnd),
            ("é".as_bytes(), Landing::MidLine),
            (&"é".as_bytes()[..1], Landing::MidUtf8),
            (&"ab🚀".as_bytes()[..5], Landing::MidUtf8),
            (&"日".as_bytes()[..2], Landing::MidUtf8),
            ("x🚀".as_bytes(), Landing::MidLine),
        ];
        for (bytes, want) in table {
            let mut tail = Tail::default();
            for chunk in bytes.chunks(3) {
                tail.push(chunk);
            }
            assert_eq!(tail.landing(), want, "{bytes:?}");
        }
    }

    #[test]
    fn a_script_comes_first_then_connections_pass() {
        let plan = Plan::script(vec![Fault::Stall { after: 3 }]);
        let mut rng = fastrand::Rng::with_seed(0);
        assert_eq!(plan.fault_for(0, &mut rng), Fault::Stall { after: 3 });
        assert_eq!(plan.fault_for(1, &mut rng), Fault::Pass);
    }
}
