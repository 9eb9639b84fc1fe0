use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Flow(pub Box<FlowInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowBuilder(pub Box<FlowInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FlowInner {
    pub next_incoming_id: Option<TransferNumber>,
    pub incoming_window: u32,
    pub next_outgoing_id: TransferNumber,
    pub outgoing_window: u32,
    pub handle: Option<Handle>,
    pub delivery_count: Option<SequenceNo>,
    pub link_credit: Option<u32>,
    pub available: Option<u32>,
    pub drain: bool,
    pub echo: bool,
    pub properties: Option<Fields>,
}
impl Flow {
    pub fn build() -> FlowBuilder {
        FlowBuilder(Box::default())
    }
    #[inline]
    pub fn next_incoming_id(&self) -> Option<TransferNumber> {
        self.0.next_incoming_id
    }
    #[inline]
    pub fn next_incoming_id_mut(&mut self) -> &mut Option<TransferNumber> {
        &mut self.0.next_incoming_id
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
    pub fn next_outgoing_id(&self) -> TransferNumber {
        self.0.next_outgoing_id
    }
    #[inline]
    pub fn next_outgoing_id_mut(&mut self) -> &mut TransferNumber {
        &mut self.0.next_outgoing_id
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
    pub fn handle(&self) -> Option<Handle> {
        self.0.handle
    }
    #[inline]
    pub fn handle_mut(&mut self) -> &mut Option<Handle> {
        &mut self.0.handle
    }
    #[inline]
    pub fn delivery_count(&self) -> Option<SequenceNo> {
        self.0.delivery_count
    }
    #[inline]
    pub fn delivery_count_mut(&mut self) -> &mut Option<SequenceNo> {
        &mut self.0.delivery_count
    }
    #[inline]
    pub fn link_credit(&self) -> Option<u32> {
        self.0.link_credit
    }
    #[inline]
    pub fn link_credit_mut(&mut self) -> &mut Option<u32> {
        &mut self.0.link_credit
    }
    #[inline]
    pub fn available(&self) -> Option<u32> {
        self.0.available
    }
    #[inline]
    pub fn available_mut(&mut self) -> &mut Option<u32> {
        &mut self.0.available
    }
    #[inline]
    pub fn drain(&self) -> bool {
        self.0.drain
    }
    #[inline]
    pub fn drain_mut(&mut self) -> &mut bool {
        &mut self.0.drain
    }
    #[inline]
    pub fn echo(&self) -> bool {
        self.0.echo
    }
    #[inline]
    pub fn echo_mut(&mut self) -> &mut bool {
        &mut self.0.echo
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
    pub fn into_inner(self) -> Box<FlowInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
impl FlowBuilder {
    #[inline]
    pub fn next_incoming_id(mut self, val: TransferNumber) -> Self {
        self.0.next_incoming_id = Some(val);
        self
    }
    #[inline]
    pub fn incoming_window(mut self, val: u32) -> Self {
        self.0.incoming_window = val;
        self
    }
    #[inline]
    pub fn next_outgoing_id(mut self, val: TransferNumber) -> Self {
        self.0.next_outgoing_id = val;
        self
    }
    #[inline]
    pub fn outgoing_window(mut self, val: u32) -> Self {
        self.0.outgoing_window = val;
        self
    }
    #[inline]
    pub fn handle(mut self, val: Handle) -> Self {
        self.0.handle = Some(val);
        self
    }
    #[inline]
    pub fn delivery_count(mut self, val: SequenceNo) -> Self {
        self.0.delivery_count = Some(val);
        self
    }
    #[inline]
    pub fn link_credit(mut self, val: u32) -> Self {
        self.0.link_credit = Some(val);
        self
    }
    #[inline]
    pub fn available(mut self, val: u32) -> Self {
        self.0.available = Some(val);
        self
    }
    #[inline]
    pub fn drain(mut self, val: bool) -> Self {
        self.0.drain = val;
        self
    }
    #[inline]
    pub fn echo(mut self, val: bool) -> Self {
        self.0.echo = val;
        self
    }
    #[inline]
    pub fn properties(mut self, val: Fields) -> Self {
        self.0.properties = Some(val);
        self
    }
    pub fn finish(self) -> Flow {
        Flow(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_flow_inner(input: &mut Bytes) -> Result<Flow, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let next_incoming_id: Option<TransferNumber>;
    if count > 0 {
        next_incoming_id = Option::<TransferNumber>::decode(&mut data)?;
        count -= 1;
    } else {
        next_incoming_id = None;
    }
    let incoming_window: u32;
    if count > 0 {
        let decoded = u32::decode(&mut data)?;
        incoming_window = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("incoming_window"));
    }
    let next_outgoing_id: TransferNumber;
    if count > 0 {
        let decoded = TransferNumber::decode(&mut data)?;
        next_outgoing_id = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("next_outgoing_id"));
    }
    let outgoing_window: u32;
    if count > 0 {
        let decoded = u32::decode(&mut data)?;
        outgoing_window = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("outgoing_window"));
    }
    let handle: Option<Handle>;
    if count > 0 {
        handle = Option::<Handle>::decode(&mut data)?;
        count -= 1;
    } else {
        handle = None;
    }
    let delivery_count: Option<SequenceNo>;
    if count > 0 {
        delivery_count = Option::<SequenceNo>::decode(&mut data)?;
        count -= 1;
    } else {
        delivery_count = None;
    }
    let link_credit: Option<u32>;
    if count > 0 {
        link_credit = Option::<u32>::decode(&mut data)?;
        count -= 1;
    } else {
        link_credit = None;
    }
    let available: Option<u32>;
    if count > 0 {
        available = Option::<u32>::decode(&mut data)?;
        count -= 1;
    } else {
        available = None;
    }
    let drain: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        drain = decoded.unwrap_or(false);
        count -= 1;
    } else {
        drain = false;
    }
    let echo: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        echo = decoded.unwrap_or(false);
        count -= 1;
    } else {
        echo = false;
    }
    let properties: Option<Fields>;
    if count > 0 {
        properties = Option::<Fields>::decode(&mut data)?;
        count -= 1;
    } else {
        properties = None;
    }
    Ok(Flow(Box::new(FlowInner {
        next_incoming_id,
        incoming_window,
        next_outgoing_id,
        outgoing_window,
        handle,
        delivery_count,
        link_credit,
        available,
        drain,
        echo,
        properties,
    })))
}
pub(super) fn encoded_size_flow_inner(list: &Flow) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.next_incoming_id.encoded_size()
        + list.0.incoming_window.encoded_size()
        + list.0.next_outgoing_id.encoded_size()
        + list.0.outgoing_window.encoded_size()
        + list.0.handle.encoded_size()
        + list.0.delivery_count.encoded_size()
        + list.0.link_credit.encoded_size()
        + list.0.available.encoded_size()
        + list.0.drain.encoded_size()
        + list.0.echo.encoded_size()
        + list.0.properties.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
pub(super) fn encode_flow_inner(list: &Flow, buf: &mut BytePages) {
    Descriptor::Ulong(19).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.next_incoming_id.encoded_size()
        + list.0.incoming_window.encoded_size()
        + list.0.next_outgoing_id.encoded_size()
        + list.0.outgoing_window.encoded_size()
        + list.0.handle.encoded_size()
        + list.0.delivery_count.encoded_size()
        + list.0.link_credit.encoded_size()
        + list.0.available.encoded_size()
        + list.0.drain.encoded_size()
        + list.0.echo.encoded_size()
        + list.0.properties.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Flow::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Flow::FIELD_COUNT as u8);
    }
    list.0.next_incoming_id.encode(buf);
    list.0.incoming_window.encode(buf);
    list.0.next_outgoing_id.encode(buf);
    list.0.outgoing_window.encode(buf);
    list.0.handle.encode(buf);
    list.0.delivery_count.encode(buf);
    list.0.link_credit.encode(buf);
    list.0.available.encode(buf);
    list.0.drain.encode(buf);
    list.0.echo.encode(buf);
    list.0.properties.encode(buf);
}
impl DecodeFormatted for Flow {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 19,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:flow:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_flow_inner(input)
        }
    }
}
impl Encode for Flow {
    fn encoded_size(&self) -> usize {
        encoded_size_flow_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_flow_inner(self, buf)
    }
}
