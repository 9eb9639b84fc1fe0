use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Disposition(pub Box<DispositionInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispositionBuilder(pub Box<DispositionInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DispositionInner {
    pub role: Role,
    pub first: DeliveryNumber,
    pub last: Option<DeliveryNumber>,
    pub settled: bool,
    pub state: Option<DeliveryState>,
    pub batchable: bool,
}
impl Disposition {
    pub fn build() -> DispositionBuilder {
        DispositionBuilder(Box::default())
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
    pub fn first(&self) -> DeliveryNumber {
        self.0.first
    }
    #[inline]
    pub fn first_mut(&mut self) -> &mut DeliveryNumber {
        &mut self.0.first
    }
    #[inline]
    pub fn last(&self) -> Option<DeliveryNumber> {
        self.0.last
    }
    #[inline]
    pub fn last_mut(&mut self) -> &mut Option<DeliveryNumber> {
        &mut self.0.last
    }
    #[inline]
    pub fn settled(&self) -> bool {
        self.0.settled
    }
    #[inline]
    pub fn settled_mut(&mut self) -> &mut bool {
        &mut self.0.settled
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
    pub fn batchable(&self) -> bool {
        self.0.batchable
    }
    #[inline]
    pub fn batchable_mut(&mut self) -> &mut bool {
        &mut self.0.batchable
    }
    pub fn into_inner(self) -> Box<DispositionInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1;
}
impl DispositionBuilder {
    #[inline]
    pub fn role(mut self, val: Role) -> Self {
        self.0.role = val;
        self
    }
    #[inline]
    pub fn first(mut self, val: DeliveryNumber) -> Self {
        self.0.first = val;
        self
    }
    #[inline]
    pub fn last(mut self, val: DeliveryNumber) -> Self {
        self.0.last = Some(val);
        self
    }
    #[inline]
    pub fn settled(mut self, val: bool) -> Self {
        self.0.settled = val;
        self
    }
    #[inline]
    pub fn state(mut self, val: DeliveryState) -> Self {
        self.0.state = Some(val);
        self
    }
    #[inline]
    pub fn batchable(mut self, val: bool) -> Self {
        self.0.batchable = val;
        self
    }
    pub fn finish(self) -> Disposition {
        Disposition(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_disposition_inner(input: &mut Bytes) -> Result<Disposition, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let role: Role;
    if count > 0 {
        let decoded = Role::decode(&mut data)?;
        role = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("role"));
    }
    let first: DeliveryNumber;
    if count > 0 {
        let decoded = DeliveryNumber::decode(&mut data)?;
        first = decoded;
        count -= 1;
    } else {
        return Err(AmqpParseError::RequiredFieldOmitted("first"));
    }
    let last: Option<DeliveryNumber>;
    if count > 0 {
        last = Option::<DeliveryNumber>::decode(&mut data)?;
        count -= 1;
    } else {
        last = None;
    }
    let settled: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        settled = decoded.unwrap_or(false);
        count -= 1;
    } else {
        settled = false;
    }
    let state: Option<DeliveryState>;
    if count > 0 {
        state = Option::<DeliveryState>::decode(&mut data)?;
        count -= 1;
    } else {
        state = None;
    }
    let batchable: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        batchable = decoded.unwrap_or(false);
        count -= 1;
    } else {
        batchable = false;
    }
    Ok(Disposition(Box::new(DispositionInner {
        role,
        first,
        last,
        settled,
        state,
        batchable,
    })))
}
pub(super) fn encoded_size_disposition_inner(list: &Disposition) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.role.encoded_size()
        + list.0.first.encoded_size()
        + list.0.last.encoded_size()
        + list.0.settled.encoded_size()
        + list.0.state.encoded_size()
        + list.0.batchable.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
pub(super) fn encode_disposition_inner(list: &Disposition, buf: &mut BytePages) {
    Descriptor::Ulong(21).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.role.encoded_size()
        + list.0.first.encoded_size()
        + list.0.last.encoded_size()
        + list.0.settled.encoded_size()
        + list.0.state.encoded_size()
        + list.0.batchable.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Disposition::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Disposition::FIELD_COUNT as u8);
    }
    list.0.role.encode(buf);
    list.0.first.encode(buf);
    list.0.last.encode(buf);
    list.0.settled.encode(buf);
    list.0.state.encode(buf);
    list.0.batchable.encode(buf);
}
impl DecodeFormatted for Disposition {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 21,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:disposition:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_disposition_inner(input)
        }
    }
}
impl Encode for Disposition {
    fn encoded_size(&self) -> usize {
        encoded_size_disposition_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_disposition_inner(self, buf)
    }
}
