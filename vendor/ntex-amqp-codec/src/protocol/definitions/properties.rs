//! The `properties` message section (AMQP 1.0 §3.2.4).
use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Properties {
    pub message_id: Option<MessageId>,
    pub user_id: Option<Bytes>,
    pub to: Option<Address>,
    pub subject: Option<ByteString>,
    pub reply_to: Option<Address>,
    pub correlation_id: Option<MessageId>,
    pub content_type: Option<Symbol>,
    pub content_encoding: Option<Symbol>,
    pub absolute_expiry_time: Option<Timestamp>,
    pub creation_time: Option<Timestamp>,
    pub group_id: Option<ByteString>,
    pub group_sequence: Option<SequenceNo>,
    pub reply_to_group_id: Option<ByteString>,
}
impl Properties {
    #[inline]
    pub fn message_id(&self) -> Option<&MessageId> {
        self.message_id.as_ref()
    }
    #[inline]
    pub fn message_id_mut(&mut self) -> &mut Option<MessageId> {
        &mut self.message_id
    }
    #[inline]
    pub fn user_id(&self) -> Option<&Bytes> {
        self.user_id.as_ref()
    }
    #[inline]
    pub fn user_id_mut(&mut self) -> &mut Option<Bytes> {
        &mut self.user_id
    }
    #[inline]
    pub fn to(&self) -> Option<&Address> {
        self.to.as_ref()
    }
    #[inline]
    pub fn to_mut(&mut self) -> &mut Option<Address> {
        &mut self.to
    }
    #[inline]
    pub fn subject(&self) -> Option<&ByteString> {
        self.subject.as_ref()
    }
    #[inline]
    pub fn subject_mut(&mut self) -> &mut Option<ByteString> {
        &mut self.subject
    }
    #[inline]
    pub fn reply_to(&self) -> Option<&Address> {
        self.reply_to.as_ref()
    }
    #[inline]
    pub fn reply_to_mut(&mut self) -> &mut Option<Address> {
        &mut self.reply_to
    }
    #[inline]
    pub fn correlation_id(&self) -> Option<&MessageId> {
        self.correlation_id.as_ref()
    }
    #[inline]
    pub fn correlation_id_mut(&mut self) -> &mut Option<MessageId> {
        &mut self.correlation_id
    }
    #[inline]
    pub fn content_type(&self) -> Option<&Symbol> {
        self.content_type.as_ref()
    }
    #[inline]
    pub fn content_type_mut(&mut self) -> &mut Option<Symbol> {
        &mut self.content_type
    }
    #[inline]
    pub fn content_encoding(&self) -> Option<&Symbol> {
        self.content_encoding.as_ref()
    }
    #[inline]
    pub fn content_encoding_mut(&mut self) -> &mut Option<Symbol> {
        &mut self.content_encoding
    }
    #[inline]
    pub fn absolute_expiry_time(&self) -> Option<Timestamp> {
        self.absolute_expiry_time
    }
    #[inline]
    pub fn absolute_expiry_time_mut(&mut self) -> &mut Option<Timestamp> {
        &mut self.absolute_expiry_time
    }
    #[inline]
    pub fn creation_time(&self) -> Option<Timestamp> {
        self.creation_time
    }
    #[inline]
    pub fn creation_time_mut(&mut self) -> &mut Option<Timestamp> {
        &mut self.creation_time
    }
    #[inline]
    pub fn group_id(&self) -> Option<&ByteString> {
        self.group_id.as_ref()
    }
    #[inline]
    pub fn group_id_mut(&mut self) -> &mut Option<ByteString> {
        &mut self.group_id
    }
    #[inline]
    pub fn group_sequence(&self) -> Option<SequenceNo> {
        self.group_sequence
    }
    #[inline]
    pub fn group_sequence_mut(&mut self) -> &mut Option<SequenceNo> {
        &mut self.group_sequence
    }
    #[inline]
    pub fn reply_to_group_id(&self) -> Option<&ByteString> {
        self.reply_to_group_id.as_ref()
    }
    #[inline]
    pub fn reply_to_group_id_mut(&mut self) -> &mut Option<ByteString> {
        &mut self.reply_to_group_id
    }
    #[allow(clippy::identity_op)]
    const FIELD_COUNT: usize = 0 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}
