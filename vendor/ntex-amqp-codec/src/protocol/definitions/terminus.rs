//! Link terminus: `Source` and `Target` (AMQP 1.0 §3.5).
use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Source {
    pub address: Option<Address>,
    pub durable: TerminusDurability,
    pub expiry_policy: TerminusExpiryPolicy,
    pub timeout: Seconds,
    pub dynamic: bool,
    pub dynamic_node_properties: Option<NodeProperties>,
    pub distribution_mode: Option<DistributionMode>,
    pub filter: Option<FilterSet>,
    pub default_outcome: Option<Outcome>,
    pub outcomes: Option<Symbols>,
    pub capabilities: Option<Symbols>,
}
impl Source {
    #[inline]
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }
    #[inline]
    pub fn address_mut(&mut self) -> &mut Option<Address> {
        &mut self.address
    }
    #[inline]
    pub fn durable(&self) -> TerminusDurability {
        self.durable
    }
    #[inline]
    pub fn durable_mut(&mut self) -> &mut TerminusDurability {
        &mut self.durable
    }
    #[inline]
    pub fn expiry_policy(&self) -> TerminusExpiryPolicy {
        self.expiry_policy
    }
    #[inline]
    pub fn expiry_policy_mut(&mut self) -> &mut TerminusExpiryPolicy {
        &mut self.expiry_policy
    }
    #[inline]
    pub fn timeout(&self) -> Seconds {
        self.timeout
    }
    #[inline]
    pub fn timeout_mut(&mut self) -> &mut Seconds {
        &mut self.timeout
    }
    #[inline]
    pub fn dynamic(&self) -> bool {
        self.dynamic
    }
    #[inline]
    pub fn dynamic_mut(&mut self) -> &mut bool {
        &mut self.dynamic
    }
    #[inline]
    pub fn dynamic_node_properties(&self) -> Option<&NodeProperties> {
        self.dynamic_node_properties.as_ref()
    }
    #[inline]
    pub fn dynamic_node_properties_mut(&mut self) -> &mut Option<NodeProperties> {
        &mut self.dynamic_node_properties
    }
    #[inline]
    pub fn distribution_mode(&self) -> Option<&DistributionMode> {
        self.distribution_mode.as_ref()
    }
    #[inline]
    pub fn distribution_mode_mut(&mut self) -> &mut Option<DistributionMode> {
        &mut self.distribution_mode
    }
    #[inline]
    pub fn filter(&self) -> Option<&FilterSet> {
        self.filter.as_ref()
    }
    #[inline]
    pub fn filter_mut(&mut self) -> &mut Option<FilterSet> {
        &mut self.filter
    }
    #[inline]
    pub fn default_outcome(&self) -> Option<&Outcome> {
        self.default_outcome.as_ref()
    }
    #[inline]
    pub fn default_outcome_mut(&mut self) -> &mut Option<Outcome> {
        &mut self.default_outcome
    }
    #[inline]
    pub fn outcomes(&self) -> Option<&Symbols> {
        self.outcomes.as_ref()
    }
    #[inline]
    pub fn outcomes_mut(&mut self) -> &mut Option<Symbols> {
        &mut self.outcomes
    }
    #[inline]
    pub fn capabilities(&self) -> Option<&Symbols> {
        self.capabilities.as_ref()
    }
    #[inline]
    pub fn capabilities_mut(&mut self) -> &mut Option<Symbols> {
        &mut self.capabilities
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
#[allow(unused_mut)]
fn decode_source_inner(input: &mut Bytes) -> Result<Source, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let address: Option<Address>;
    if count > 0 {
        address = Option::<Address>::decode(&mut data)?;
        count -= 1;
    } else {
        address = None;
    }
    let durable: TerminusDurability;
    if count > 0 {
        let decoded = Option::<TerminusDurability>::decode(&mut data)?;
        durable = decoded.unwrap_or(TerminusDurability::None);
        count -= 1;
    } else {
        durable = TerminusDurability::None;
    }
    let expiry_policy: TerminusExpiryPolicy;
    if count > 0 {
        let decoded = Option::<TerminusExpiryPolicy>::decode(&mut data)?;
        expiry_policy = decoded.unwrap_or(TerminusExpiryPolicy::SessionEnd);
        count -= 1;
    } else {
        expiry_policy = TerminusExpiryPolicy::SessionEnd;
    }
    let timeout: Seconds;
    if count > 0 {
        let decoded = Option::<Seconds>::decode(&mut data)?;
        timeout = decoded.unwrap_or(0);
        count -= 1;
    } else {
        timeout = 0;
    }
    let dynamic: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        dynamic = decoded.unwrap_or(false);
        count -= 1;
    } else {
        dynamic = false;
    }
    let dynamic_node_properties: Option<NodeProperties>;
    if count > 0 {
        dynamic_node_properties = Option::<NodeProperties>::decode(&mut data)?;
        count -= 1;
    } else {
        dynamic_node_properties = None;
    }
    let distribution_mode: Option<DistributionMode>;
    if count > 0 {
        distribution_mode = Option::<DistributionMode>::decode(&mut data)?;
        count -= 1;
    } else {
        distribution_mode = None;
    }
    let filter: Option<FilterSet>;
    if count > 0 {
        filter = Option::<FilterSet>::decode(&mut data)?;
        count -= 1;
    } else {
        filter = None;
    }
    let default_outcome: Option<Outcome>;
    if count > 0 {
        default_outcome = Option::<Outcome>::decode(&mut data)?;
        count -= 1;
    } else {
        default_outcome = None;
    }
    let outcomes: Option<Symbols>;
    if count > 0 {
        outcomes = Option::<Symbols>::decode(&mut data)?;
        count -= 1;
    } else {
        outcomes = None;
    }
    let capabilities: Option<Symbols>;
    if count > 0 {
        capabilities = Option::<Symbols>::decode(&mut data)?;
        count -= 1;
    } else {
        capabilities = None;
    }
    Ok(Source {
        address,
        durable,
        expiry_policy,
        timeout,
        dynamic,
        dynamic_node_properties,
        distribution_mode,
        filter,
        default_outcome,
        outcomes,
        capabilities,
    })
}
fn encoded_size_source_inner(list: &Source) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.address.encoded_size()
        + list.durable.encoded_size()
        + list.expiry_policy.encoded_size()
        + list.timeout.encoded_size()
        + list.dynamic.encoded_size()
        + list.dynamic_node_properties.encoded_size()
        + list.distribution_mode.encoded_size()
        + list.filter.encoded_size()
        + list.default_outcome.encoded_size()
        + list.outcomes.encoded_size()
        + list.capabilities.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
