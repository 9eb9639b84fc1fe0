//! Conversion between the MQTT resources' ARM serde types and the typed configuration: defaults
//! filled in, enums, queries, templates, attributes, the route topic id and enrichment
//! expressions parsed (each error at its field path). Ranges and cross-references are
//! `validate.rs`'s.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::arm::{
    CaCertificateArm, CaCertificatePropertiesArm, ClientAuthenticationArm,
    CertificateAuthenticationArm, ClientArm, ClientGroupArm, ClientGroupPropertiesArm,
    ClientPropertiesArm, DynamicEnrichmentArm, MqttArm, PermissionBindingArm,
    PermissionBindingPropertiesArm, RoutingEnrichmentsArm, StaticEnrichmentArm,
    TopicSpaceArm, TopicSpacePropertiesArm, TopicSpacesConfigurationArm,
};
use super::{
    AlternativeNameSource, CaCertificate, CertificateAuthentication, ClientAttribute, ClientGroup, ClientGroupQuery, DynamicValue,
    MqttClient, MqttConfig, Permission, PermissionBinding, ResourceState, RouteTopic,
    RoutingEnrichments, TopicSpace, TopicSpacesConfiguration, TopicTemplate, ValidationScheme,
};
use crate::config::validate::{echo, invalid_name, range_error};
use crate::config::{ConfigError, ConfigErrorKind};

/// The one static enrichment value type.
const STATIC_VALUE_TYPE: &str = "String";

pub(in crate::config) fn mqtt_from_arm(arm: MqttArm) -> Result<MqttConfig, ConfigError> {
    Ok(MqttConfig {
        topic_spaces_configuration: arm
            .topic_spaces_configuration
            .map(configuration_from_arm)
            .transpose()?
            .unwrap_or_default(),
        clients: indexed(arm.clients, "clients", client_from_arm)?,
        client_groups: indexed(arm.client_groups, "clientGroups", group_from_arm)?,
        topic_spaces: indexed(arm.topic_spaces, "topicSpaces", space_from_arm)?,
        permission_bindings: indexed(
            arm.permission_bindings,
            "permissionBindings",
            binding_from_arm,
        )?,
        ca_certificates: indexed(arm.ca_certificates, "caCertificates", ca_from_arm)?,
    })
}

fn ca_from_arm(arm: CaCertificateArm, path: &str) -> Result<CaCertificate, ConfigError> {
    let encoded_path = format!("{path}.properties.encodedCertificate");
    let encoded = required(arm.properties.encoded_certificate, encoded_path.clone())?;
    if encoded.chars().count() > crate::limits::MQTT_ENCODED_CERTIFICATE_CHARS_MAX {
        return Err(ConfigError::new(
            encoded_path,
            ConfigErrorKind::InvalidCertificate {
                reason: format!(
                    "longer than {} characters",
                    crate::limits::MQTT_ENCODED_CERTIFICATE_CHARS_MAX
                ),
            },
        ));
    }
    let der = super::decode_ca_certificate(&encoded).map_err(|reason| {
        ConfigError::new(encoded_path, ConfigErrorKind::InvalidCertificate { reason })
    })?;
    Ok(CaCertificate {
        name: arm.name,
        description: arm.properties.description,
        encoded_certificate: encoded,
        der,
    })
}

fn client_authentication_from_arm(
    arm: &ClientAuthenticationArm,
    path: &str,
) -> Result<Vec<AlternativeNameSource>, ConfigError> {
    arm.alternative_authentication_name_sources
        .iter()
        .enumerate()
        .map(|(index, text)| {
            AlternativeNameSource::ALL
                .into_iter()
                .find(|source| source.name().eq_ignore_ascii_case(text))
                .ok_or_else(|| {
                    unsupported(
                        format!("{path}.alternativeAuthenticationNameSources[{index}]"),
                        text,
                        "ClientCertificateSubject, ClientCertificateDns, ClientCertificateUri, \
                         ClientCertificateIp or ClientCertificateEmail",
                    )
                })
        })
        .collect()
}

fn indexed<A, T>(
    entries: Vec<A>,
    list: &str,
    convert: impl Fn(A, &str) -> Result<T, ConfigError>,
) -> Result<Vec<T>, ConfigError> {
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| convert(entry, &format!("{list}[{index}]")))
        .collect()
}

fn required<T>(value: Option<T>, path: String) -> Result<T, ConfigError> {
    value.ok_or_else(|| ConfigError::new(path, ConfigErrorKind::Required))
}