#[allow(unused_mut)]
pub(super) fn decode_properties_inner(input: &mut Bytes) -> Result<Properties, AmqpParseError> {
    let format = decode_format_code(input)?;
    let header = ListHeader::decode_with_format(input, format)?;
    let size = header.size as usize;
    decode_check_len!(input, size);
    let mut data = input.split_to(size);
    let mut count = header.count;
    let message_id: Option<MessageId>;
    if count > 0 {
        message_id = Option::<MessageId>::decode(&mut data)?;
        count -= 1;
    } else {
        message_id = None;
    }
    let user_id: Option<Bytes>;
    if count > 0 {
        user_id = Option::<Bytes>::decode(&mut data)?;
        count -= 1;
    } else {
        user_id = None;
    }
    let to: Option<Address>;
    if count > 0 {
        to = Option::<Address>::decode(&mut data)?;
        count -= 1;
    } else {
        to = None;
    }
    let subject: Option<ByteString>;
    if count > 0 {
        subject = Option::<ByteString>::decode(&mut data)?;
        count -= 1;
    } else {
        subject = None;
    }
    let reply_to: Option<Address>;
    if count > 0 {
        reply_to = Option::<Address>::decode(&mut data)?;
        count -= 1;
    } else {
        reply_to = None;
    }
    let correlation_id: Option<MessageId>;
    if count > 0 {
        correlation_id = Option::<MessageId>::decode(&mut data)?;
        count -= 1;
    } else {
        correlation_id = None;
    }
    let content_type: Option<Symbol>;
    if count > 0 {
        content_type = Option::<Symbol>::decode(&mut data)?;
        count -= 1;
    } else {
        content_type = None;
    }
    let content_encoding: Option<Symbol>;
    if count > 0 {
        content_encoding = Option::<Symbol>::decode(&mut data)?;
        count -= 1;
    } else {
        content_encoding = None;
    }
    let absolute_expiry_time: Option<Timestamp>;
    if count > 0 {
        absolute_expiry_time = Option::<Timestamp>::decode(&mut data)?;
        count -= 1;
    } else {
        absolute_expiry_time = None;
    }
    let creation_time: Option<Timestamp>;
    if count > 0 {
        creation_time = Option::<Timestamp>::decode(&mut data)?;
        count -= 1;
    } else {
        creation_time = None;
    }
    let group_id: Option<ByteString>;
    if count > 0 {
        group_id = Option::<ByteString>::decode(&mut data)?;
        count -= 1;
    } else {
        group_id = None;
    }
    let group_sequence: Option<SequenceNo>;
    if count > 0 {
        group_sequence = Option::<SequenceNo>::decode(&mut data)?;
        count -= 1;
    } else {
        group_sequence = None;
    }
    let reply_to_group_id: Option<ByteString>;
    if count > 0 {
        reply_to_group_id = Option::<ByteString>::decode(&mut data)?;
        count -= 1;
    } else {
        reply_to_group_id = None;
    }
    Ok(Properties {
        message_id,
        user_id,
        to,
        subject,
        reply_to,
        correlation_id,
        content_type,
        content_encoding,
        absolute_expiry_time,
        creation_time,
        group_id,
        group_sequence,
        reply_to_group_id,
    })
}
pub(super) fn encoded_size_properties_inner(list: &Properties) -> usize {
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.message_id.encoded_size()
        + list.user_id.encoded_size()
        + list.to.encoded_size()
        + list.subject.encoded_size()
        + list.reply_to.encoded_size()
        + list.correlation_id.encoded_size()
        + list.content_type.encoded_size()
        + list.content_encoding.encoded_size()
        + list.absolute_expiry_time.encoded_size()
        + list.creation_time.encoded_size()
        + list.group_id.encoded_size()
        + list.group_sequence.encoded_size()
        + list.reply_to_group_id.encoded_size();
    // header: 0x00 0x53 <descriptor code> format_code size count
    (if content_size + 1 > u8::MAX as usize {
        12
    } else {
        6
    }) + content_size
}
pub(super) fn encode_properties_inner(list: &Properties, buf: &mut BytePages) {
    Descriptor::Ulong(115).encode(buf);
    #[allow(clippy::identity_op)]
    let content_size = 0
        + list.message_id.encoded_size()
        + list.user_id.encoded_size()
        + list.to.encoded_size()
        + list.subject.encoded_size()
        + list.reply_to.encoded_size()
        + list.correlation_id.encoded_size()
        + list.content_type.encoded_size()
        + list.content_encoding.encoded_size()
        + list.absolute_expiry_time.encoded_size()
        + list.creation_time.encoded_size()
        + list.group_id.encoded_size()
        + list.group_sequence.encoded_size()
        + list.reply_to_group_id.encoded_size();
    if content_size + 1 > u8::MAX as usize {
        buf.put_u8(codec::FORMATCODE_LIST32);
        buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count
        buf.put_u32(Properties::FIELD_COUNT as u32);
    } else {
        buf.put_u8(codec::FORMATCODE_LIST8);
        buf.put_u8((content_size + 1) as u8);
        buf.put_u8(Properties::FIELD_COUNT as u8);
    }
    list.message_id.encode(buf);
    list.user_id.encode(buf);
    list.to.encode(buf);
    list.subject.encode(buf);
    list.reply_to.encode(buf);
    list.correlation_id.encode(buf);
    list.content_type.encode(buf);
    list.content_encoding.encode(buf);
    list.absolute_expiry_time.encode(buf);
    list.creation_time.encode(buf);
    list.group_id.encode(buf);
    list.group_sequence.encode(buf);
    list.reply_to_group_id.encode(buf);
}
impl DecodeFormatted for Properties {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        validate_code!(fmt, codec::FORMATCODE_DESCRIBED);
        let descriptor = Descriptor::decode(input)?;
        let is_match = match descriptor {
            Descriptor::Ulong(val) => val == 115,
            Descriptor::Symbol(ref sym) => sym.as_bytes() == b"amqp:properties:list",
        };
        if !is_match {
            Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
        } else {
            decode_properties_inner(input)
        }
    }
}
impl Encode for Properties {
    fn encoded_size(&self) -> usize {
        encoded_size_properties_inner(self)
    }
    fn encode(&self, buf: &mut BytePages) {
        encode_properties_inner(self, buf)
    }
}
