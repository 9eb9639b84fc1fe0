//! AMQP throughput of `gridlog serve` (issue 20), in one run against the same machine's
//! ceilings: durable AMQP send (batches of 100 × 1 KiB events in one transfer each, message
//! format 0x80013700, as the Event Hubs SDKs send a batch; settled `accepted` once durable),
//! AMQP receive (partition receivers from the start, credit-driven), the REST ingest path
//! (`POST /{hub}/partitions/{p}/messages`, the batch form, 100 × 1 KiB), and the raw probe
//! (100 × 1 KiB WAL frames per `pwrite` + `fdatasync` into a preallocated file). Prints each
//! rate and the ratios.
//!
//! ```text
//! cargo build --release -p gridlog-cli -p gridlog-benches --bin amqp_ratio
//! target/release/amqp_ratio            # 10 s per phase
//! target/release/amqp_ratio --quick    # 2 s per phase: a check that it works, no figure
//! ```
//!
//! Options: `--secs N` per phase, `--senders N` concurrent AMQP senders (one connection each,
//! default 8), `--gridlog PATH` (default `$GRIDLOG_BIN`, else `target/release/gridlog`).
//! `AMQP_RATIO_DIR` chooses where the scratch data directories go (default the temp dir).
//! The client runs in this process on ntex-amqp's client side (one thread), the server in its
//! own process with its defaults (durability `always`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a bench fails loudly"
)]
#![allow(clippy::cast_precision_loss, reason = "rates")]

#[path = "../probe.rs"]
mod probe;
#[path = "../served.rs"]
mod served;

use std::cell::Cell;
use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use ntex_amqp::client;
use ntex_amqp::codec::protocol::{DeliveryState, TransferBody};
use ntex_amqp::codec::{Encode, Message};
use ntex_bytes::{BytePages, Bytes};
use ntex_service::Pipeline;
use ntex_service::cfg::SharedCfg;
use served::{Server, read_response};

/// Events per batch (send and REST).
const BATCH: usize = 100;
/// Bytes per event body.
const EVENT_BYTES: usize = 1024;
/// The batch message format of the Event Hubs SDKs.
const FORMAT_BATCH: u32 = 0x8001_3700;
/// Partitions of the bench hub.
const PARTITIONS: usize = 4;
/// The bench hub.
const HUB: &str = "bench";
/// The client's largest frame (a batch transfer of 100 × 1 KiB fits in one frame).
const CLIENT_FRAME_BYTES: u32 = 1024 * 1024;
/// Credit a receiver keeps granting.
const RECEIVE_CREDIT: u32 = 1000;

struct Options {
    secs: Duration,
    senders: usize,
    gridlog: PathBuf,
    quick: bool,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut out = Options {
        secs: Duration::from_secs(10),
        senders: 8,
        gridlog: served::default_gridlog(),
        quick: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                out.quick = true;
                out.secs = Duration::from_secs(2);
            }
            "--secs" => out.secs = Duration::from_secs(args.next().unwrap().parse().unwrap()),
            "--senders" => out.senders = args.next().unwrap().parse().unwrap(),
            "--gridlog" => out.gridlog = PathBuf::from(args.next().unwrap()),
            other => {
                panic!("unknown argument {other} (--quick, --secs N, --senders N, --gridlog PATH)")
            }
        }
    }
    out
}

/// A `gridlog serve` with one hub of [`PARTITIONS`] partitions, no keys (loopback).
fn start_server(gridlog: &Path, dir: &Path) -> Server {
    Server::start(
        gridlog,
        dir,
        &format!(
            r#"{{"eventHubs":[{{"name":"{HUB}","properties":{{"partitionCount":{PARTITIONS}}}}}]}}"#
        ),
        &[],
    )
}

fn encode(message: &Message) -> Bytes {
    let mut pages = BytePages::default();
    message.encode(&mut pages);
    pages.freeze()
}

