use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Begin(pub Box<BeginInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BeginBuilder(pub Box<BeginInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BeginInner {
    pub remote_channel: Option<u16>,
    pub next_outgoing_id: TransferNumber,
    pub incoming_window: u32,
    pub outgoing_window: u32,
    pub handle_max: Handle,
    pub offered_capabilities: Option<Symbols>,
    pub desired_capabilities: Option<Symbols>,
    pub properties: Option<Fields>,
}
impl Begin {
    pub fn build() -> BeginBuilder {
        BeginBuilder(Box::default())
    }
    #[inline]
    pub fn remote_channel(&self) -> Option<u16> {
        self.0.remote_channel
    }
    #[inline]
    pub fn remote_channel_mut(&mut self) -> &mut Option<u16> {
        &mut self.0.remote_channel
    }
    #[inline]
    pub fn next_outgoing_id(&self) -> TransferNumber {
        self.0.next_outgoing_id
    }
    #[inline]
    pub fn next_outgoing_id_mut(&mut self) -> &mut TransferNumber {
        &mut self.0.next_outgoing_id
    }
    #[inline]
    pub fn incoming_window(&self) -> u32 {
        self.0.incoming_window
    }
    #[inline]
    pub fn incoming_window_mut(&mut self) -> &mut u32 {
        &mut self.0.incoming_window
    }
    #[inline]
    pub fn outgoing_window(&self) -> u32 {
        self.0.outgoing_window
    }
    #[inline]
    pub fn outgoing_window_mut(&mut self) -> &mut u32 {
        &mut self.0.outgoing_window
    }
    #[inline]
    pub fn handle_max(&self) -> Handle {
        self.0.handle_max
    }
    #[inline]
    pub fn handle_max_mut(&mut self) -> &mut Handle {
        &mut self.0.handle_max
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
    pub fn into_inner(self) -> Box<BeginInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
impl BeginBuilder {
    #[inline]
    pub fn remote_channel(mut self, val: u16) -> Self {
        self.0.remote_channel = Some(val);
        self
    }
    #[inline]
    pub fn next_outgoing_id(mut self, val: TransferNumber) -> Self {
        self.0.next_outgoing_id = val;
        self
    }
    #[inline]
    pub fn incoming_window(mut self, val: u32) -> Self {
        self.0.incoming_window = val;
        self
    }
    #[inline]
    pub fn outgoing_window(mut self, val: u32) -> Self {
        self.0.outgoing_window = val;
        self
    }
    #[inline]
    pub fn handle_max(mut self, val: Handle) -> Self {
        self.0.handle_max = val;
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
    pub fn finish(self) -> Begin {
        Begin(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_begin_inner(input: &mut Bytes) -> Result<Begin, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let remote_channel: Option<u16>;
    if count > 0 {
        remote_channel = Option::<u16>::decode(&mut data)?;
        count -= 1;
    } else {
        remote_channel = None;
    }
    let next_outgoing_id: TransferNumber;
    if count > 0 {
        let decoded = TransferNumber::decode(&mut data)?;
        next_outgoing_id = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("next_outgoing_id"));
    }
    let incoming_window: u32;
    if count > 0 {
        let decoded = u32::decode(&mut data)?;
        incoming_window = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("incoming_window"));
    }
    let outgoing_window: u32;
    if count > 0 {
        let decoded = u32::decode(&mut data)?;
        outgoing_window = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("outgoing_window"));
    }
    let handle_max: Handle;
    if count > 0 {
        let decoded = Option::<Handle>::decode(&mut data)?;
        handle_max = decoded.unwrap_or(4294967295);
        count -= 1;
    } else {
        handle_max = 4294967295;
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
    Ok(Begin(Box::new(BeginInner {
        remote_channel,
        next_outgoing_id,
        incoming_window,
        outgoing_window,
        handle_max,
        offered_capabilities,
        desired_capabilities,
        properties,
    })))
}
pub(super) fn encoded_size_begin_inner(list: &Begin) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.remote_channel.encoded_size()
        + list.0.next_outgoing_id.encoded_size()
        + list.0.incoming_window.encoded_size()
        + list.0.outgoing_window.encoded_size()
        + list.0.handle_max.encoded_size()
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
pub(super) fn encode_begin_inner(list: &Begin, buf: &mut BytePages) {
    Descriptor::Ulong(17).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.remote_channel.encoded_size()
        + list.0.next_outgoing_id.encoded_size()
        + list.0.incoming_window.encoded_size()
        + list.0.outgoing_window.encoded_size()
        + list.0.handle_max.encoded_size()
        + list.0.offered_capabilities.encoded_size()
        + list.0.desired_capabilities.encoded_size()
        + list.0.properties.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Begin::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Begin::FIELD_COUNT as u8);
    }
    list.0.remote_channel.encode(buf);
    list.0.next_outgoing_id.encode(buf);
    list.0.incoming_window.encode(buf);
    list.0.outgoing_window.encode(buf);
    list.0.handle_max.encode(buf);
    list.0.offered_capabilities.encode(buf);
    list.0.desired_capabilities.encode(buf);
    list.0.properties.encode(buf);
}
impl DecodeFormatted for Begin {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 17,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:begin:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_begin_inner(input)
        }
    }
}
impl Encode for Begin {
    fn encoded_size(&self) -> usize {
        encoded_size_begin_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_begin_inner(self, buf)
    }
}
