//! A real SMTP server on a loopback port, scriptable for failures: temporary refusals (4xx),
//! permanent ones for an address (5xx), and being down altogether. Every accepted message is
//! kept, raw and parsed.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use mail_parser::{MessageParser, MimeHeaders};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub raw: String,
    /// When the server answered 250 to the message.
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Received {
    fn parsed(&self) -> mail_parser::Message<'_> {
        MessageParser::default().parse(self.raw.as_bytes()).expect("a parseable message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed().body_text(0).map(|t| t.into_owned()).unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).map(|t| t.into_owned()).unwrap_or_default()
    }

    /// The first `text/calendar` part, if any.
    pub fn calendar(&self) -> Option<String> {
        let m = self.parsed();
        m.parts.iter().find_map(|p| {
            let ct = p.content_type()?;
            (ct.ctype() == "text" && ct.subtype() == Some("calendar")).then(|| p.text_contents().map(str::to_owned))?
        })
    }

    /// Attachments by file name.
    pub fn attachment_names(&self) -> Vec<String> {
        self.parsed().attachments().filter_map(|a| a.attachment_name().map(str::to_owned)).collect()
    }

    /// Every `https?://` link in the plain-text part.
    pub fn links(&self) -> Vec<String> {
        self.text()
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .map(str::to_owned)
            .collect()
    }
}

#[derive(Default)]
struct Script {
    /// Addresses whose RCPT gets a 550.
    reject: HashSet<String>,
    /// The next this-many RCPTs get a 451.
    temp_fail: usize,
    /// Time taken to accept each message, as a slow server would.
    delay: Duration,
    /// Not to advertise SMTPUTF8, as many servers do not.
    no_smtputf8: bool,
}

struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<Script>,
}

pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
    listener: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP port");
        let port = listener.local_addr().expect("local addr").port();
        let server = Self {
            port,
            shared: Arc::new(Shared { received: Mutex::new(Vec::new()), script: Mutex::new(Script::default()) }),
            listener: Mutex::new(None),
            connections: Arc::new(Mutex::new(Vec::new())),
        };
        server.serve(listener);
        server
    }

    fn serve(&self, listener: TcpListener) {
        let (shared, connections) = (self.shared.clone(), self.connections.clone());
        let handle = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let task = tokio::spawn(session(stream, shared.clone()));
                connections.lock().unwrap().push(task);
            }
        });
        *self.listener.lock().unwrap() = Some(handle);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Stops listening and drops every open connection: connecting now fails.
    pub fn stop(&self) {
        if let Some(h) = self.listener.lock().unwrap().take() {
            h.abort();
        }
        for c in self.connections.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        for _ in 0..100 {
            if let Ok(l) = TcpListener::bind(("127.0.0.1", self.port)).await {
                self.serve(l);
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("could not listen on port {} again", self.port);
    }

    pub fn reject(&self, address: &str) {
        self.shared.script.lock().unwrap().reject.insert(address.to_lowercase());
    }

    pub fn fail_temporarily(&self, times: usize) {
        self.shared.script.lock().unwrap().temp_fail = times;
    }

    /// Stops advertising SMTPUTF8 (addresses outside ASCII), as many real servers do not.
    pub fn without_smtputf8(&self) {
        self.shared.script.lock().unwrap().no_smtputf8 = true;
    }

    /// Makes every message take this long to accept.
    pub fn slow_down(&self, delay: Duration) {
        self.shared.script.lock().unwrap().delay = delay;
    }

    /// How many messages were accepted (cheaper than cloning them).
    pub fn count(&self) -> usize {
        self.shared.received.lock().unwrap().len()
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn to(&self, address: &str) -> Vec<Received> {
        let a = address.to_lowercase();
        self.received().into_iter().filter(|m| m.to.iter().any(|t| t.to_lowercase() == a)).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn address(arg: &str) -> String {
    let a = arg.split_once(':').map(|x| x.1).unwrap_or(arg).trim();
    a.trim_start_matches('<').split('>').next().unwrap_or_default().to_lowercase()
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    // Replies are small writes answered by the client's next command: without this, Nagle's
    // algorithm and delayed ACKs add about 40 ms to every message.
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let reply = async |w: &mut tokio::net::tcp::OwnedWriteHalf, s: &str| w.write_all(s.as_bytes()).await.is_ok();
    if !reply(&mut write, "220 pci-test ESMTP\r\n").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_uppercase();
        let answer = if upper.starts_with("EHLO") {
            if shared.script.lock().unwrap().no_smtputf8 {
                "250-pci-test\r\n250 8BITMIME\r\n".to_owned()
            } else {
                "250-pci-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_owned()
            }
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK\r\n".to_owned()
        } else if upper.starts_with("RSET") {
            (from, to) = (String::new(), Vec::new());
            "250 OK\r\n".to_owned()
        } else if upper.starts_with("MAIL FROM") {
            from = address(&cmd);
            "250 2.1.0 OK\r\n".to_owned()
        } else if upper.starts_with("RCPT TO") {
            let rcpt = address(&cmd);
            let mut script = shared.script.lock().unwrap();
            if script.reject.contains(&rcpt) {
                "550 5.1.1 <".to_owned() + &rcpt + ">: no such mailbox\r\n"
            } else if script.temp_fail > 0 {
                script.temp_fail -= 1;
                "451 4.7.1 greylisted, try again later\r\n".to_owned()
            } else {
                to.push(rcpt);
                "250 2.1.5 OK\r\n".to_owned()
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                "554 5.5.1 no valid recipients\r\n".to_owned()
            } else {
                if !reply(&mut write, "354 end with <CRLF>.<CRLF>\r\n").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                }
                let delay = shared.script.lock().unwrap().delay;
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let mut received = shared.received.lock().unwrap();
                received.push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    raw: data,
                    at: chrono::Utc::now(),
                });
                format!("250 2.0.0 OK queued as {}\r\n", received.len())
            }
        } else if upper.starts_with("QUIT") {
            let _ = reply(&mut write, "221 2.0.0 bye\r\n").await;
            return;
        } else {
            "502 5.5.2 command not recognised\r\n".to_owned()
        };
        if !reply(&mut write, &answer).await {
            return;
        }
    }
}
