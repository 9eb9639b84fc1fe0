use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Open(pub Box<OpenInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenBuilder(pub Box<OpenInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OpenInner {
    pub container_id: ByteString,
    pub hostname: Option<ByteString>,
    pub max_frame_size: u32,
    pub channel_max: u16,
    pub idle_time_out: Option<Milliseconds>,
    pub outgoing_locales: Option<IetfLanguageTags>,
    pub incoming_locales: Option<IetfLanguageTags>,
    pub offered_capabilities: Option<Symbols>,
    pub desired_capabilities: Option<Symbols>,
    pub properties: Option<Fields>,
}
impl Open {
    pub fn build() -> OpenBuilder {
        OpenBuilder(Box::default())
    }
    #[inline]
    pub fn container_id(&self) -> &ByteString {
        &self.0.container_id
    }
    #[inline]
    pub fn container_id_mut(&mut self) -> &mut ByteString {
        &mut self.0.container_id
    }
    #[inline]
    pub fn hostname(&self) -> Option<&ByteString> {
        self.0.hostname.as_ref()
    }
    #[inline]
    pub fn hostname_mut(&mut self) -> &mut Option<ByteString> {
        &mut self.0.hostname
    }
    #[inline]
    pub fn max_frame_size(&self) -> u32 {
        self.0.max_frame_size
    }
    #[inline]
    pub fn max_frame_size_mut(&mut self) -> &mut u32 {
        &mut self.0.max_frame_size
    }
    #[inline]
    pub fn channel_max(&self) -> u16 {
        self.0.channel_max
    }
    #[inline]
    pub fn channel_max_mut(&mut self) -> &mut u16 {
        &mut self.0.channel_max
    }
    #[inline]
    pub fn idle_time_out(&self) -> Option<Milliseconds> {
        self.0.idle_time_out
    }
    #[inline]
    pub fn idle_time_out_mut(&mut self) -> &mut Option<Milliseconds> {
        &mut self.0.idle_time_out
    }
    #[inline]
    pub fn outgoing_locales(&self) -> Option<&IetfLanguageTags> {
        self.0.outgoing_locales.as_ref()
    }
    #[inline]
    pub fn outgoing_locales_mut(&mut self) -> &mut Option<IetfLanguageTags> {
        &mut self.0.outgoing_locales
    }
    #[inline]
    pub fn incoming_locales(&self) -> Option<&IetfLanguageTags> {
        self.0.incoming_locales.as_ref()
    }
    #[inline]
    pub fn incoming_locales_mut(&mut self) -> &mut Option<IetfLanguageTags> {
        &mut self.0.incoming_locales
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
    pub fn into_inner(self) -> Box<OpenInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
impl OpenBuilder {
    #[inline]
    pub fn container_id(mut self, val: ByteString) -> Self {
        self.0.container_id = val;
        self
    }
    #[inline]
    pub fn hostname(mut self, val: ByteString) -> Self {
        self.0.hostname = Some(val);
        self
    }
    #[inline]
    pub fn max_frame_size(mut self, val: u32) -> Self {
        self.0.max_frame_size = val;
        self
    }
    #[inline]
    pub fn channel_max(mut self, val: u16) -> Self {
        self.0.channel_max = val;
        self
    }
    #[inline]
    pub fn idle_time_out(mut self, val: Milliseconds) -> Self {
        self.0.idle_time_out = Some(val);
        self
    }
    #[inline]
    pub fn outgoing_locales(mut self, val: IetfLanguageTags) -> Self {
        self.0.outgoing_locales = Some(val);
        self
    }
    #[inline]
    pub fn incoming_locales(mut self, val: IetfLanguageTags) -> Self {
        self.0.incoming_locales = Some(val);
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
    pub fn finish(self) -> Open {
        Open(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_open_inner(input: &mut Bytes) -> Result<Open, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let container_id: ByteString;
    if count > 0 {
        let decoded = ByteString::decode(&mut data)?;
        container_id = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("container_id"));
    }
    let hostname: Option<ByteString>;
    if count > 0 {
        hostname = Option::<ByteString>::decode(&mut data)?;
        count -= 1;
    } else {
        hostname = None;
    }
    let max_frame_size: u32;
    if count > 0 {
        let decoded = Option::<u32>::decode(&mut data)?;
        max_frame_size = decoded.unwrap_or(4294967295);
        count -= 1;
    } else {
        max_frame_size = 4294967295;
    }
    let channel_max: u16;
    if count > 0 {
        let decoded = Option::<u16>::decode(&mut data)?;
        channel_max = decoded.unwrap_or(65535);
        count -= 1;
    } else {
        channel_max = 65535;
    }
    let idle_time_out: Option<Milliseconds>;
    if count > 0 {
        idle_time_out = Option::<Milliseconds>::decode(&mut data)?;
        count -= 1;
    } else {
        idle_time_out = None;
    }
    let outgoing_locales: Option<IetfLanguageTags>;
    if count > 0 {
        outgoing_locales = Option::<IetfLanguageTags>::decode(&mut data)?;
        count -= 1;
    } else {
        outgoing_locales = None;
    }
    let incoming_locales: Option<IetfLanguageTags>;
    if count > 0 {
        incoming_locales = Option::<IetfLanguageTags>::decode(&mut data)?;
        count -= 1;
    } else {
        incoming_locales = None;
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
    Ok(Open(Box::new(OpenInner {
        container_id,
        hostname,
        max_frame_size,
        channel_max,
        idle_time_out,
        outgoing_locales,
        incoming_locales,
        offered_capabilities,
        desired_capabilities,
        properties,
    })))
}
pub(super) fn encoded_size_open_inner(list: &Open) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.container_id.encoded_size()
        + list.0.hostname.encoded_size()
        + list.0.max_frame_size.encoded_size()
        + list.0.channel_max.encoded_size()
        + list.0.idle_time_out.encoded_size()
        + list.0.outgoing_locales.encoded_size()
        + list.0.incoming_locales.encoded_size()
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
pub(super) fn encode_open_inner(list: &Open, buf: &mut BytePages) {
    Descriptor::Ulong(16).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.container_id.encoded_size()
        + list.0.hostname.encoded_size()
        + list.0.max_frame_size.encoded_size()
        + list.0.channel_max.encoded_size()
        + list.0.idle_time_out.encoded_size()
        + list.0.outgoing_locales.encoded_size()
        + list.0.incoming_locales.encoded_size()
        + list.0.offered_capabilities.encoded_size()
        + list.0.desired_capabilities.encoded_size()
        + list.0.properties.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Open::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Open::FIELD_COUNT as u8);
    }
    list.0.container_id.encode(buf);
    list.0.hostname.encode(buf);
    list.0.max_frame_size.encode(buf);
    list.0.channel_max.encode(buf);
    list.0.idle_time_out.encode(buf);
    list.0.outgoing_locales.encode(buf);
    list.0.incoming_locales.encode(buf);
    list.0.offered_capabilities.encode(buf);
    list.0.desired_capabilities.encode(buf);
    list.0.properties.encode(buf);
}
impl DecodeFormatted for Open {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 16,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:open:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_open_inner(input)
        }
    }
}
impl Encode for Open {
    fn encoded_size(&self) -> usize {
        encoded_size_open_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_open_inner(self, buf)
    }
}
