//! The message as it goes on the wire: built once from the rendered email, with its fixed
//! Message-ID and its calendar part.

use lettre::{
    Address, Message,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
};
use pci_entity::new_id;
use uuid::Uuid;

use super::Spec;
use crate::{
    jobs::JobContext,
    mail::{ics::Method, templates::Rendered},
};

/// A calendar part to attach.
pub struct Calendar {
    pub method: Method,
    pub ics: String,
}

/// Identity of a delivery fixed before rendering, so the message can carry it.
pub struct Draft {
    pub id: Uuid,
    pub message_id: String,
}

impl Draft {
    pub fn new(ctx: &JobContext) -> Self {
        let id = new_id();
        Self { id, message_id: format!("{}@{}", id.simple(), ctx.mail_domain()) }
    }
}

fn build_message(
    ctx: &JobContext,
    draft: &Draft,
    to: Mailbox,
    rendered: Rendered,
    calendar: Option<Calendar>,
) -> anyhow::Result<Message> {
    let mut b = Message::builder()
        .from(ctx.from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{}>", draft.message_id)))
        .date(ctx.clock.now().into());
    if let Some(r) = &ctx.reply_to {
        b = b.reply_to(r.clone());
    }
    let plain =
        if ctx.transport.writes_files() { readable_plain(rendered.text) } else { SinglePart::plain(rendered.text) };
    let alternative = MultiPart::alternative().singlepart(plain).singlepart(SinglePart::html(rendered.html));
    let message = match calendar {
        None => b.multipart(alternative)?,
        Some(cal) => {
            let inline = ContentType::parse(&format!("text/calendar; charset=utf-8; method={}", cal.method.as_str()))?;
            let file = ContentType::parse("application/ics")?;
            b.multipart(
                MultiPart::mixed()
                    .multipart(alternative.singlepart(SinglePart::builder().header(inline).body(cal.ics.clone())))
                    .singlepart(Attachment::new("invite.ics".into()).body(cal.ics, file)),
            )?
        }
    };
    Ok(message)
}

/// The plain-text part as 8-bit text, so that a message saved as a file (no SMTP server) shows
/// its links whole: lettre otherwise quotes-printable every line of 76 characters or more, and a
/// link becomes `token=3D...` split across lines. Falls back to lettre's choice for text that
/// 8-bit cannot carry (a line over 998 bytes).
fn readable_plain(text: String) -> SinglePart {
    use lettre::message::{Body, header::ContentTransferEncoding};
    let crlf = text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
    let fits = !crlf.contains('\0') && crlf.split("\r\n").all(|line| line.len() <= 998);
    if !fits {
        return SinglePart::plain(text);
    }
    SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit))
}

/// The message as it goes on the wire, or why it cannot be sent. Stored data that no mail can
/// carry (a line break in a name, an address the mail library refuses) is a reason, never a
/// panic or a retry: it would fail the same way every time.
pub(super) fn formatted(
    ctx: &JobContext,
    spec: &Spec,
    draft: &Draft,
    rendered: Rendered,
    calendar: Option<Calendar>,
) -> Result<String, String> {
    let address = spec.recipient.parse::<Address>().map_err(|e| format!("address rejected: {e}"))?;
    if spec.recipient_name.chars().any(char::is_control) {
        return Err("the recipient's name holds a line break or another control character; correct the name".into());
    }
    let to = Mailbox::new(Some(spec.recipient_name.clone()), address);
    // The mail library panics on some header values it cannot encode; whatever it panics on is
    // one more thing no attempt would send.
    let built =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_message(ctx, draft, to, rendered, calendar)))
            .map_err(|_| "the message could not be built from the stored data".to_owned())?;
    let message = built.map_err(|e| format!("the message could not be built: {e}"))?;
    String::from_utf8(message.formatted()).map_err(|_| "the message is not valid UTF-8".to_owned())
}
