use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Detach(pub Box<DetachInner>);
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetachBuilder(pub Box<DetachInner>);
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DetachInner {
    pub handle: Handle,
    pub closed: bool,
    pub error: Option<Error>,
}
impl Detach {
    pub fn build() -> DetachBuilder {
        DetachBuilder(Box::default())
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
    pub fn closed(&self) -> bool {
        self.0.closed
    }
    #[inline]
    pub fn closed_mut(&mut self) -> &mut bool {
        &mut self.0.closed
    }
    #[inline]
    pub fn error(&self) -> Option<&Error> {
        self.0.error.as_ref()
    }
    #[inline]
    pub fn error_mut(&mut self) -> &mut Option<Error> {
        &mut self.0.error
    }
    pub fn into_inner(self) -> Box<DetachInner> {
        self.0
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1;
}
impl DetachBuilder {
    #[inline]
    pub fn handle(mut self, val: Handle) -> Self {
        self.0.handle = val;
        self
    }
    #[inline]
    pub fn closed(mut self, val: bool) -> Self {
        self.0.closed = val;
        self
    }
    #[inline]
    pub fn error(mut self, val: Error) -> Self {
        self.0.error = Some(val);
        self
    }
    pub fn finish(self) -> Detach {
        Detach(self.0)
    }
}
#[allow(unused_mut)]
pub(super) fn decode_detach_inner(input: &mut Bytes) -> Result<Detach, AmqpParseError> {
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
    let closed: bool;
    if count > 0 {
        let decoded = Option::<bool>::decode(&mut data)?;
        closed = decoded.unwrap_or(false);
        count -= 1;
    } else {
        closed = false;
    }
    let error: Option<Error>;
    if count > 0 {
        error = Option::<Error>::decode(&mut data)?;
        count -= 1;
    } else {
        error = None;
    }
    Ok(Detach(Box::new(DetachInner {
        handle,
        closed,
        error,
    })))
}
pub(super) fn encoded_size_detach_inner(list: &Detach) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.handle.encoded_size()
        + list.0.closed.encoded_size()
        + list.0.error.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
pub(super) fn encode_detach_inner(list: &Detach, buf: &mut BytePages) {
    Descriptor::Ulong(22).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.0.handle.encoded_size()
        + list.0.closed.encoded_size()
        + list.0.error.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Detach::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Detach::FIELD_COUNT as u8);
    }
    list.0.handle.encode(buf);
    list.0.closed.encode(buf);
    list.0.error.encode(buf);
}
impl DecodeFormatted for Detach {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 22,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:detach:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_detach_inner(input)
        }
    }
}
impl Encode for Detach {
    fn encoded_size(&self) -> usize {
        encoded_size_detach_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_detach_inner(self, buf)
    }
}
