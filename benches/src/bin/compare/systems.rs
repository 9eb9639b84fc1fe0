//! The worker side: one function per system, each running the three phases of a [`Spec`].

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt as _;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use gridlog_server::client::{self, Connection, Url};
use hyper::Method;

use crate::spec::{Outcome, Phase, Spec, System, peak_rss_kib, pool, run_phase};

/// The topic and subscription every system uses.
pub const TOPIC: &str = "bench";
/// See [`TOPIC`].
pub const SUBSCRIPTION: &str = "all";
/// The namespace configuration of the gridlog runs (embedded and served).
pub const NAMESPACE_CONFIG: &str =
    r#"{"topics":[{"name":"bench","eventSubscriptions":[{"name":"all"}]}]}"#;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs the spec's system in this process.
pub fn run(spec: &Spec) -> Result<Outcome, String> {
    let mut outcome = match spec.system {
        System::Physical => physical(spec),
        System::Embedded => embedded(spec),
        System::Http => http(spec),
        System::Nats => nats(spec),
        System::Sqlite => sqlite(spec),
    }?;
    outcome.worker_rss_kib = peak_rss_kib("self");
    Ok(outcome)
}

fn unbatched_phase(
    spec: &Spec,
    step: impl FnMut(u64, usize) -> Result<usize, String>,
) -> Result<Option<Phase>, String> {
    if spec.unbatched == 0 {
        return Ok(None);
    }
    run_phase(spec.unbatched, 1, spec.size, spec.phase_secs, step).map(Some)
}

// ---- physical limit ------------------------------------------------------------------------

/// A zero-filled file of `len` bytes, synced, as a WAL prepares its segments.
fn preallocated(path: &Path, len: u64) -> Result<File, String> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(err)?;
    let zeros = vec![0_u8; 1 << 20];
    let mut offset = 0;
    while offset < len {
        let n = usize::try_from((len - offset).min(1 << 20)).map_err(err)?;
        file.write_all_at(&zeros[..n], offset).map_err(err)?;
        offset += n as u64;
    }
    file.sync_all().map_err(err)?;
    Ok(file)
}

/// Bytes of one lock or acknowledgement record per event in the physical consume probe.
const SETTLE_RECORD: usize = 16;

/// Raw file I/O with the same granularity: publish = one write of the batch + `fdatasync`;
/// consume = read the batch, then a lock record write + `fdatasync` and an acknowledgement record
/// write + `fdatasync` (the two durable steps any queue needs); unbatched = one event + `fdatasync`.
fn physical(spec: &Spec) -> Result<Outcome, String> {
    let size = spec.size;
    let pool = pool(size, spec.batch);
    let data_len = (spec.events + spec.unbatched) * size as u64;
    let data = preallocated(&spec.dir.join("data"), data_len)?;
    let settle_len: u64 = 4 << 20;
    let settle = preallocated(&spec.dir.join("settle"), settle_len)?;
    let mut buf = Vec::with_capacity(spec.batch * size);
    let publish = run_phase(
        spec.events,
        spec.batch,
        size,
        spec.phase_secs,
        |done, want| {
            buf.clear();
            for i in 0..want {
                buf.extend_from_slice(&pool[(done as usize + i) % pool.len()]);
            }
            data.write_all_at(&buf, done * size as u64).map_err(err)?;
            data.sync_data().map_err(err)?;
            Ok(want)
        },
    )?;
    let mut read = vec![0_u8; spec.batch * size];
    let records = vec![0xA5_u8; spec.batch * SETTLE_RECORD];
    let mut settle_at = 0_u64;
    let consume = run_phase(
        publish.events,
        spec.batch,
        size,
        spec.phase_secs,
        |done, want| {
            data.read_exact_at(&mut read[..want * size], done * size as u64)
                .map_err(err)?;
            for _ in 0..2 {
                let record = &records[..want * SETTLE_RECORD];
                if settle_at + record.len() as u64 > settle_len {
                    settle_at = 0;
                }
                settle.write_all_at(record, settle_at).map_err(err)?;
                settle_at += record.len() as u64;
                settle.sync_data().map_err(err)?;
            }
            Ok(want)
        },
    )?;
    let unbatched = unbatched_phase(spec, |done, _| {
        let offset = (spec.events + done) * size as u64;
        data.write_all_at(&pool[done as usize % pool.len()], offset)
            .map_err(err)?;
        data.sync_data().map_err(err)?;
        Ok(1)
    })?;
    let seq_read = if spec.seq_read {
        Some(cold_read(&data, data_len, size)?)
    } else {
        None
    };
    Ok(Outcome {
        publish,
        consume,
        unbatched,
        seq_read,
        version: "ext4 file: pwrite + fdatasync, preallocated".to_owned(),
        ..Outcome::default()
    })
}

