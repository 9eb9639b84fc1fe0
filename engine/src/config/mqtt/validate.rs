//! Validation of the MQTT resources: names, counts, attributes, thumbprints, enrichments and
//! cross-references (reference `eventgrid-mqtt.md` §2, §7.3, §8 "ARM validation").

use std::collections::HashSet;

use super::{MqttClient, ValidationScheme, attribute_key_valid};
use crate::config::validate::{
    Names, check_count, check_range, echo, existing_topic, invalid_name, resource_name,
};
use crate::config::{ConfigError, ConfigErrorKind, NamespaceConfig};
use crate::limits::{
    MQTT_ALLOWED_THUMBPRINTS_MAX, MQTT_ATTRIBUTES_BYTES_MAX, MQTT_CA_CERTIFICATES_MAX, MQTT_AUTHENTICATION_NAME_CHARS_MAX,
    MQTT_CLIENT_GROUPS_MAX, MQTT_CLIENT_NAME_CHARS_MAX, MQTT_CLIENTS_PER_TU_MAX,
    MQTT_ENRICHMENT_KEY_CHARS_MAX, MQTT_ENRICHMENT_VALUE_CHARS_MAX, MQTT_ENRICHMENTS_MAX,
    MQTT_PERMISSION_BINDINGS_MAX, MQTT_SESSION_EXPIRY_HOURS_MAX,
    MQTT_SESSIONS_PER_AUTHENTICATION_NAME_MAX, MQTT_TOPIC_SPACES_MAX,
    MQTT_TOPIC_TEMPLATES_PER_SPACE_MAX, THROUGHPUT_UNITS_MAX,
};

/// `CloudEvents` attribute names an enrichment key may not take.
const RESERVED_ENRICHMENT_KEYS: [&str; 9] = [
    "specversion",
    "id",
    "time",
    "type",
    "source",
    "subject",
    "datacontenttype",
    "dataschema",
    "data",
];

pub(in crate::config) fn validate_mqtt(config: &NamespaceConfig) -> Result<(), ConfigError> {
    let mqtt = &config.mqtt;
    configuration(config)?;
    let units = config.throughput_units.unwrap_or(THROUGHPUT_UNITS_MAX);
    let clients_max =
        MQTT_CLIENTS_PER_TU_MAX.saturating_mul(usize::try_from(units).unwrap_or(usize::MAX));
    check_count("clients", mqtt.clients.len(), clients_max)?;
    let mut client_names = HashSet::new();
    let mut authentication_names = Names::default();
    for (index, client) in mqtt.clients.iter().enumerate() {
        let path = format!("clients[{index}]");
        client_name(&format!("{path}.name"), &client.name)?;
        if !client_names.insert(client.name.as_str()) {
            return Err(ConfigError::new(
                format!("{path}.name"),
                ConfigErrorKind::DuplicateName {
                    name: echo(&client.name),
                },
            ));
        }
        let auth_path = format!("{path}.properties.authenticationName");
        let chars = client.authentication_name.chars().count();
        if !(1..=MQTT_AUTHENTICATION_NAME_CHARS_MAX).contains(&chars) {
            return Err(invalid_name(
                &auth_path,
                &client.authentication_name,
                "an authentication name is 1-128 characters",
            ));
        }
        authentication_names.insert(&auth_path, &client.authentication_name)?;
        client_properties(client, &format!("{path}.properties"))?;
    }
    let mut group_names = Names::default();
    check_count("clientGroups", mqtt.client_groups.len(), MQTT_CLIENT_GROUPS_MAX)?;
    for (index, group) in mqtt.client_groups.iter().enumerate() {
        let path = format!("clientGroups[{index}].name");
        resource_name(&path, &group.name)?;
        group_names.insert(&path, &group.name)?;
    }
    let mut space_names = Names::default();
    check_count("topicSpaces", mqtt.topic_spaces.len(), MQTT_TOPIC_SPACES_MAX)?;
    for (index, space) in mqtt.topic_spaces.iter().enumerate() {
        let path = format!("topicSpaces[{index}]");
        resource_name(&format!("{path}.name"), &space.name)?;
        space_names.insert(&format!("{path}.name"), &space.name)?;
        let templates = format!("{path}.properties.topicTemplates");
        if space.topic_templates.is_empty() {
            return Err(ConfigError::new(templates, ConfigErrorKind::Required));
        }
        check_count(
            &templates,
            space.topic_templates.len(),
            MQTT_TOPIC_TEMPLATES_PER_SPACE_MAX,
        )?;
    }
    certificates(mqtt)?;
    let mut binding_names = Names::default();
    check_count(
        "permissionBindings",
        mqtt.permission_bindings.len(),
        MQTT_PERMISSION_BINDINGS_MAX,
    )?;
    for (index, binding) in mqtt.permission_bindings.iter().enumerate() {
        let path = format!("permissionBindings[{index}]");
        resource_name(&format!("{path}.name"), &binding.name)?;
        binding_names.insert(&format!("{path}.name"), &binding.name)?;
        let group = &binding.client_group_name;
        let group_known = group.eq_ignore_ascii_case(super::ALL_CLIENTS_GROUP)
            || mqtt
                .client_groups
                .iter()
                .any(|candidate| candidate.name.eq_ignore_ascii_case(group));
        if !group_known {
            return Err(unknown(&format!("{path}.properties.clientGroupName"), "client group", group));
        }
        if mqtt.topic_space(&binding.topic_space_name).is_none() {
            return Err(unknown(
                &format!("{path}.properties.topicSpaceName"),
                "topic space",
                &binding.topic_space_name,
            ));
        }
    }
    Ok(())
}