fn encode_source_inner(list: &Source, buf: &mut BytePages) {
    Descriptor::Ulong(40).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.address.encoded_size()
        + list.durable.encoded_size()
        + list.expiry_policy.encoded_size()
        + list.timeout.encoded_size()
        + list.dynamic.encoded_size()
        + list.dynamic_node_properties.encoded_size()
        + list.distribution_mode.encoded_size()
        + list.filter.encoded_size()
        + list.default_outcome.encoded_size()
        + list.outcomes.encoded_size()
        + list.capabilities.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Source::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Source::FIELD_COUNT as u8);
    }
    list.address.encode(buf);
    list.durable.encode(buf);
    list.expiry_policy.encode(buf);
    list.timeout.encode(buf);
    list.dynamic.encode(buf);
    list.dynamic_node_properties.encode(buf);
    list.distribution_mode.encode(buf);
    list.filter.encode(buf);
    list.default_outcome.encode(buf);
    list.outcomes.encode(buf);
    list.capabilities.encode(buf);
}
impl DecodeFormatted for Source {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 40,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:source:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_source_inner(input)
        }
    }
}
impl Encode for Source {
    fn encoded_size(&self) -> usize {
        encoded_size_source_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_source_inner(self, buf)
    }
}
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Target {
    pub address: Option<Address>,
    pub durable: TerminusDurability,
    pub expiry_policy: TerminusExpiryPolicy,
    pub timeout: Seconds,
    pub dynamic: bool,
    pub dynamic_node_properties: Option<NodeProperties>,
    pub capabilities: Option<Symbols>,
}
impl Target {
    #[inline]
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }
    #[inline]
    pub fn address_mut(&mut self) -> &mut Option<Address> {
        &mut self.address
    }
    #[inline]
    pub fn durable(&self) -> TerminusDurability {
        self.durable
    }
    #[inline]
    pub fn durable_mut(&mut self) -> &mut TerminusDurability {
        &mut self.durable
    }
    #[inline]
    pub fn expiry_policy(&self) -> TerminusExpiryPolicy {
        self.expiry_policy
    }
    #[inline]
    pub fn expiry_policy_mut(&mut self) -> &mut TerminusExpiryPolicy {
        &mut self.expiry_policy
    }
    #[inline]
    pub fn timeout(&self) -> Seconds {
        self.timeout
    }
    #[inline]
    pub fn timeout_mut(&mut self) -> &mut Seconds {
        &mut self.timeout
    }
    #[inline]
    pub fn dynamic(&self) -> bool {
        self.dynamic
    }
    #[inline]
    pub fn dynamic_mut(&mut self) -> &mut bool {
        &mut self.dynamic
    }
    #[inline]
    pub fn dynamic_node_properties(&self) -> Option<&NodeProperties> {
        self.dynamic_node_properties.as_ref()
    }
    #[inline]
    pub fn dynamic_node_properties_mut(&mut self) -> &mut Option<NodeProperties> {
        &mut self.dynamic_node_properties
    }
    #[inline]
    pub fn capabilities(&self) -> Option<&Symbols> {
        self.capabilities.as_ref()
    }
    #[inline]
    pub fn capabilities_mut(&mut self) -> &mut Option<Symbols> {
        &mut self.capabilities
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
#[allow(unused_mut)]
fn decode_target_inner(input: &mut Bytes) -> Result<Target, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let address: Option<Address>;
    if count > 0 {
        address = Option::<Address>::decode(&mut data)?;
        count -= 1;
    } else {
        address = None;
    }
    let durable: TerminusDurability;
    if count > 0 {
        let decoded = Option::<TerminusDurability>::decode(&mut data)?;
        durable = decoded.unwrap_or(TerminusDurability::None);
        count -= 1;
    } else {
        durable = TerminusDurability::None;
    }
    let expiry_policy: TerminusExpiryPolicy;
    if count > 0 {
        let decoded = Option::<TerminusExpiryPolicy>::decode(&mut data)?;
        expiry_policy = decoded.unwrap_or(TerminusExpiryPolicy::SessionEnd);
        count -= 1;
    } else {
        expiry_policy = TerminusExpiryPolicy::SessionEnd;
    }
    let timeout: Seconds;
    if count > 0 {
        let decoded = Option::<Seconds>::decode(&mut data)?;
        timeout = decoded.unwrap_or(0);
        count -= 1;
    } else {
        timeout = 0;
    }
    let dynamic: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        dynamic = decoded.unwrap_or(false);
        count -= 1;
    } else {
        dynamic = false;
    }
    let dynamic_node_properties: Option<NodeProperties>;
    if count > 0 {
        dynamic_node_properties = Option::<NodeProperties>::decode(&mut data)?;
        count -= 1;
    } else {
        dynamic_node_properties = None;
    }
    let capabilities: Option<Symbols>;
    if count > 0 {
        capabilities = Option::<Symbols>::decode(&mut data)?;
        count -= 1;
    } else {
        capabilities = None;
    }
    Ok(Target {
        address,
        durable,
        expiry_policy,
        timeout,
        dynamic,
        dynamic_node_properties,
        capabilities,
    })
}
fn encoded_size_target_inner(list: &Target) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.address.encoded_size()
        + list.durable.encoded_size()
        + list.expiry_policy.encoded_size()
        + list.timeout.encoded_size()
        + list.dynamic.encoded_size()
        + list.dynamic_node_properties.encoded_size()
        + list.capabilities.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
fn encode_target_inner(list: &Target, buf: &mut BytePages) {
    Descriptor::Ulong(41).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.address.encoded_size()
        + list.durable.encoded_size()
        + list.expiry_policy.encoded_size()
        + list.timeout.encoded_size()
        + list.dynamic.encoded_size()
        + list.dynamic_node_properties.encoded_size()
        + list.capabilities.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Target::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Target::FIELD_COUNT as u8);
    }
    list.address.encode(buf);
    list.durable.encode(buf);
    list.expiry_policy.encode(buf);
    list.timeout.encode(buf);
    list.dynamic.encode(buf);
    list.dynamic_node_properties.encode(buf);
    list.capabilities.encode(buf);
}
impl DecodeFormatted for Target {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 41,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:target:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_target_inner(input)
        }
    }
}
impl Encode for Target {
    fn encoded_size(&self) -> usize {
        encoded_size_target_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_target_inner(self, buf)
    }
}