/// Sequential read of the whole file after evicting it from the page cache
/// (`posix_fadvise(DONTNEED)`; the host may still cache it), 1 MiB page-aligned reads.
fn cold_read(file: &File, len: u64, size: usize) -> Result<Phase, String> {
    const CHUNK: usize = 1 << 20;
    file.sync_all().map_err(err)?;
    rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed).map_err(err)?;
    let mut raw = vec![0_u8; CHUNK + 4096];
    let start = raw.as_ptr().align_offset(4096);
    let buf = &mut raw[start..start + CHUNK];
    let started = Instant::now();
    let mut offset = 0_u64;
    let mut checksum = 0_u8;
    while offset < len {
        let n = usize::try_from((len - offset).min(CHUNK as u64)).map_err(err)?;
        file.read_exact_at(&mut buf[..n], offset).map_err(err)?;
        checksum ^= buf[n - 1];
        offset += n as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    Ok(Phase {
        events: len / size as u64,
        bytes: len,
        secs,
        capped: false,
    })
}

// ---- gridlog embedded ----------------------------------------------------------------------

/// The engine crate in this process, default options (durability `Always`), with the
/// maintenance thread `gridlog serve` runs. The events are parsed and validated once, outside
/// the timed loops (the engine takes parsed events; the HTTP run includes parsing).
fn embedded(spec: &Spec) -> Result<Outcome, String> {
    use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
    let ns = Namespace::open(
        &spec.dir,
        NamespaceOptions {
            maintenance_interval: Some(Duration::from_secs(1)),
            ..NamespaceOptions::default()
        },
    )
    .map_err(err)?;
    ns.apply_config(&NamespaceConfig::from_json_str(NAMESPACE_CONFIG).map_err(err)?)
        .map_err(err)?;
    let ct = [(
        "content-type",
        &b"application/cloudevents-batch+json; charset=utf-8"[..],
    )];
    let mut events = Vec::new();
    for chunk in pool(spec.size, spec.batch).chunks(spec.batch) {
        events.extend(gridlog::format::parse_request(ct, &batch_body(chunk)).map_err(err)?);
    }
    let slice = |done: u64, want: usize| {
        let start = done as usize % events.len();
        &events[start..(start + want).min(events.len())]
    };
    let publish = run_phase(
        spec.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |done, want| Ok(ns.publish(TOPIC, slice(done, want)).map_err(err)?.events),
    )?;
    let consume = run_phase(
        publish.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |_, want| {
            let max = u32::try_from(want).map_err(err)?;
            let got = ns
                .receive(TOPIC, SUBSCRIPTION, max, Duration::ZERO)
                .map_err(err)?;
            let bytes: usize = got.iter().map(|r| r.json().len()).sum();
            std::hint::black_box(bytes);
            let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
            if tokens.is_empty() {
                return Ok(0);
            }
            let outcome = ns.acknowledge(TOPIC, SUBSCRIPTION, &tokens).map_err(err)?;
            if !outcome.failed.is_empty() {
                return Err(format!("{} acknowledgements failed", outcome.failed.len()));
            }
            Ok(got.len())
        },
    )?;
    let unbatched = unbatched_phase(spec, |done, _| {
        Ok(ns.publish(TOPIC, slice(done, 1)).map_err(err)?.events)
    })?;
    ns.close().map_err(err)?;
    Ok(Outcome {
        publish,
        consume,
        unbatched,
        version: format!("gridlog {}", env!("CARGO_PKG_VERSION")),
        ..Outcome::default()
    })
}

