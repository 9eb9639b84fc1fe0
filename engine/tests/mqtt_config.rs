//! The MQTT broker's resources in the namespace configuration: parsing with defaults, the
//! service's validation rules (each error at its field path), client-group queries, topic
//! templates and their substitution, permission grants, and the ARM round trip.

use gridlog::config::ConfigErrorKind;
use gridlog::{
    ClientAttribute, ClientGroupQuery, DynamicValue, FilterSegment, MqttClient, NamespaceConfig,
    Permission, ResourceState, TopicTemplate, ValidationScheme,
};
use serde_json::{Value, json};

const ROUTE: &str = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/plant7/topics/telemetry";

fn base() -> Value {
    json!({
        "topics": [{"name": "telemetry"}],
        "topicSpacesConfiguration": {"state": "Enabled", "routeTopicResourceId": ROUTE,
            "routingEnrichments": {
                "static": [{"key": "site", "valueType": "String", "value": "plant7"}],
                "dynamic": [{"key": "clientname", "value": "${client.authenticationName}"},
                            {"key": "shift", "value": "${mqtt.message.userProperties['shi\\'ft']}"}]}},
        "clients": [
            {"name": "press4", "properties": {"authenticationName": "Press4",
                "attributes": {"type": "press", "floor": 3, "rooms": ["345", "346"], "ok": true},
                "clientCertificateAuthentication": {"validationScheme": "ThumbprintMatch",
                    "allowedThumbprints": ["ab12"]}}},
            {"name": "dev:1", "properties": {"state": "Disabled"}}
        ],
        "clientGroups": [{"name": "presses", "properties": {"query": "attributes.type IN ['press'] and attributes.floor <= 5"}}],
        "topicSpaces": [{"name": "machines", "properties": {"topicTemplates": [
            "machines/${client.authenticationName}/#", "rooms/${client.attributes.rooms}/+"]}}],
        "permissionBindings": [
            {"name": "presses-pub", "properties": {"clientGroupName": "presses", "topicSpaceName": "machines", "permission": "Publisher"}},
            {"name": "all-sub", "properties": {"clientGroupName": "$all", "topicSpaceName": "machines", "permission": "Subscriber"}}
        ]
    })
}

fn parse(config: &Value) -> NamespaceConfig {
    NamespaceConfig::from_json_str(&config.to_string())
        .unwrap_or_else(|error| panic!("{config}: {error}"))
}

fn error(config: &Value) -> (String, ConfigErrorKind) {
    match NamespaceConfig::from_json_str(&config.to_string()) {
        Ok(parsed) => panic!("accepted {config}: {parsed:?}"),
        Err(error) => (error.path, error.kind),
    }
}

fn with(pointer: &str, value: Value) -> Value {
    let mut config = base();
    let (parent, key) = pointer
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("{pointer} is not a pointer"));
    match config.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_owned(), value);
        }
        Some(Value::Array(items)) => {
            let index: usize = key
                .parse()
                .unwrap_or_else(|_| panic!("{key} is not an index"));
            items[index] = value;
        }
        _ => panic!("no {parent}"),
    }
    config
}

#[test]
fn the_resources_parse_with_defaults() {
    let config = parse(&base());
    let mqtt = &config.mqtt;
    let tsc = &mqtt.topic_spaces_configuration;
    assert_eq!(tsc.state, ResourceState::Enabled);
    let route = tsc.route_topic.as_ref().expect("route");
    assert_eq!(
        (route.namespace.as_str(), route.topic.as_str()),
        ("plant7", "telemetry")
    );
    assert_eq!(tsc.maximum_session_expiry_in_hours, 1);
    assert_eq!(tsc.maximum_client_sessions_per_authentication_name, 1);
    assert_eq!(
        tsc.routing_enrichments.dynamic_values[1],
        (
            "shift".to_owned(),
            DynamicValue::UserProperty("shi'ft".to_owned())
        )
    );
    let press = &mqtt.clients[0];
    assert_eq!(press.authentication_name, "Press4");
    assert_eq!(press.attributes["floor"], ClientAttribute::Integer(3));
    assert_eq!(
        press.certificate.validation_scheme,
        ValidationScheme::ThumbprintMatch
    );
    let dev = &mqtt.clients[1];
    assert_eq!(dev.authentication_name, "dev:1", "defaults to the name");
    assert_eq!(dev.state, ResourceState::Disabled);
    assert_eq!(
        dev.certificate.validation_scheme,
        ValidationScheme::SubjectMatchesAuthenticationName
    );
    assert!(
        mqtt.client_by_authentication_name("PRESS4").is_some(),
        "case-insensitive lookup"
    );
}

