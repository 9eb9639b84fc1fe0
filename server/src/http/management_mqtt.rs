//! The management API of the MQTT broker's resources, beside topics (`management.rs`), in the
//! same ARM shape as the namespace configuration's members: `GET /_gridlog/{kind}` lists them
//! (`{"value":[…]}`), `GET /_gridlog/{kind}/{name}` gives one with every default spelled out,
//! `PUT` creates or replaces it (`{"properties":{…}}`; a `name` member must match the path),
//! `DELETE` removes it (`{}`). `{kind}` is `caCertificates`, `clients`, `clientGroups`,
//! `topicSpaces` or `permissionBindings` (any case). `GET`/`PUT /_gridlog/topicSpacesConfiguration` read and
//! replace the broker's settings (state, routing, enrichments, session limits) in the shape of
//! the configuration file's member. Every change is validated with the whole namespace, as the
//! configuration file is (a binding must name an existing group and space, a group in use
//! cannot be deleted, a CA certificate must be one CA, …), and is effective for the broker's
//! next CONNECT and PUBLISH (a CA certificate: for the chains checked from the next CONNECT); a
//! connected session keeps the grants it got at CONNECT. In memory: a restart applies the
//! configuration file. Same credentials as the rest of the management API (a SAS must be
//! scoped to the whole namespace).

use std::sync::Arc;

use bytes::Bytes;
use hyper::{Method, Request};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use gridlog::NamespaceConfig;

use super::error::ApiError;
use super::management::{admit, namespace_of, not_found, parse_namespace, resource_body, to_bytes};
use super::{Answer, App, blocking, ok_json};

/// The resource kinds, by their ARM member names.
const KINDS: [&str; 5] = [
    "caCertificates",
    "clients",
    "clientGroups",
    "topicSpaces",
    "permissionBindings",
];

/// The broker's settings member.
const SETTINGS: &str = "topicSpacesConfiguration";

/// The MQTT members of the namespace configuration, all of them (a change is validated with
/// the others).
const MEMBERS: [&str; 6] = [
    "topicSpacesConfiguration",
    "caCertificates",
    "clients",
    "clientGroups",
    "topicSpaces",
    "permissionBindings",
];