fn state(text: Option<&str>, default: ResourceState, path: String) -> Result<ResourceState, ConfigError> {
    match text {
        None => Ok(default),
        Some(text) if text.eq_ignore_ascii_case("Enabled") => Ok(ResourceState::Enabled),
        Some(text) if text.eq_ignore_ascii_case("Disabled") => Ok(ResourceState::Disabled),
        Some(text) => Err(unsupported(path, text, "'Enabled' or 'Disabled'")),
    }
}

fn unsupported(path: String, got: &str, expected: &'static str) -> ConfigError {
    ConfigError::new(
        path,
        ConfigErrorKind::UnsupportedValue {
            got: echo(got),
            expected,
        },
    )
}

fn configuration_from_arm(
    arm: TopicSpacesConfigurationArm,
) -> Result<TopicSpacesConfiguration, ConfigError> {
    const PATH: &str = "topicSpacesConfiguration";
    let defaults = TopicSpacesConfiguration::default();
    let hours = |value: Option<i64>, field: &str, default: u32, max: u32| {
        value.map_or(Ok(default), |value| {
            u32::try_from(value)
                .ok()
                .filter(|value| (1..=max).contains(value))
                .ok_or_else(|| range_error(&format!("{PATH}.{field}"), value, 1, max))
        })
    };
    Ok(TopicSpacesConfiguration {
        state: state(arm.state.as_deref(), defaults.state, format!("{PATH}.state"))?,
        route_topic: arm
            .route_topic_resource_id
            .map(|id| route_topic(&id, &format!("{PATH}.routeTopicResourceId")))
            .transpose()?,
        routing_enrichments: arm
            .routing_enrichments
            .map(|arm| enrichments_from_arm(arm, &format!("{PATH}.routingEnrichments")))
            .transpose()?
            .unwrap_or_default(),
        maximum_session_expiry_in_hours: hours(
            arm.maximum_session_expiry_in_hours,
            "maximumSessionExpiryInHours",
            defaults.maximum_session_expiry_in_hours,
            crate::limits::MQTT_SESSION_EXPIRY_HOURS_MAX,
        )?,
        maximum_client_sessions_per_authentication_name: hours(
            arm.maximum_client_sessions_per_authentication_name,
            "maximumClientSessionsPerAuthenticationName",
            defaults.maximum_client_sessions_per_authentication_name,
            crate::limits::MQTT_SESSIONS_PER_AUTHENTICATION_NAME_MAX,
        )?,
        alternative_authentication_name_sources: arm
            .client_authentication
            .map(|arm| client_authentication_from_arm(&arm, &format!("{PATH}.clientAuthentication")))
            .transpose()?
            .unwrap_or_default(),
    })
}

/// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.EventGrid/namespaces/{ns}/topics/{t}`
/// (the fixed words in any case).
fn route_topic(id: &str, path: &str) -> Result<RouteTopic, ConfigError> {
    let invalid = || {
        ConfigError::new(
            path,
            ConfigErrorKind::InvalidResourceId {
                id: echo(id),
                expected: "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.EventGrid/namespaces/{namespace}/topics/{topic}",
            },
        )
    };
    let parts: Vec<&str> = id.split('/').collect();
    let fixed = [
        (1, "subscriptions"),
        (3, "resourceGroups"),
        (5, "providers"),
        (6, "Microsoft.EventGrid"),
        (7, "namespaces"),
        (9, "topics"),
    ];
    if parts.len() != 11
        || !parts[0].is_empty()
        || parts.iter().skip(1).any(|part| part.is_empty())
        || fixed
            .iter()
            .any(|(index, word)| !parts[*index].eq_ignore_ascii_case(word))
    {
        return Err(invalid());
    }
    // The namespace name becomes the routed events' `source`: the service's rule for it.
    let namespace = parts[8];
    let namespace_ok = (3..=50).contains(&namespace.len())
        && namespace
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    if !namespace_ok {
        return Err(invalid_name(
            path,
            namespace,
            "the namespace name is 3-50 characters of A-Z, a-z, 0-9 and '-'",
        ));
    }
    Ok(RouteTopic {
        resource_id: id.to_owned(),
        namespace: parts[8].to_owned(),
        topic: parts[10].to_owned(),
    })
}

