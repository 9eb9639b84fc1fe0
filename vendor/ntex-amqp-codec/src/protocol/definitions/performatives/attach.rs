use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Attach(pub Box<AttachInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachBuilder(pub Box<AttachInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AttachInner {
    pub name: ByteString,
    pub handle: Handle,
    pub role: Role,
    pub snd_settle_mode: SenderSettleMode,
    pub rcv_settle_mode: ReceiverSettleMode,
    pub source: Option<Source>,
    pub target: Option<Target>,
    pub unsettled: Option<Map>,
    pub incomplete_unsettled: bool,
    pub initial_delivery_count: Option<SequenceNo>,
    pub max_message_size: Option<u64>,
    pub offered_capabilities: Option<Symbols>,
    pub desired_capabilities: Option<Symbols>,
    pub properties: Option<Fields>,
}
impl Attach {
    pub fn build() -> AttachBuilder {
        AttachBuilder(Box::default())
    }
    #[inline]
    pub fn name(&self) -> &ByteString {
        &self.0.name
    }
    #[inline]
    pub fn name_mut(&mut self) -> &mut ByteString {
        &mut self.0.name
    }
    #[inline]
    pub fn handle(&self) -> Handle {
        self.0.handle
    }
    #[inline]
    pub fn handle_mut(&mut self) -> &mut Handle {
        &mut self.0.handle
    }
    #[inline]
    pub fn role(&self) -> Role {
        self.0.role
    }
    #[inline]
    pub fn role_mut(&mut self) -> &mut Role {
        &mut self.0.role
    }
    #[inline]
    pub fn snd_settle_mode(&self) -> SenderSettleMode {
        self.0.snd_settle_mode
    }
    #[inline]
    pub fn snd_settle_mode_mut(&mut self) -> &mut SenderSettleMode {
        &mut self.0.snd_settle_mode
    }
    #[inline]
    pub fn rcv_settle_mode(&self) -> ReceiverSettleMode {
        self.0.rcv_settle_mode
    }
    #[inline]
    pub fn rcv_settle_mode_mut(&mut self) -> &mut ReceiverSettleMode {
        &mut self.0.rcv_settle_mode
    }
    #[inline]
    pub fn source(&self) -> Option<&Source> {
        self.0.source.as_ref()
    }
    #[inline]
    pub fn source_mut(&mut self) -> &mut Option<Source> {
        &mut self.0.source
    }
    #[inline]
    pub fn target(&self) -> Option<&Target> {
        self.0.target.as_ref()
    }
    #[inline]
    pub fn target_mut(&mut self) -> &mut Option<Target> {
        &mut self.0.target
    }
    #[inline]
    pub fn unsettled(&self) -> Option<&Map> {
        self.0.unsettled.as_ref()
    }
    #[inline]
    pub fn unsettled_mut(&mut self) -> &mut Option<Map> {
        &mut self.0.unsettled
    }
    #[inline]
    pub fn incomplete_unsettled(&self) -> bool {
        self.0.incomplete_unsettled
    }
    #[inline]
    pub fn incomplete_unsettled_mut(&mut self) -> &mut bool {
        &mut self.0.incomplete_unsettled
    }
    #[inline]
    pub fn initial_delivery_count(&self) -> Option<SequenceNo> {
        self.0.initial_delivery_count
    }
    #[inline]
    pub fn initial_delivery_count_mut(&mut self) -> &mut Option<SequenceNo> {
        &mut self.0.initial_delivery_count
    }
    #[inline]
    pub fn max_message_size(&self) -> Option<u64> {
        self.0.max_message_size
    }
    #[inline]
    pub fn max_message_size_mut(&mut self) -> &mut Option<u64> {
        &mut self.0.max_message_size
    }
    #[inline]
    pub fn offered_capabilities(&self) -> Option<&Symbols> {
        self.0.offered_capabilities.as_ref()
    }
    #[inline]
    pub fn offered_capabilities_mut(&mut self) -> &mut Option<Symbols> {
        &mut self.0.offered_capabilities
    }
    #[inline]
    pub fn desired_capabilities(&self) -> Option<&Symbols> {
        self.0.desired_capabilities.as_ref()
    }
    #[inline]
    pub fn desired_capabilities_mut(&mut self) -> &mut Option<Symbols> {
        &mut self.0.desired_capabilities
    }
    #[inline]
    pub fn properties(&self) -> Option<&Fields> {
        self.0.properties.as_ref()
    }
    #[inline]
    pub fn properties_mut(&mut self) -> &mut Option<Fields> {
        &mut self.0.properties
    }
    #[inline]
    pub fn get_properties_mut(&mut self) -> &mut Fields {
        if self.0.properties.is_none() {
            self.0.properties = Some(Fields::default());
        }
        self.0.properties.as_mut().unwrap()
    }
    pub fn into_inner(self) -> Box<AttachInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
impl AttachBuilder {
    #[inline]
    pub fn name(mut self, val: ByteString) -> Self {
        self.0.name = val;
        self
    }
    #[inline]
    pub fn handle(mut self, val: Handle) -> Self {
        self.0.handle = val;
        self
    }
    #[inline]
    pub fn role(mut self, val: Role) -> Self {
        self.0.role = val;
        self
    }
    #[inline]
    pub fn snd_settle_mode(mut self, val: SenderSettleMode) -> Self {
        self.0.snd_settle_mode = val;
        self
    }
    #[inline]
    pub fn rcv_settle_mode(mut self, val: ReceiverSettleMode) -> Self {
        self.0.rcv_settle_mode = val;
        self
    }
    #[inline]
    pub fn source(mut self, val: Source) -> Self {
        self.0.source = Some(val);
        self
    }
    #[inline]
    pub fn target(mut self, val: Target) -> Self {
        self.0.target = Some(val);
        self
    }
    #[inline]
    pub fn unsettled(mut self, val: Map) -> Self {
        self.0.unsettled = Some(val);
        self
    }
    #[inline]
    pub fn incomplete_unsettled(mut self, val: bool) -> Self {
        self.0.incomplete_unsettled = val;
        self
    }
    #[inline]
    pub fn initial_delivery_count(mut self, val: SequenceNo) -> Self {
        self.0.initial_delivery_count = Some(val);
        self
    }
    #[inline]
    pub fn max_message_size(mut self, val: u64) -> Self {
        self.0.max_message_size = Some(val);
        self
    }
    #[inline]
    pub fn offered_capabilities(mut self, val: Symbols) -> Self {
        self.0.offered_capabilities = Some(val);
        self
    }
    #[inline]
    pub fn desired_capabilities(mut self, val: Symbols) -> Self {
        self.0.desired_capabilities = Some(val);
        self
    }
    #[inline]
    pub fn properties(mut self, val: Fields) -> Self {
        self.0.properties = Some(val);
        self
    }
    pub fn finish(self) -> Attach {
        Attach(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_attach_inner(input: &mut Bytes) -> Result<Attach, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let name: ByteString;
    if count > 0 {
        let decoded = ByteString::decode(&mut data)?;
        name = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("name"));
    }
    let handle: Handle;
    if count > 0 {
        let decoded = Handle::decode(&mut data)?;
        handle = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("handle"));
    }
    let role: Role;
    if count > 0 {
        let decoded = Role::decode(&mut data)?;
        role = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("role"));
    }
    let snd_settle_mode: SenderSettleMode;
    if count > 0 {
        let decoded = Option::<SenderSettleMode>::decode(&mut data)?;
        snd_settle_mode = decoded.unwrap_or(SenderSettleMode::Mixed);
        count -= 1;
    } else {
        snd_settle_mode = SenderSettleMode::Mixed;
    }
    let rcv_settle_mode: ReceiverSettleMode;
    if count > 0 {
        let decoded = Option::<ReceiverSettleMode>::decode(&mut data)?;
        rcv_settle_mode = decoded.unwrap_or(ReceiverSettleMode::First);
        count -= 1;
    } else {
        rcv_settle_mode = ReceiverSettleMode::First;
    }
    let source: Option<Source>;
    if count > 0 {
        source = Option::<Source>::decode(&mut data)?;
        count -= 1;
    } else {
        source = None;
    }
    let target: Option<Target>;
    if count > 0 {
        target = Option::<Target>::decode(&mut data)?;
        count -= 1;
    } else {
        target = None;
    }
    let unsettled: Option<Map>;
    if count > 0 {
        unsettled = Option::<Map>::decode(&mut data)?;
        count -= 1;
    } else {
        unsettled = None;
    }
    let incomplete_unsettled: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        incomplete_unsettled = decoded.unwrap_or(false);
        count -= 1;
    } else {
        incomplete_unsettled = false;
    }
    let initial_delivery_count: Option<SequenceNo>;
    if count > 0 {
        initial_delivery_count = Option::<SequenceNo>::decode(&mut data)?;
        count -= 1;
    } else {
        initial_delivery_count = None;
    }
    let max_message_size: Option<u64>;
    if count > 0 {
        max_message_size = Option::<u64>::decode(&mut data)?;
        count -= 1;
    } else {
        max_message_size = None;
    }
    let offered_capabilities: Option<Symbols>;
    if count > 0 {
        offered_capabilities = Option::<Symbols>::decode(&mut data)?;
        count -= 1;
    } else {
        offered_capabilities = None;
    }
    let desired_capabilities: Option<Symbols>;
    if count > 0 {
        desired_capabilities = Option::<Symbols>::decode(&mut data)?;
        count -= 1;
    } else {
        desired_capabilities = None;
    }
    let properties: Option<Fields>;
    if count > 0 {
        properties = Option::<Fields>::decode(&mut data)?;
        count -= 1;
    } else {
        properties = None;
    }
    Ok(Attach(Box::new(AttachInner {
        name,
        handle,
        role,
        snd_settle_mode,
        rcv_settle_mode,
        source,
        target,
        unsettled,
        incomplete_unsettled,
        initial_delivery_count,
        max_message_size,
        offered_capabilities,
        desired_capabilities,
        properties,
    })))
}
pub(super) fn encoded_size_attach_inner(list: &Attach) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.name.encoded_size()
        + list.0.handle.encoded_size()
        + list.0.role.encoded_size()
        + list.0.snd_settle_mode.encoded_size()
        + list.0.rcv_settle_mode.encoded_size()
        + list.0.source.encoded_size()
        + list.0.target.encoded_size()
        + list.0.unsettled.encoded_size()
        + list.0.incomplete_unsettled.encoded_size()
        + list.0.initial_delivery_count.encoded_size()
        + list.0.max_message_size.encoded_size()
        + list.0.offered_capabilities.encoded_size()
        + list.0.desired_capabilities.encoded_size()
        + list.0.properties.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
pub(super) fn encode_attach_inner(list: &Attach, buf: &mut BytePages) {
    Descriptor::Ulong(18).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.name.encoded_size()
        + list.0.handle.encoded_size()
        + list.0.role.encoded_size()
        + list.0.snd_settle_mode.encoded_size()
        + list.0.rcv_settle_mode.encoded_size()
        + list.0.source.encoded_size()
        + list.0.target.encoded_size()
        + list.0.unsettled.encoded_size()
        + list.0.incomplete_unsettled.encoded_size()
        + list.0.initial_delivery_count.encoded_size()
        + list.0.max_message_size.encoded_size()
        + list.0.offered_capabilities.encoded_size()
        + list.0.desired_capabilities.encoded_size()
        + list.0.properties.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Attach::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Attach::FIELD_COUNT as u8);
    }
    list.0.name.encode(buf);
    list.0.handle.encode(buf);
    list.0.role.encode(buf);
    list.0.snd_settle_mode.encode(buf);
    list.0.rcv_settle_mode.encode(buf);
    list.0.source.encode(buf);
    list.0.target.encode(buf);
    list.0.unsettled.encode(buf);
    list.0.incomplete_unsettled.encode(buf);
    list.0.initial_delivery_count.encode(buf);
    list.0.max_message_size.encode(buf);
    list.0.offered_capabilities.encode(buf);
    list.0.desired_capabilities.encode(buf);
    list.0.properties.encode(buf);
}
impl DecodeFormatted for Attach {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 18,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:attach:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_attach_inner(input)
        }
    }
}
impl Encode for Attach {
    fn encoded_size(&self) -> usize {
        encoded_size_attach_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_attach_inner(self, buf)
    }
}