/// A management path of the MQTT resources.
pub(super) enum Target {
    /// Every resource of a kind.
    List(&'static str),
    /// One resource: kind, name.
    One(&'static str, String),
    /// `topicSpacesConfiguration`.
    Settings,
}

/// The target of `path`, if it names an MQTT resource kind.
pub(super) fn parse(path: &str) -> Option<Target> {
    let rest = path.strip_prefix("/_gridlog/")?.trim_end_matches('/');
    if rest.eq_ignore_ascii_case(SETTINGS) {
        return Some(Target::Settings);
    }
    let (kind, name) = match rest.split_once('/') {
        Some((kind, name)) => (kind, Some(name)),
        None => (rest, None),
    };
    let kind = KINDS.into_iter().find(|k| k.eq_ignore_ascii_case(kind))?;
    match name {
        None => Some(Target::List(kind)),
        Some(name) => {
            let name = percent_decode_str(name).decode_utf8().ok()?;
            (!name.is_empty() && !name.contains('/')).then(|| Target::One(kind, name.into_owned()))
        }
    }
}

/// Whether `entry` is the resource `name` of `kind` (client names are case-sensitive, the
/// others are not).
fn named(kind: &str, entry: &Value, name: &str) -> bool {
    entry.get("name").and_then(Value::as_str).is_some_and(|n| {
        if kind == "clients" {
            n == name
        } else {
            n.eq_ignore_ascii_case(name)
        }
    })
}

/// The namespace's topics and MQTT resources as ARM JSON.
fn current(backend: &dyn crate::backend::DataPlane) -> Result<Map<String, Value>, ApiError> {
    let mqtt = backend
        .mqtt_config()
        .ok_or_else(|| not_found("the MQTT resources of this store"))?;
    let config = NamespaceConfig {
        mqtt,
        ..namespace_of(backend.topics())
    };
    match config.to_json() {
        Value::Object(object) => Ok(object),
        _ => Ok(Map::new()),
    }
}

/// `kind`'s entries in `document` (none when absent).
fn entries(document: &Map<String, Value>, kind: &str) -> Vec<Value> {
    document
        .get(kind)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Validates `document` (topics and MQTT members) with the namespace and makes its MQTT
/// resources the live ones.
async fn commit(
    backend: Arc<dyn crate::backend::DataPlane>,
    document: Map<String, Value>,
) -> Result<NamespaceConfig, ApiError> {
    let mut json = Map::new();
    for member in MEMBERS.iter().chain(&["topics", "throughputUnits"]) {
        if let Some(value) = document.get(*member) {
            json.insert((*member).to_owned(), value.clone());
        }
    }
    let config = parse_namespace(&Value::Object(json))?;
    let mqtt = config.mqtt.clone();
    blocking(move || backend.set_mqtt_config(mqtt)).await?;
    Ok(config)
}

fn one(document: &Map<String, Value>, kind: &str, name: &str) -> Option<Value> {
    entries(document, kind)
        .into_iter()
        .find(|entry| named(kind, entry, name))
}

/// Answers a request for `target`.
pub(super) async fn handle<B>(app: &Arc<App>, request: Request<B>, target: Target) -> Answer
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let method = request.method().clone();
    let allow = match target {
        Target::List(_) => "GET",
        Target::Settings => "GET, PUT",
        Target::One(..) => "GET, PUT, DELETE",
    };
    let body = admit(app, request, allow).await?;
    let backend = app.backend.clone();
    let mut document = current(&*backend)?;
    match (target, method) {
        (Target::Settings, Method::PUT) => {
            let settings: Value =
                serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest {
                    code: "InvalidRequestBody",
                    message: format!("the body is not JSON: {e}"),
                })?;
            if !settings.is_object() {
                return Err(ApiError::BadRequest {
                    code: "InvalidRequestBody",
                    message: "the body must be a JSON object".to_owned(),
                });
            }
            document.insert(SETTINGS.to_owned(), settings);
            commit(backend.clone(), document).await?;
            let document = current(&*backend)?;
            ok_json(to_bytes(document.get(SETTINGS).unwrap_or(&Value::Null)))
        }
        (Target::Settings, _) => ok_json(to_bytes(document.get(SETTINGS).unwrap_or(&Value::Null))),
        (Target::List(kind), _) => {
            let value = entries(&document, kind);
            ok_json(to_bytes(&serde_json::json!({ "value": value })))
        }
        (Target::One(kind, name), Method::GET) => {
            let entry = one(&document, kind, &name)
                .ok_or_else(|| not_found(&format!("{kind} '{name}'")))?;
            ok_json(to_bytes(&entry))
        }
        (Target::One(kind, name), Method::PUT) => {
            let body = resource_body(&body, &name)?;
            let mut list = entries(&document, kind);
            list.retain(|entry| !named(kind, entry, &name));
            list.push(Value::Object(body));
            document.insert(kind.to_owned(), Value::Array(list));
            commit(backend.clone(), document).await?;
            let document = current(&*backend)?;
            let entry = one(&document, kind, &name)
                .ok_or_else(|| not_found(&format!("{kind} '{name}'")))?;
            ok_json(to_bytes(&entry))
        }
        (Target::One(kind, name), _) => {
            let mut list = entries(&document, kind);
            let before = list.len();
            list.retain(|entry| !named(kind, entry, &name));
            if list.len() == before {
                return Err(not_found(&format!("{kind} '{name}'")));
            }
            document.insert(kind.to_owned(), Value::Array(list));
            commit(backend, document).await?;
            ok_json(b"{}".to_vec())
        }
    }
}