fn enrichments_from_arm(
    arm: RoutingEnrichmentsArm,
    path: &str,
) -> Result<RoutingEnrichments, ConfigError> {
    let static_values = arm
        .static_values
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            if let Some(kind) = entry.value_type.as_deref()
                && kind != STATIC_VALUE_TYPE
            {
                return Err(unsupported(
                    format!("{path}.static[{index}].valueType"),
                    kind,
                    "'String'",
                ));
            }
            Ok((entry.key, entry.value))
        })
        .collect::<Result<_, _>>()?;
    let dynamic_values = arm
        .dynamic_values
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            dynamic_value(&entry.value)
                .map(|value| (entry.key, value))
                .ok_or_else(|| {
                    ConfigError::new(
                        format!("{path}.dynamic[{index}].value"),
                        ConfigErrorKind::InvalidEnrichment {
                            reason: "not one of ${client.authenticationName}, \
                                     ${client.attributes.<key>}, \
                                     ${mqtt.message.userProperties.<key>}, \
                                     ${mqtt.message.topicName}, ${mqtt.message.responseTopic}, \
                                     ${mqtt.message.correlationData}, ${mqtt.message.pfi}",
                        },
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(RoutingEnrichments {
        static_values,
        dynamic_values,
    })
}

fn dynamic_value(text: &str) -> Option<DynamicValue> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    match inner {
        "client.authenticationName" => return Some(DynamicValue::AuthenticationName),
        "mqtt.message.topicName" => return Some(DynamicValue::TopicName),
        "mqtt.message.responseTopic" => return Some(DynamicValue::ResponseTopic),
        "mqtt.message.correlationData" => return Some(DynamicValue::CorrelationData),
        "mqtt.message.pfi" => return Some(DynamicValue::PayloadFormatIndicator),
        _ => {}
    }
    if let Some(key) = inner.strip_prefix("client.attributes.") {
        return super::attribute_key_valid(key).then(|| DynamicValue::Attribute(key.to_owned()));
    }
    let property = inner.strip_prefix("mqtt.message.userProperties")?;
    if let Some(key) = property.strip_prefix('.') {
        return (!key.is_empty()).then(|| DynamicValue::UserProperty(key.to_owned()));
    }
    let quoted = property.strip_prefix("['")?.strip_suffix("']")?;
    let mut key = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.push(chars.next()?),
            '\'' => return None,
            c => key.push(c),
        }
    }
    (!key.is_empty()).then_some(DynamicValue::UserProperty(key))
}

