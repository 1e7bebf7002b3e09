//! The questionnaires every installation starts with, written as TOML beside this file and
//! installed by `migrate` (see `questionnaire::install_defaults`).

use serde::Deserialize;

use super::content::{Content, Scale, Section};
use crate::Check;

const FILES: &[(&str, &str)] = &[
    ("self_assessment.toml", include_str!("defaults/self_assessment.toml")),
    ("evaluation.toml", include_str!("defaults/evaluation.toml")),
];

/// The well-known keys, for the code that offers a default per purpose.
pub const SELF_ASSESSMENT: &str = "pci-self-assessment";
pub const EVALUATION: &str = "pci-evaluation";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    key: String,
    title: String,
    #[serde(default)]
    introduction: Option<String>,
    #[serde(default)]
    scales: Vec<Scale>,
    sections: Vec<Section>,
}

pub struct Default {
    pub key: String,
    pub content: Content,
}

/// Every default, parsed and checked like an administrator's input.
pub fn all() -> anyhow::Result<Vec<Default>> {
    FILES
        .iter()
        .map(|(name, text)| {
            let f: File = toml::from_str(text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let content =
                Content { title: f.title, introduction: f.introduction, scales: f.scales, sections: f.sections };
            let mut c = Check::new();
            let content = content.checked(&mut c, &[name]);
            c.finish().map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
            Ok(Default { key: f.key, content: content.expect("checked") })
        })
        .collect()
}

/// Changes when a default's text changes (test harnesses key cached databases on it).
pub fn fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, text) in FILES {
        h.update(name.as_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::content::QuestionKind;

    #[test]
    fn the_defaults_are_valid_and_shaped_as_promised() {
        let all = all().unwrap();
        let keys: Vec<&str> = all.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, [SELF_ASSESSMENT, EVALUATION]);
        let sa = &all[0].content;
        assert_eq!(sa.sections.len(), 6, "six criteria");
        for s in &sa.sections {
            assert!((4..=6).contains(&s.questions.len()), "{}: four to six statements", s.key);
            for q in &s.questions {
                assert_eq!(q.kind, QuestionKind::Scale);
                assert_eq!(q.comments.len(), 2, "{}: evidence of strength, how to improve", q.key);
            }
        }
        let ev = &all[1].content;
        let peers_only: Vec<_> = ev.questions().filter(|(_, q)| !q.sides.is_empty()).collect();
        assert_eq!(peers_only.len(), 1, "what will you take back: peers only");
        assert!(ev.questions().any(|(_, q)| q.kind == QuestionKind::FreeText && !q.required));
    }
}