#[test]
fn the_broker_is_disabled_by_default() {
    let config = parse(&json!({"topics": []}));
    assert_eq!(
        config.mqtt.topic_spaces_configuration.state,
        ResourceState::Disabled
    );
    assert!(config.mqtt.clients.is_empty());
}

#[test]
fn the_arm_round_trip_keeps_everything() {
    let config = parse(&base());
    let again = parse(&config.to_json());
    assert_eq!(config, again);
}

#[test]
fn grants_follow_groups_bindings_and_substitution() {
    let config = parse(&base());
    let press = &config.mqtt.clients[0];
    let publish = config.mqtt.grants(press, Permission::Publisher);
    let literal = |text: &str| FilterSegment::Literal(text.to_owned());
    assert!(publish.contains(&vec![
        literal("machines"),
        literal("Press4"),
        FilterSegment::MultiLevel
    ]));
    assert!(publish.contains(&vec![
        literal("rooms"),
        literal("345"),
        FilterSegment::SingleLevel
    ]));
    assert!(publish.contains(&vec![
        literal("rooms"),
        literal("346"),
        FilterSegment::SingleLevel
    ]));
    assert_eq!(publish.len(), 3);
    let dev = &config.mqtt.clients[1];
    assert!(
        config.mqtt.grants(dev, Permission::Publisher).is_empty(),
        "not in 'presses'"
    );
    let subscribe = config.mqtt.grants(dev, Permission::Subscriber);
    assert_eq!(
        subscribe,
        vec![vec![
            literal("machines"),
            literal("dev:1"),
            FilterSegment::MultiLevel
        ]],
        "$all; the rooms template names an attribute dev:1 lacks, so it grants nothing"
    );
}

#[test]
fn substituted_values_stay_literal() {
    let template = TopicTemplate::parse("a/${client.authenticationName}.x/b").expect("parses");
    let mut client = MqttClient::new("c");
    client.authentication_name = "+#".to_owned();
    assert_eq!(
        template.substitute(&client),
        vec![vec![
            FilterSegment::Literal("a".to_owned()),
            FilterSegment::Literal("+#.x".to_owned()),
            FilterSegment::Literal("b".to_owned()),
        ]]
    );
}

#[test]
fn templates_break_rules_with_reasons() {
    for bad in [
        "",
        "$sys/x",
        "a/#/b",
        "a+/b",
        "a/${principal.name}",
        "a/${client.attributes.}",
        "a/${client.authenticationName",
        "1/2/3/4/5/6/7/8/9",
    ] {
        assert!(TopicTemplate::parse(bad).is_err(), "{bad:?} accepted");
    }
    let long = "a".repeat(257);
    assert!(TopicTemplate::parse(&long).is_err());
    let (path, kind) = error(&with(
        "/topicSpaces/0/properties/topicTemplates/1",
        json!("x/#/y"),
    ));
    assert_eq!(path, "topicSpaces[0].properties.topicTemplates[1]");
    assert!(
        matches!(kind, ConfigErrorKind::InvalidTopicTemplate { .. }),
        "{kind:?}"
    );
}

fn client(attributes: &Value) -> MqttClient {
    let config =
        parse(&json!({"clients": [{"name": "Dev-7", "properties": {"attributes": attributes}}]}));
    config.mqtt.clients[0].clone()
}