fn dynamic_value_text(value: &DynamicValue) -> String {
    match value {
        DynamicValue::AuthenticationName => "${client.authenticationName}".to_owned(),
        DynamicValue::Attribute(key) => format!("${{client.attributes.{key}}}"),
        DynamicValue::UserProperty(key) => {
            let escaped: String = key
                .chars()
                .flat_map(|c| match c {
                    '\'' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            format!("${{mqtt.message.userProperties['{escaped}']}}")
        }
        DynamicValue::TopicName => "${mqtt.message.topicName}".to_owned(),
        DynamicValue::ResponseTopic => "${mqtt.message.responseTopic}".to_owned(),
        DynamicValue::CorrelationData => "${mqtt.message.correlationData}".to_owned(),
        DynamicValue::PayloadFormatIndicator => "${mqtt.message.pfi}".to_owned(),
    }
}

fn client_from_arm(arm: ClientArm, path: &str) -> Result<MqttClient, ConfigError> {
    let properties = format!("{path}.properties");
    let certificate = match arm.properties.client_certificate_authentication {
        None => CertificateAuthentication::default(),
        Some(certificate) => {
            let scheme_path = format!("{properties}.clientCertificateAuthentication.validationScheme");
            let validation_scheme = match certificate.validation_scheme.as_deref() {
                None => ValidationScheme::SubjectMatchesAuthenticationName,
                Some(text) => ValidationScheme::ALL
                    .into_iter()
                    .find(|scheme| scheme.name().eq_ignore_ascii_case(text))
                    .ok_or_else(|| {
                        unsupported(
                            scheme_path,
                            text,
                            "SubjectMatchesAuthenticationName, DnsMatchesAuthenticationName, \
                             UriMatchesAuthenticationName, IpMatchesAuthenticationName, \
                             EmailMatchesAuthenticationName or ThumbprintMatch",
                        )
                    })?,
            };
            CertificateAuthentication {
                validation_scheme,
                allowed_thumbprints: certificate.allowed_thumbprints.unwrap_or_default(),
            }
        }
    };
    let attributes = arm
        .properties
        .attributes
        .map(|map| attributes_from_arm(map, &format!("{properties}.attributes")))
        .transpose()?
        .unwrap_or_default();
    Ok(MqttClient {
        authentication_name: arm
            .properties
            .authentication_name
            .unwrap_or_else(|| arm.name.clone()),
        name: arm.name,
        description: arm.properties.description,
        state: state(
            arm.properties.state.as_deref(),
            ResourceState::Enabled,
            format!("{properties}.state"),
        )?,
        attributes,
        certificate,
    })
}

fn attributes_from_arm(
    map: Map<String, Value>,
    path: &str,
) -> Result<BTreeMap<String, ClientAttribute>, ConfigError> {
    let invalid = |key: &str, reason| {
        ConfigError::new(format!("{path}.{key}"), ConfigErrorKind::InvalidAttribute { reason })
    };
    map.into_iter()
        .map(|(key, value)| {
            let attribute = match value {
                Value::String(text) => ClientAttribute::String(text),
                Value::Bool(value) => ClientAttribute::Bool(value),
                Value::Number(number) => ClientAttribute::Integer(
                    number
                        .as_i64()
                        .ok_or_else(|| invalid(&key, "a number must be an integer"))?,
                ),
                Value::Array(items) => ClientAttribute::Strings(
                    items
                        .into_iter()
                        .map(|item| match item {
                            Value::String(text) => Ok(text),
                            _ => Err(invalid(&key, "an array must hold only strings")),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Value::Null | Value::Object(_) => {
                    return Err(invalid(
                        &key,
                        "a value must be a string, an integer, a boolean or an array of strings",
                    ));
                }
            };
            Ok((key, attribute))
        })
        .collect()
}

fn group_from_arm(arm: ClientGroupArm, path: &str) -> Result<ClientGroup, ConfigError> {
    let query_path = format!("{path}.properties.query");
    let text = required(arm.properties.query, query_path.clone())?;
    let query = ClientGroupQuery::parse(&text).map_err(|error| {
        ConfigError::new(
            query_path,
            ConfigErrorKind::InvalidQuery {
                at: error.at,
                reason: error.reason,
            },
        )
    })?;
    Ok(ClientGroup {
        name: arm.name,
        description: arm.properties.description,
        query,
    })
}

fn space_from_arm(arm: TopicSpaceArm, path: &str) -> Result<TopicSpace, ConfigError> {
    let topic_templates = arm
        .properties
        .topic_templates
        .iter()
        .enumerate()
        .map(|(index, text)| {
            TopicTemplate::parse(text).map_err(|reason| {
                ConfigError::new(
                    format!("{path}.properties.topicTemplates[{index}]"),
                    ConfigErrorKind::InvalidTopicTemplate {
                        template: echo(text),
                        reason,
                    },
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(TopicSpace {
        name: arm.name,
        description: arm.properties.description,
        topic_templates,
    })
}

fn binding_from_arm(arm: PermissionBindingArm, path: &str) -> Result<PermissionBinding, ConfigError> {
    let properties = format!("{path}.properties");
    let permission_path = format!("{properties}.permission");
    let permission = match required(arm.properties.permission, permission_path.clone())? {
        text if text.eq_ignore_ascii_case("Publisher") => Permission::Publisher,
        text if text.eq_ignore_ascii_case("Subscriber") => Permission::Subscriber,
        text => return Err(unsupported(permission_path, &text, "'Publisher' or 'Subscriber'")),
    };
    Ok(PermissionBinding {
        name: arm.name,
        description: arm.properties.description,
        client_group_name: required(
            arm.properties.client_group_name,
            format!("{properties}.clientGroupName"),
        )?,
        topic_space_name: required(
            arm.properties.topic_space_name,
            format!("{properties}.topicSpaceName"),
        )?,
        permission,
    })
}

pub(in crate::config) fn mqtt_to_arm(config: &MqttConfig) -> MqttArm {
    let tsc = &config.topic_spaces_configuration;
    let enrichments = &tsc.routing_enrichments;
    MqttArm {
        topic_spaces_configuration: (*tsc != TopicSpacesConfiguration::default()).then(|| {
            TopicSpacesConfigurationArm {
                state: Some(tsc.state.name().to_owned()),
                route_topic_resource_id: tsc.route_topic.as_ref().map(|r| r.resource_id.clone()),
                routing_enrichments: (*enrichments != RoutingEnrichments::default()).then(|| {
                    RoutingEnrichmentsArm {
                        static_values: enrichments
                            .static_values
                            .iter()
                            .map(|(key, value)| StaticEnrichmentArm {
                                key: key.clone(),
                                value_type: Some(STATIC_VALUE_TYPE.to_owned()),
                                value: value.clone(),
                            })
                            .collect(),
                        dynamic_values: enrichments
                            .dynamic_values
                            .iter()
                            .map(|(key, value)| DynamicEnrichmentArm {
                                key: key.clone(),
                                value: dynamic_value_text(value),
                            })
                            .collect(),
                    }
                }),
                maximum_session_expiry_in_hours: Some(i64::from(
                    tsc.maximum_session_expiry_in_hours,
                )),
                maximum_client_sessions_per_authentication_name: Some(i64::from(
                    tsc.maximum_client_sessions_per_authentication_name,
                )),
                client_authentication: (!tsc.alternative_authentication_name_sources.is_empty())
                    .then(|| ClientAuthenticationArm {
                        alternative_authentication_name_sources: tsc
                            .alternative_authentication_name_sources
                            .iter()
                            .map(|source| source.name().to_owned())
                            .collect(),
                    }),
                ..TopicSpacesConfigurationArm::default()
            }
        }),
        clients: config.clients.iter().map(client_to_arm).collect(),
        client_groups: config
            .client_groups
            .iter()
            .map(|group| ClientGroupArm {
                name: group.name.clone(),
                properties: ClientGroupPropertiesArm {
                    description: group.description.clone(),
                    query: Some(group.query.as_str().to_owned()),
                    ..ClientGroupPropertiesArm::default()
                },
            })
            .collect(),
        topic_spaces: config
            .topic_spaces
            .iter()
            .map(|space| TopicSpaceArm {
                name: space.name.clone(),
                properties: TopicSpacePropertiesArm {
                    description: space.description.clone(),
                    topic_templates: space
                        .topic_templates
                        .iter()
                        .map(|template| template.as_str().to_owned())
                        .collect(),
                    ..TopicSpacePropertiesArm::default()
                },
            })
            .collect(),
        permission_bindings: config
            .permission_bindings
            .iter()
            .map(|binding| PermissionBindingArm {
                name: binding.name.clone(),
                properties: PermissionBindingPropertiesArm {
                    description: binding.description.clone(),
                    client_group_name: Some(binding.client_group_name.clone()),
                    topic_space_name: Some(binding.topic_space_name.clone()),
                    permission: Some(binding.permission.name().to_owned()),
                    ..PermissionBindingPropertiesArm::default()
                },
            })
            .collect(),
        ca_certificates: config.ca_certificates.iter().map(ca_to_arm).collect(),
    }
}

fn ca_to_arm(ca: &CaCertificate) -> CaCertificateArm {
    CaCertificateArm {
        name: ca.name.clone(),
        properties: CaCertificatePropertiesArm {
            description: ca.description.clone(),
            encoded_certificate: Some(ca.encoded_certificate.clone()),
            ..CaCertificatePropertiesArm::default()
        },
    }
}

fn client_to_arm(client: &MqttClient) -> ClientArm {
    ClientArm {
        name: client.name.clone(),
        properties: ClientPropertiesArm {
            description: client.description.clone(),
            authentication_name: Some(client.authentication_name.clone()),
            state: Some(client.state.name().to_owned()),
            attributes: Some(
                client
                    .attributes
                    .iter()
                    .map(|(key, value)| (key.clone(), attribute_to_json(value)))
                    .collect(),
            ),
            client_certificate_authentication: Some(CertificateAuthenticationArm {
                validation_scheme: Some(client.certificate.validation_scheme.name().to_owned()),
                allowed_thumbprints: (!client.certificate.allowed_thumbprints.is_empty())
                    .then(|| client.certificate.allowed_thumbprints.clone()),
            }),
            ..ClientPropertiesArm::default()
        },
    }
}

pub(super) fn attribute_to_json(value: &ClientAttribute) -> Value {
    match value {
        ClientAttribute::String(text) => Value::from(text.clone()),
        ClientAttribute::Integer(number) => Value::from(*number),
        ClientAttribute::Bool(value) => Value::from(*value),
        ClientAttribute::Strings(texts) => Value::from(texts.clone()),
    }
}