/// `caCertificates` names and count; `clientAuthentication.alternativeAuthenticationNameSources`
/// without repeats.
fn certificates(mqtt: &super::MqttConfig) -> Result<(), ConfigError> {
    let mut ca_names = Names::default();
    check_count("caCertificates", mqtt.ca_certificates.len(), MQTT_CA_CERTIFICATES_MAX)?;
    for (index, ca) in mqtt.ca_certificates.iter().enumerate() {
        let path = format!("caCertificates[{index}].name");
        resource_name(&path, &ca.name)?;
        ca_names.insert(&path, &ca.name)?;
    }
    let sources = &mqtt
        .topic_spaces_configuration
        .alternative_authentication_name_sources;
    for (index, source) in sources.iter().enumerate() {
        if sources[..index].contains(source) {
            return Err(ConfigError::new(
                format!(
                    "topicSpacesConfiguration.clientAuthentication.alternativeAuthenticationNameSources[{index}]"
                ),
                ConfigErrorKind::DuplicateName {
                    name: source.name().to_owned(),
                },
            ));
        }
    }
    Ok(())
}

fn unknown(path: &str, kind: &'static str, name: &str) -> ConfigError {
    ConfigError::new(
        path,
        ConfigErrorKind::UnknownResource {
            kind,
            name: echo(name),
        },
    )
}