/// One batch envelope: [`BATCH`] data sections, each an encoded event of [`EVENT_BYTES`].
fn envelope() -> Bytes {
    let event = encode(&Message::with_body(Bytes::from(vec![b'x'; EVENT_BYTES])));
    let mut batch = Message::default();
    for _ in 0..BATCH {
        batch.body_mut().data.push(event.clone());
    }
    encode(&batch)
}

async fn connect(address: &str) -> ntex_amqp::Session {
    let cfg: SharedCfg = SharedCfg::new("amqp-ratio")
        .add(
            ntex_amqp::AmqpServiceConfig::new()
                .set_max_frame_size(CLIENT_FRAME_BYTES)
                .set_max_size(2 * CLIENT_FRAME_BYTES as usize),
        )
        .into();
    let client = Pipeline::new(cfg, client::Connector::new())
        .call(client::Connect::new(address.to_owned()))
        .await
        .unwrap();
    let sink = client.sink();
    ntex_rt::spawn(client.start_default());
    sink.open_session().await.unwrap()
}

async fn open_sender(address: &str, i: usize) -> (ntex_amqp::Session, ntex_amqp::SenderLink) {
    let session = connect(address).await;
    let link = session
        .build_sender_link(
            format!("send-{i}"),
            format!("{HUB}/Partitions/{}", i % PARTITIONS),
        )
        .attach()
        .await
        .unwrap();
    (session, link)
}

