//! The figures of closed surveys, kept between reads. A closed survey takes no more answers,
//! recipients or changes, and its questionnaire version is frozen, so its figures cannot
//! change: computing them once saves reading and parsing every response on each read (at 2,000
//! responses, most of a results request). Each read gets its own copy with its texts shuffled
//! again. Whatever comes to delete or anonymise responses (retention) must empty it for that survey.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use pci_domain::surveys::results::Results;
use uuid::Uuid;

/// Surveys kept at most; results are a few megabytes at the largest.
const KEPT: usize = 32;

/// A survey as it closed: a closing moved before it came is another survey's figures.
type Key = (Uuid, DateTime<Utc>);

#[derive(Clone, Default)]
pub struct ResultsCache(Arc<Mutex<HashMap<Key, Arc<Results>>>>);

impl ResultsCache {
    pub fn get(&self, id: Uuid, closes_at: DateTime<Utc>) -> Option<Arc<Results>> {
        self.0.lock().ok()?.get(&(id, closes_at)).cloned()
    }

    pub fn contains(&self, id: Uuid, closes_at: DateTime<Utc>) -> bool {
        self.0.lock().is_ok_and(|m| m.contains_key(&(id, closes_at)))
    }

    pub fn put(&self, id: Uuid, closes_at: DateTime<Utc>, results: Arc<Results>) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= KEPT
                && let Some(old) = m.keys().next().copied()
            {
                m.remove(&old);
            }
            m.insert((id, closes_at), results);
        }
    }
}