fn configuration(config: &NamespaceConfig) -> Result<(), ConfigError> {
    const PATH: &str = "topicSpacesConfiguration";
    let tsc = &config.mqtt.topic_spaces_configuration;
    check_range(
        &format!("{PATH}.maximumSessionExpiryInHours"),
        tsc.maximum_session_expiry_in_hours,
        1,
        MQTT_SESSION_EXPIRY_HOURS_MAX,
    )?;
    check_range(
        &format!("{PATH}.maximumClientSessionsPerAuthenticationName"),
        tsc.maximum_client_sessions_per_authentication_name,
        1,
        MQTT_SESSIONS_PER_AUTHENTICATION_NAME_MAX,
    )?;
    if let Some(route) = &tsc.route_topic {
        existing_topic(config, &format!("{PATH}.routeTopicResourceId"), &route.topic)?;
    }
    let enrichments = &tsc.routing_enrichments;
    let path = format!("{PATH}.routingEnrichments");
    check_count(
        &path,
        enrichments.static_values.len() + enrichments.dynamic_values.len(),
        MQTT_ENRICHMENTS_MAX,
    )?;
    let mut keys = HashSet::new();
    let static_keys = enrichments
        .static_values
        .iter()
        .enumerate()
        .map(|(index, (key, value))| (format!("{path}.static[{index}]"), key, Some(value)));
    let dynamic_keys = enrichments
        .dynamic_values
        .iter()
        .enumerate()
        .map(|(index, (key, _))| (format!("{path}.dynamic[{index}]"), key, None));
    for (entry, key, value) in static_keys.chain(dynamic_keys) {
        let reason = if key.is_empty()
            || key.len() > MQTT_ENRICHMENT_KEY_CHARS_MAX
            || !key
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
        {
            Some("a key is 1-20 characters of a-z and 0-9")
        } else if key.starts_with("azsp") || RESERVED_ENRICHMENT_KEYS.contains(&key.as_str()) {
            Some("a key may not start with 'azsp' nor be a CloudEvents attribute name")
        } else if !keys.insert(key.as_str()) {
            Some("keys are unique")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(ConfigError::new(
                format!("{entry}.key"),
                ConfigErrorKind::InvalidEnrichment { reason },
            ));
        }
        if value.is_some_and(|value| value.chars().count() > MQTT_ENRICHMENT_VALUE_CHARS_MAX) {
            return Err(ConfigError::new(
                format!("{entry}.value"),
                ConfigErrorKind::InvalidEnrichment {
                    reason: "a value is at most 128 characters",
                },
            ));
        }
    }
    Ok(())
}

/// Client names: 1–128 characters of `[-A-Za-z0-9:._]`.
fn client_name(path: &str, name: &str) -> Result<(), ConfigError> {
    const RULE: &str = "must be 1-128 characters of A-Z, a-z, 0-9, '-', ':', '.' and '_'";
    let chars_ok = name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b':' | b'.' | b'_'));
    if chars_ok && (1..=MQTT_CLIENT_NAME_CHARS_MAX).contains(&name.len()) {
        Ok(())
    } else {
        Err(invalid_name(path, name, RULE))
    }
}

fn client_properties(client: &MqttClient, path: &str) -> Result<(), ConfigError> {
    let attributes = format!("{path}.attributes");
    for key in client.attributes.keys() {
        if !attribute_key_valid(key) {
            return Err(ConfigError::new(
                format!("{attributes}.{key}"),
                ConfigErrorKind::InvalidAttribute {
                    reason: "a key holds only A-Z, a-z, 0-9 and '_'",
                },
            ));
        }
    }
    let json: serde_json::Map<String, serde_json::Value> = client
        .attributes
        .iter()
        .map(|(key, value)| (key.clone(), super::convert::attribute_to_json(value)))
        .collect();
    if serde_json::Value::Object(json).to_string().len() >= MQTT_ATTRIBUTES_BYTES_MAX {
        return Err(ConfigError::new(
            attributes,
            ConfigErrorKind::InvalidAttribute {
                reason: "the attributes are under 4 KB in all (as JSON)",
            },
        ));
    }
    let thumbprints = &client.certificate.allowed_thumbprints;
    let thumbprints_path = format!("{path}.clientCertificateAuthentication.allowedThumbprints");
    if client.certificate.validation_scheme == ValidationScheme::ThumbprintMatch {
        if thumbprints.is_empty() {
            return Err(ConfigError::new(
                thumbprints_path,
                ConfigErrorKind::NotAllowed {
                    reason: "ThumbprintMatch needs 1 or 2 allowedThumbprints",
                },
            ));
        }
        check_count(&thumbprints_path, thumbprints.len(), MQTT_ALLOWED_THUMBPRINTS_MAX)?;
        if thumbprints.iter().any(|thumbprint| {
            thumbprint.is_empty() || !thumbprint.bytes().all(|byte| byte.is_ascii_hexdigit())
        }) {
            return Err(ConfigError::new(
                thumbprints_path,
                ConfigErrorKind::NotAllowed {
                    reason: "a thumbprint is the hexadecimal SHA-256 of the certificate",
                },
            ));
        }
    } else if !thumbprints.is_empty() {
        return Err(ConfigError::new(
            thumbprints_path,
            ConfigErrorKind::NotAllowed {
                reason: "allowedThumbprints go only with validationScheme ThumbprintMatch",
            },
        ));
    }
    Ok(())
}