#[test]
fn queries_evaluate_as_documented() {
    let sensor = client(&json!({"type": "sensor", "floor": 3, "sensors": ["motion", "noise"]}));
    let cases = [
        ("attributes.type = 'sensor'", true),
        ("attributes.type = \"sensor\"", true),
        ("attributes.type <> 'sensor'", false),
        ("attributes.type != 'press'", true),
        ("attributes.floor <= 5 AND attributes.floor > 2", true),
        ("attributes.floor < 3", false),
        ("attributes.floor >= 3", true),
        ("attributes.floor = 3", true),
        ("attributes.floor = '3'", false),
        ("attributes.sensors = 'motion'", true),
        ("attributes.sensors != 'motion'", false),
        ("attributes.sensors IN ['humidity', 'noise']", true),
        ("attributes.missing = 'x'", false),
        ("attributes.missing != 'x'", false),
        ("authenticationName IN ['client1', 'dev-7']", true),
        ("authenticationName = 'DEV-7'", true),
        (
            "(attributes.sensors = \"light\" or attributes.sensors = \"humidity\") or attributes.type = \"sensor\"",
            true,
        ),
        (
            "attributes.type = 'press' or attributes.floor = 3 and attributes.type = 'x'",
            false,
        ),
        (
            "attributes.type = 'sensor' or attributes.floor = 3 and attributes.type = 'x'",
            true,
        ),
        ("attributes.floor in [1, 2, 3]", true),
        ("attributes.floor <= -1", false),
    ];
    for (text, expected) in cases {
        let query = ClientGroupQuery::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(query.matches(&sensor), expected, "{text}");
    }
}

#[test]
fn queries_that_do_not_parse_say_where() {
    for (text, at) in [
        ("attributes.type =", 17),
        ("attributes.type = 'x", 18),
        ("attributes.floor < 'x'", 22),
        ("type = 'x'", 0),
        ("attributes.type == 'x'", 17),
        ("attributes.type = 'x' xor", 22),
        ("(attributes.type = 'x'", 22),
        ("attributes.type IN 'x'", 19),
    ] {
        let error = ClientGroupQuery::parse(text).expect_err(text);
        assert_eq!(error.at, at, "{text}: {}", error.reason);
    }
    let deep = format!("{}attributes.a = 1{}", "(".repeat(20), ")".repeat(20));
    assert!(ClientGroupQuery::parse(&deep).is_err());
    let (path, kind) = error(&with(
        "/clientGroups/0/properties/query",
        json!("attributes.x ~ 1"),
    ));
    assert_eq!(path, "clientGroups[0].properties.query");
    assert!(
        matches!(kind, ConfigErrorKind::InvalidQuery { at: 13, .. }),
        "{kind:?}"
    );
}

#[test]
fn validation_of_clients_names_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (
            with("/clients/0/name", json!("bad name")),
            "clients[0].name",
        ),
        (with("/clients/1/name", json!("press4")), "clients[1].name"),
        (
            with("/clients/1/properties/authenticationName", json!("PRESS4")),
            "clients[1].properties.authenticationName",
        ),
        (
            with(
                "/clients/0/properties/clientCertificateAuthentication/allowedThumbprints",
                json!([]),
            ),
            "clients[0].properties.clientCertificateAuthentication.allowedThumbprints",
        ),
        (
            with(
                "/clients/0/properties/clientCertificateAuthentication/allowedThumbprints",
                json!(["a1", "b2", "c3"]),
            ),
            "clients[0].properties.clientCertificateAuthentication.allowedThumbprints",
        ),
        (
            with(
                "/clients/0/properties/clientCertificateAuthentication/validationScheme",
                json!("DnsMatchesAuthenticationName"),
            ),
            "clients[0].properties.clientCertificateAuthentication.allowedThumbprints",
        ),
        (
            with(
                "/clients/0/properties/clientCertificateAuthentication/validationScheme",
                json!("Nope"),
            ),
            "clients[0].properties.clientCertificateAuthentication.validationScheme",
        ),
        (
            with("/clients/0/properties/attributes/bad-key", json!("x")),
            "clients[0].properties.attributes.bad-key",
        ),
        (
            with("/clients/0/properties/attributes/f", json!(1.5)),
            "clients[0].properties.attributes.f",
        ),
        (
            with(
                "/clients/0/properties/attributes/big",
                json!("x".repeat(4100)),
            ),
            "clients[0].properties.attributes",
        ),
        (
            with("/clients/1/properties/state", json!("Off")),
            "clients[1].properties.state",
        ),
    ];
    expect_paths(cases);
}