/// `[e1,e2,...]`: a CloudEvents batch body.
fn batch_body(events: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.iter().map(Vec::len).sum::<usize>() + events.len() + 1);
    out.push(b'[');
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(event);
    }
    out.push(b']');
    out
}

// ---- gridlog over HTTP -----------------------------------------------------------------------

/// One kept-alive connection to the served gridlog (`gridlog_server::client`, the client the
/// CLI, `gridlog bench` and push delivery use).
struct HttpClient {
    connection: Connection,
    url: Url,
    auth: String,
}

impl HttpClient {
    async fn connect(addr: &str, key: &str) -> Result<Self, String> {
        let url = Url::parse(&format!("http://{addr}/")).map_err(err)?;
        let client = gridlog_server::client::HttpClient::for_url(&url, None).map_err(err)?;
        let connection = client.connect(&url).await.map_err(err)?;
        Ok(Self {
            connection,
            url,
            auth: format!("SharedAccessKey {key}"),
        })
    }

    async fn post(&mut self, path: &str, ct: Option<&str>, body: Bytes) -> Result<Bytes, String> {
        let mut headers = vec![("authorization", self.auth.as_str())];
        if let Some(ct) = ct {
            headers.push(("content-type", ct));
        }
        let request =
            client::request(&self.url, &Method::POST, path, &headers, body).map_err(err)?;
        let answer = self.connection.send(request).await.map_err(err)?;
        if answer.status != 200 {
            return Err(format!(
                "POST {path}: {}: {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ));
        }
        Ok(answer.body)
    }
}

/// `gridlog serve` on loopback (started by the driver), one HTTP/1.1 connection, one request
/// at a time: publish in batch mode, receive with `maxEvents`, acknowledge the tokens.
fn http(spec: &Spec) -> Result<Outcome, String> {
    const BATCH_CT: &str = "application/cloudevents-batch+json; charset=utf-8";
    let publish_path = format!("/topics/{TOPIC}:publish?api-version=2024-06-01");
    let ack_path = format!(
        "/topics/{TOPIC}/eventsubscriptions/{SUBSCRIPTION}:acknowledge?api-version=2024-06-01"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(err)?;
    let addr = spec.addr.clone().ok_or("no server address")?;
    let mut client = runtime.block_on(HttpClient::connect(&addr, &spec.key))?;
    let pool = pool(spec.size, spec.batch);
    let bodies: Vec<Bytes> = pool
        .chunks(spec.batch)
        .map(|chunk| Bytes::from(batch_body(chunk)))
        .collect();
    let body_for = |done: u64, want: usize| {
        if want == spec.batch {
            bodies[(done as usize / spec.batch) % bodies.len()].clone()
        } else {
            let start = done as usize % pool.len();
            Bytes::from(batch_body(&pool[start..(start + want).min(pool.len())]))
        }
    };
    let publish = run_phase(
        spec.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |done, want| {
            runtime.block_on(client.post(&publish_path, Some(BATCH_CT), body_for(done, want)))?;
            Ok(want)
        },
    )?;
    let consume = run_phase(
        publish.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |_, want| {
            let receive_path = format!(
                "/topics/{TOPIC}/eventsubscriptions/{SUBSCRIPTION}:receive?api-version=2024-06-01&maxEvents={want}&maxWaitTime=10"
            );
            runtime.block_on(async {
                let body = client.post(&receive_path, None, Bytes::new()).await?;
                let text = std::str::from_utf8(&body).map_err(err)?;
                // A cheap client: the tokens without parsing the events.
                let tokens: Vec<&str> = text
                    .split("\"lockToken\":\"")
                    .skip(1)
                    .filter_map(|rest| rest.find('"').map(|end| &rest[..end]))
                    .collect();
                if tokens.is_empty() {
                    return Ok(0);
                }
                let ack = serde_json::json!({ "lockTokens": tokens }).to_string();
                let answer = client
                    .post(&ack_path, Some("application/json"), Bytes::from(ack))
                    .await?;
                if !answer.starts_with(b"{\"failedLockTokens\":[]") {
                    return Err(format!(
                        "acknowledge failed: {}",
                        String::from_utf8_lossy(&answer)
                    ));
                }
                Ok::<usize, String>(tokens.len())
            })
        },
    )?;
    let unbatched = unbatched_phase(spec, |done, _| {
        runtime.block_on(client.post(&publish_path, Some(BATCH_CT), body_for(done, 1)))?;
        Ok(1)
    })?;
    Ok(Outcome {
        publish,
        consume,
        unbatched,
        version: format!(
            "gridlog serve {} (client: gridlog_server::client, HTTP/1.1, one connection)",
            env!("CARGO_PKG_VERSION")
        ),
        ..Outcome::default()
    })
}

// ---- NATS JetStream --------------------------------------------------------------------------

/// NATS JetStream (server started by the driver with `sync_interval: always`), Rust client
/// `async-nats`: a work-queue stream on file storage; publish = `batch` async publishes, then
/// wait for all their acks (a window of `batch`); consume = durable pull consumer with explicit
/// ack: fetch `batch`, ack each (`+ACK`), flush; unbatched = publish and wait for the ack.
#[expect(clippy::too_many_lines, reason = "setup and three phases, in order")]
fn nats(spec: &Spec) -> Result<Outcome, String> {
    use async_nats::jetstream::{self, consumer, stream};
    use futures_util::StreamExt as _;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(err)?;
    // async-nats spawns its tasks (connection, acker) on the current runtime.
    let _entered = runtime.enter();
    let addr = spec.addr.clone().ok_or("no server address")?;
    let client = runtime
        .block_on(async_nats::connect(addr.as_str()))
        .map_err(err)?;
    let server_version = client.server_info().version;
    let mut js = jetstream::new(client.clone());
    js.set_timeout(Duration::from_secs(30));
    let config = stream::Config {
        name: TOPIC.to_owned(),
        subjects: vec![TOPIC.to_owned()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::WorkQueue,
        ..stream::Config::default()
    };
    // JetStream may still be starting right after the port opens.
    let deadline = Instant::now() + Duration::from_secs(15);
    let stream = loop {
        match runtime.block_on(js.create_stream(config.clone())) {
            Ok(stream) => break stream,
            Err(e) if Instant::now() < deadline => {
                eprintln!("compare: nats: create stream: {e}; retrying");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(format!("create stream: {e}")),
        }
    };
    let consumer: consumer::PullConsumer = runtime
        .block_on(stream.create_consumer(consumer::pull::Config {
            durable_name: Some(SUBSCRIPTION.to_owned()),
            ack_policy: consumer::AckPolicy::Explicit,
            ..consumer::pull::Config::default()
        }))
        .map_err(err)?;
    let payloads: Vec<Bytes> = pool(spec.size, spec.batch)
        .into_iter()
        .map(Bytes::from)
        .collect();
    let payload = |n: u64| payloads[n as usize % payloads.len()].clone();
    let publish = run_phase(
        spec.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |done, want| {
            runtime.block_on(async {
                let mut acks = Vec::with_capacity(want);
                for i in 0..want {
                    acks.push(
                        js.publish(TOPIC, payload(done + i as u64))
                            .await
                            .map_err(err)?,
                    );
                }
                for ack in acks {
                    ack.await.map_err(err)?;
                }
                Ok::<usize, String>(want)
            })
        },
    )?;
    let consume = run_phase(
        publish.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |_, want| {
            runtime.block_on(async {
                let mut messages = consumer
                    .fetch()
                    .max_messages(want)
                    .messages()
                    .await
                    .map_err(err)?;
                let mut got = 0;
                while let Some(message) = messages.next().await {
                    let message = message.map_err(err)?;
                    std::hint::black_box(message.payload.len());
                    message.ack().await.map_err(err)?;
                    got += 1;
                }
                client.flush().await.map_err(err)?;
                Ok::<usize, String>(got)
            })
        },
    )?;
    let unbatched = unbatched_phase(spec, |done, _| {
        runtime.block_on(async {
            js.publish(TOPIC, payload(done))
                .await
                .map_err(err)?
                .await
                .map_err(err)?;
            Ok::<usize, String>(1)
        })
    })?;
    Ok(Outcome {
        publish,
        consume,
        unbatched,
        version: format!("nats-server {server_version}, async-nats 0.51 (Rust client)"),
        ..Outcome::default()
    })
}

// ---- SQLite ----------------------------------------------------------------------------------

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// SQLite as a queue (bundled SQLite via rusqlite): WAL mode, `synchronous=FULL`.
/// Publish = one transaction of `batch` inserts; consume = a transaction that selects `batch`
/// available rows and marks them locked (lock deadline + delivery count), then a transaction
/// that deletes them; unbatched = one autocommit insert.
#[expect(clippy::too_many_lines, reason = "setup and three phases, in order")]
fn sqlite(spec: &Spec) -> Result<Outcome, String> {
    use rusqlite::{Connection, TransactionBehavior, params};
    let mut conn = Connection::open(spec.dir.join("queue.db")).map_err(err)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(err)?;
    if mode != "wal" {
        return Err(format!("journal_mode is {mode}, not wal"));
    }
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         CREATE TABLE queue(
             id INTEGER PRIMARY KEY,
             body BLOB NOT NULL,
             locked_until INTEGER NOT NULL DEFAULT 0,
             deliveries INTEGER NOT NULL DEFAULT 0);",
    )
    .map_err(err)?;
    let pool = pool(spec.size, spec.batch);
    let body = |n: u64| &pool[n as usize % pool.len()];
    let publish = run_phase(
        spec.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |done, want| {
            let tx = conn.transaction().map_err(err)?;
            {
                let mut insert = tx
                    .prepare_cached("INSERT INTO queue(body) VALUES (?1)")
                    .map_err(err)?;
                for i in 0..want as u64 {
                    insert.execute(params![body(done + i)]).map_err(err)?;
                }
            }
            tx.commit().map_err(err)?;
            Ok(want)
        },
    )?;
    let consume = run_phase(
        publish.events,
        spec.batch,
        spec.size,
        spec.phase_secs,
        |_, want| {
            let now = unix_ms();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            let mut ids = Vec::with_capacity(want);
            {
                let mut select = tx
                    .prepare_cached(
                        "SELECT id, body FROM queue WHERE locked_until <= ?1 ORDER BY id LIMIT ?2",
                    )
                    .map_err(err)?;
                let mut rows = select
                    .query(params![now, i64::try_from(want).map_err(err)?])
                    .map_err(err)?;
                while let Some(row) = rows.next().map_err(err)? {
                    let id: i64 = row.get(0).map_err(err)?;
                    let payload: Vec<u8> = row.get(1).map_err(err)?;
                    std::hint::black_box(payload.len());
                    ids.push(id);
                }
                let mut lock = tx
                    .prepare_cached(
                        "UPDATE queue SET locked_until = ?1, deliveries = deliveries + 1 WHERE id = ?2",
                    )
                    .map_err(err)?;
                for id in &ids {
                    lock.execute(params![now + 60_000, id]).map_err(err)?;
                }
            }
            tx.commit().map_err(err)?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            {
                let mut delete = tx
                    .prepare_cached("DELETE FROM queue WHERE id = ?1")
                    .map_err(err)?;
                for id in &ids {
                    delete.execute(params![id]).map_err(err)?;
                }
            }
            tx.commit().map_err(err)?;
            Ok(ids.len())
        },
    )?;
    let unbatched = unbatched_phase(spec, |done, _| {
        conn.prepare_cached("INSERT INTO queue(body) VALUES (?1)")
            .map_err(err)?
            .execute(params![body(done)])
            .map_err(err)?;
        Ok(1)
    })?;
    Ok(Outcome {
        publish,
        consume,
        unbatched,
        version: format!("SQLite {} (rusqlite, bundled)", rusqlite::version()),
        ..Outcome::default()
    })
}