/// `senders` connections sending batches to the partitions in turn for `secs`, each batch
/// counted once the server settled it `accepted` (durable); events/s, the events sent, and how
/// often a connection was re-opened (see BENCHMARKS.md: ntex-amqp's client side fails to
/// decode a frame after some hundred large transfers on one connection; the batch in flight
/// then is not counted).
async fn amqp_send(address: &str, senders: usize, secs: Duration) -> (f64, u64, u64) {
    let body = envelope();
    let sent = Rc::new(Cell::new(0u64));
    let reopened = Rc::new(Cell::new(0u64));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..senders {
        let (body, sent, reopened) = (body.clone(), sent.clone(), reopened.clone());
        let address = address.to_owned();
        tasks.push(ntex_rt::spawn(async move {
            'connection: while start.elapsed() < secs {
                let (session, link) = open_sender(&address, i).await;
                while start.elapsed() < secs {
                    let sending = link
                        .transfer(TransferBody::Data(body.clone()))
                        .format(FORMAT_BATCH)
                        .send()
                        .await;
                    let settled = match sending {
                        Ok(delivery) => delivery.wait().await,
                        Err(e) => Err(e),
                    };
                    match settled {
                        Ok(Some(DeliveryState::Accepted(_))) => {
                            sent.set(sent.get() + BATCH as u64);
                        }
                        Err(_) => {
                            reopened.set(reopened.get() + 1);
                            continue 'connection;
                        }
                        other => panic!("a batch was refused: {other:?}"),
                    }
                }
                drop(session);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    (sent.get() as f64 / elapsed, sent.get(), reopened.get())
}

/// One receiver per partition from the start until `total` events arrived; events/s.
async fn amqp_receive(address: &str, total: u64) -> f64 {
    let received = Rc::new(Cell::new(0u64));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for partition in 0..PARTITIONS {
        let session = connect(address).await;
        let link = session
            .build_receiver_link(
                format!("receive-{partition}"),
                format!("{HUB}/ConsumerGroups/$Default/Partitions/{partition}"),
            )
            .attach()
            .await
            .unwrap();
        link.set_link_credit(RECEIVE_CREDIT);
        let received = received.clone();
        tasks.push(ntex_rt::spawn(async move {
            let mut since_credit = 0;
            while received.get() < total {
                let next = tokio::time::timeout(Duration::from_secs(2), link.recv()).await;
                match next {
                    Ok(Some(Ok(_))) => {
                        received.set(received.get() + 1);
                        since_credit += 1;
                        if since_credit >= RECEIVE_CREDIT / 2 {
                            link.set_link_credit(RECEIVE_CREDIT);
                            since_credit = 0;
                        }
                    }
                    Ok(_) => panic!("receiver {partition} ended"),
                    Err(_) => {} // this partition is drained; the others finish the count
                }
            }
            drop(session);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    received.get() as f64 / start.elapsed().as_secs_f64()
}

/// The REST batch body: [`BATCH`] messages of [`EVENT_BYTES`].
fn rest_body() -> Vec<u8> {
    let item = format!(r#"{{"Body":"{}"}}"#, "x".repeat(EVENT_BYTES));
    format!("[{}]", vec![item; BATCH].join(",")).into_bytes()
}

/// `senders` keep-alive connections posting batches for `secs`; events/s.
fn rest_ingest(http: &str, senders: usize, secs: Duration) -> f64 {
    let body = rest_body();
    let start = Instant::now();
    let threads: Vec<_> = (0..senders)
        .map(|i| {
            let (http, body) = (http.to_owned(), body.clone());
            std::thread::spawn(move || {
                let stream = TcpStream::connect(&http).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let head = format!(
                    "POST /{HUB}/partitions/{}/messages HTTP/1.1\r\nHost: {http}\r\n\
                     Content-Type: application/vnd.microsoft.servicebus.json\r\n\
                     Content-Length: {}\r\n\r\n",
                    i % PARTITIONS,
                    body.len()
                );
                let (mut sent, mut reply) = (0u64, Vec::new());
                while start.elapsed() < secs {
                    writer.write_all(head.as_bytes()).unwrap();
                    writer.write_all(&body).unwrap();
                    let status = read_response(&mut reader, &mut reply);
                    assert_eq!(status, 201, "REST send refused");
                    sent += BATCH as u64;
                }
                sent
            })
        })
        .collect();
    let sent: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    sent as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let options = options();
    let dir = probe::scratch("AMQP_RATIO_DIR", "amqp-ratio", "run");
    println!(
        "amqp_ratio: {} s per phase, {} senders, batches of {BATCH} x {EVENT_BYTES} B, {PARTITIONS} partitions{}",
        options.secs.as_secs(),
        options.senders,
        if options.quick {
            " (--quick: a check, not a measurement)"
        } else {
            ""
        }
    );
    let raw = probe::raw_probe(&dir, BATCH, options.secs);
    println!("raw probe (100 x 1 KiB frames per fdatasync): {raw:>12.0} events/s");

    let amqp_dir = dir.join("amqp");
    std::fs::create_dir_all(&amqp_dir).unwrap();
    let server = start_server(&options.gridlog, &amqp_dir);
    let address = server.amqp.clone().expect("no AMQP listener");
    let (secs, senders) = (options.secs, options.senders);
    let (send, receive) =
        ntex_rt::System::new("amqp-ratio", ntex_net::DefaultRuntime).block_on(async move {
            let (send, total, reopened) = amqp_send(&address, senders, secs).await;
            println!(
                "AMQP: {total} events sent and acknowledged ({reopened} connections re-opened)"
            );
            let receive = amqp_receive(&address, total).await;
            (send, receive)
        });
    println!("AMQP send (durable, 0x80013700):              {send:>12.0} events/s");
    println!("AMQP receive (from the start):                {receive:>12.0} events/s");
    drop(server);

    let rest_dir = dir.join("rest");
    std::fs::create_dir_all(&rest_dir).unwrap();
    let server = start_server(&options.gridlog, &rest_dir);
    let rest = rest_ingest(&server.http, options.senders, options.secs);
    println!("REST ingest (batch form):                     {rest:>12.0} events/s");
    drop(server);

    println!("ratios:");
    println!("  AMQP send / raw probe     {:.2}", send / raw);
    println!("  AMQP send / REST ingest   {:.2}", send / rest);
    println!("  AMQP receive / raw probe  {:.2}", receive / raw);
    println!("  AMQP receive / AMQP send  {:.2}", receive / send);
    println!(
        "targets (2 cores): send >= 100,000 events/s: {}; receive >= 200,000 events/s: {}",
        if send >= 100_000.0 { "met" } else { "not met" },
        if receive >= 200_000.0 {
            "met"
        } else {
            "not met"
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}