#[test]
fn validation_of_groups_spaces_and_bindings_names_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (
            with("/clientGroups/0/name", json!("$all")),
            "clientGroups[0].name",
        ),
        (
            with("/topicSpaces/0/properties/topicTemplates", json!([])),
            "topicSpaces[0].properties.topicTemplates",
        ),
        (
            with(
                "/topicSpaces/0/properties/topicTemplates",
                json!(vec!["a"; 11]),
            ),
            "topicSpaces[0].properties.topicTemplates",
        ),
        (
            with(
                "/permissionBindings/0/properties/clientGroupName",
                json!("nobody"),
            ),
            "permissionBindings[0].properties.clientGroupName",
        ),
        (
            with(
                "/permissionBindings/0/properties/topicSpaceName",
                json!("nowhere"),
            ),
            "permissionBindings[0].properties.topicSpaceName",
        ),
        (
            with(
                "/permissionBindings/0/properties/permission",
                json!("Owner"),
            ),
            "permissionBindings[0].properties.permission",
        ),
    ];
    expect_paths(cases);
}

#[test]
fn validation_of_the_topic_spaces_configuration_names_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (
            with(
                "/topicSpacesConfiguration/routeTopicResourceId",
                json!("telemetry"),
            ),
            "topicSpacesConfiguration.routeTopicResourceId",
        ),
        (
            with(
                "/topicSpacesConfiguration/routeTopicResourceId",
                json!(ROUTE.replace("telemetry", "missing")),
            ),
            "topicSpacesConfiguration.routeTopicResourceId",
        ),
        (
            with(
                "/topicSpacesConfiguration/routeTopicResourceId",
                json!(ROUTE.replace("plant7", "a b")),
            ),
            "topicSpacesConfiguration.routeTopicResourceId",
        ),
        (
            with(
                "/topicSpacesConfiguration/maximumSessionExpiryInHours",
                json!(9),
            ),
            "topicSpacesConfiguration.maximumSessionExpiryInHours",
        ),
        (
            with(
                "/topicSpacesConfiguration/maximumClientSessionsPerAuthenticationName",
                json!(0),
            ),
            "topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName",
        ),
        (
            with(
                "/topicSpacesConfiguration/routingEnrichments/static/0/key",
                json!("Site"),
            ),
            "topicSpacesConfiguration.routingEnrichments.static[0].key",
        ),
        (
            with(
                "/topicSpacesConfiguration/routingEnrichments/static/0/key",
                json!("subject"),
            ),
            "topicSpacesConfiguration.routingEnrichments.static[0].key",
        ),
        (
            with(
                "/topicSpacesConfiguration/routingEnrichments/dynamic/0/key",
                json!("site"),
            ),
            "topicSpacesConfiguration.routingEnrichments.dynamic[0].key",
        ),
        (
            with(
                "/topicSpacesConfiguration/routingEnrichments/dynamic/0/value",
                json!("${client.name}"),
            ),
            "topicSpacesConfiguration.routingEnrichments.dynamic[0].value",
        ),
        (
            with("/topicSpacesConfiguration/state", json!("On")),
            "topicSpacesConfiguration.state",
        ),
    ];
    expect_paths(cases);
}

fn expect_paths(cases: Vec<(Value, &str)>) {
    for (config, expected) in cases {
        let (path, kind) = error(&config);
        assert_eq!(path, expected, "{kind}");
    }
}

#[test]
fn counts_are_bounded() {
    let groups: Vec<Value> = (0..11)
        .map(|i| json!({"name": format!("group-{i}"), "properties": {"query": "attributes.a = 1"}}))
        .collect();
    let (path, kind) = error(&with("/clientGroups", json!(groups)));
    assert_eq!(path, "clientGroups");
    assert_eq!(kind, ConfigErrorKind::TooMany { max: 10, got: 11 });
    let bindings: Vec<Value> = (0..101)
        .map(|i| {
            json!({"name": format!("binding-{i}"), "properties": {
            "clientGroupName": "$all", "topicSpaceName": "machines", "permission": "Publisher"}})
        })
        .collect();
    let (path, kind) = error(&with("/permissionBindings", json!(bindings)));
    assert_eq!(path, "permissionBindings");
    assert_eq!(kind, ConfigErrorKind::TooMany { max: 100, got: 101 });
}
