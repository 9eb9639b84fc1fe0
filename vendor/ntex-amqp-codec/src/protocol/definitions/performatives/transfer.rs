use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Transfer(pub Box<TransferInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferBuilder(pub Box<TransferInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TransferInner {
    pub handle: Handle,
    pub delivery_id: Option<DeliveryNumber>,
    pub delivery_tag: Option<DeliveryTag>,
    pub message_format: Option<MessageFormat>,
    pub settled: Option<bool>,
    pub more: bool,
    pub rcv_settle_mode: Option<ReceiverSettleMode>,
    pub state: Option<DeliveryState>,
    pub resume: bool,
    pub aborted: bool,
    pub batchable: bool,
    pub body: Option<TransferBody>,
}
impl Transfer {
    pub fn build() -> TransferBuilder {
        TransferBuilder(Box::default())
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
    pub fn delivery_id(&self) -> Option<DeliveryNumber> {
        self.0.delivery_id
    }
    #[inline]
    pub fn delivery_id_mut(&mut self) -> &mut Option<DeliveryNumber> {
        &mut self.0.delivery_id
    }
    #[inline]
    pub fn delivery_tag(&self) -> Option<&DeliveryTag> {
        self.0.delivery_tag.as_ref()
    }
    #[inline]
    pub fn delivery_tag_mut(&mut self) -> &mut Option<DeliveryTag> {
        &mut self.0.delivery_tag
    }
    #[inline]
    pub fn message_format(&self) -> Option<MessageFormat> {
        self.0.message_format
    }
    #[inline]
    pub fn message_format_mut(&mut self) -> &mut Option<MessageFormat> {
        &mut self.0.message_format
    }
    #[inline]
    pub fn settled(&self) -> Option<bool> {
        self.0.settled
    }
    #[inline]
    pub fn settled_mut(&mut self) -> &mut Option<bool> {
        &mut self.0.settled
    }
    #[inline]
    pub fn more(&self) -> bool {
        self.0.more
    }
    #[inline]
    pub fn more_mut(&mut self) -> &mut bool {
        &mut self.0.more
    }
    #[inline]
    pub fn rcv_settle_mode(&self) -> Option<ReceiverSettleMode> {
        self.0.rcv_settle_mode
    }
    #[inline]
    pub fn rcv_settle_mode_mut(&mut self) -> &mut Option<ReceiverSettleMode> {
        &mut self.0.rcv_settle_mode
    }
    #[inline]
    pub fn state(&self) -> Option<&DeliveryState> {
        self.0.state.as_ref()
    }
    #[inline]
    pub fn state_mut(&mut self) -> &mut Option<DeliveryState> {
        &mut self.0.state
    }
    #[inline]
    pub fn resume(&self) -> bool {
        self.0.resume
    }
    #[inline]
    pub fn resume_mut(&mut self) -> &mut bool {
        &mut self.0.resume
    }
    #[inline]
    pub fn aborted(&self) -> bool {
        self.0.aborted
    }
    #[inline]
    pub fn aborted_mut(&mut self) -> &mut bool {
        &mut self.0.aborted
    }
    #[inline]
    pub fn batchable(&self) -> bool {
        self.0.batchable
    }
    #[inline]
    pub fn batchable_mut(&mut self) -> &mut bool {
        &mut self.0.batchable
    }
    #[inline]
    pub fn body(&self) -> Option<&TransferBody> {
        self.0.body.as_ref()
    }
    pub fn into_inner(self) -> Box<TransferInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
impl TransferBuilder {
    #[inline]
    pub fn handle(mut self, val: Handle) -> Self {
        self.0.handle = val;
        self
    }
    #[inline]
    pub fn delivery_id(mut self, val: DeliveryNumber) -> Self {
        self.0.delivery_id = Some(val);
        self
    }
    #[inline]
    pub fn delivery_tag(mut self, val: DeliveryTag) -> Self {
        self.0.delivery_tag = Some(val);
        self
    }
    #[inline]
    pub fn message_format(mut self, val: MessageFormat) -> Self {
        self.0.message_format = Some(val);
        self
    }
    #[inline]
    pub fn settled(mut self, val: bool) -> Self {
        self.0.settled = Some(val);
        self
    }
    #[inline]
    pub fn more(mut self, val: bool) -> Self {
        self.0.more = val;
        self
    }
    #[inline]
    pub fn rcv_settle_mode(mut self, val: ReceiverSettleMode) -> Self {
        self.0.rcv_settle_mode = Some(val);
        self
    }
    #[inline]
    pub fn state(mut self, val: DeliveryState) -> Self {
        self.0.state = Some(val);
        self
    }
    #[inline]
    pub fn resume(mut self, val: bool) -> Self {
        self.0.resume = val;
        self
    }
    #[inline]
    pub fn aborted(mut self, val: bool) -> Self {
        self.0.aborted = val;
        self
    }
    #[inline]
    pub fn batchable(mut self, val: bool) -> Self {
        self.0.batchable = val;
        self
    }
    #[inline]
    pub fn body(mut self, body: TransferBody) -> Self {
        self.0.body = Some(body);
        self
    }
    pub fn finish(self) -> Transfer {
        Transfer(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_transfer_inner(input: &mut Bytes) -> Result<Transfer, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let handle: Handle;
    if count > 0 {
        let decoded = Handle::decode(&mut data)?;
        handle = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("handle"));
    }
    let delivery_id: Option<DeliveryNumber>;
    if count > 0 {
        delivery_id = Option::<DeliveryNumber>::decode(&mut data)?;
        count -= 1;
    } else {
        delivery_id = None;
    }
    let delivery_tag: Option<DeliveryTag>;
    if count > 0 {
        delivery_tag = Option::<DeliveryTag>::decode(&mut data)?;
        count -= 1;
    } else {
        delivery_tag = None;
    }
    let message_format: Option<MessageFormat>;
    if count > 0 {
        message_format = Option::<MessageFormat>::decode(&mut data)?;
        count -= 1;
    } else {
        message_format = None;
    }
    let settled: Option<bool>;
    if count > 0 {
        settled = Option::<bool>::decode(&mut data)?;
        count -= 1;
    } else {
        settled = None;
    }
    let more: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        more = decoded.unwrap_or(false);
        count -= 1;
    } else {
        more = false;
    }
    let rcv_settle_mode: Option<ReceiverSettleMode>;
    if count > 0 {
        rcv_settle_mode = Option::<ReceiverSettleMode>::decode(&mut data)?;
        count -= 1;
    } else {
        rcv_settle_mode = None;
    }
    let state: Option<DeliveryState>;
    if count > 0 {
        state = Option::<DeliveryState>::decode(&mut data)?;
        count -= 1;
    } else {
        state = None;
    }
    let resume: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        resume = decoded.unwrap_or(false);
        count -= 1;
    } else {
        resume = false;
    }
    let aborted: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        aborted = decoded.unwrap_or(false);
        count -= 1;
    } else {
        aborted = false;
    }
    let batchable: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        batchable = decoded.unwrap_or(false);
        count -= 1;
    } else {
        batchable = false;
    }
    let body = if input.is_empty() {
        None
    } else {
        Some(input.split_to(input.len()).into())
    };
    Ok(Transfer(Box::new(TransferInner {
        handle,
        delivery_id,
        delivery_tag,
        message_format,
        settled,
        more,
        rcv_settle_mode,
        state,
        resume,
        aborted,
        batchable,
        body,
    })))
}
pub(super) fn encoded_size_transfer_inner(list: &Transfer) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.handle.encoded_size()
        + list.0.delivery_id.encoded_size()
        + list.0.delivery_tag.encoded_size()
        + list.0.message_format.encoded_size()
        + list.0.settled.encoded_size()
        + list.0.more.encoded_size()
        + list.0.rcv_settle_mode.encoded_size()
        + list.0.state.encoded_size()
        + list.0.resume.encoded_size()
        + list.0.aborted.encoded_size()
        + list.0.batchable.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
        + list.0.body.as_ref().map(|b| b.len()).unwrap_or(0)
}
pub(super) fn encode_transfer_inner(list: &Transfer, buf: &mut BytePages) {
    Descriptor::Ulong(20).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.handle.encoded_size()
        + list.0.delivery_id.encoded_size()
        + list.0.delivery_tag.encoded_size()
        + list.0.message_format.encoded_size()
        + list.0.settled.encoded_size()
        + list.0.more.encoded_size()
        + list.0.rcv_settle_mode.encoded_size()
        + list.0.state.encoded_size()
        + list.0.resume.encoded_size()
        + list.0.aborted.encoded_size()
        + list.0.batchable.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Transfer::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Transfer::FIELD_COUNT as u8);
    }
    list.0.handle.encode(buf);
    list.0.delivery_id.encode(buf);
    list.0.delivery_tag.encode(buf);
    list.0.message_format.encode(buf);
    list.0.settled.encode(buf);
    list.0.more.encode(buf);
    list.0.rcv_settle_mode.encode(buf);
    list.0.state.encode(buf);
    list.0.resume.encode(buf);
    list.0.aborted.encode(buf);
    list.0.batchable.encode(buf);
    if let Some(body) = list.body() {
        body.encode(buf)
    }
}
impl DecodeFormatted for Transfer {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 20,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:transfer:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_transfer_inner(input)
        }
    }
}
impl Encode for Transfer {
    fn encoded_size(&self) -> usize {
        encoded_size_transfer_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_transfer_inner(self, buf)
    }
}
